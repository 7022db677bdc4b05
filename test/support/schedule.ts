import type { Goal, ResourceState } from "../../engine/engine";
import type { DiffResponse, Props, ProviderHost } from "../../engine/host";

/**
 * Drives a provider host in the order the Pulumi engine schedules calls by default
 * (/work/shared/pulumi/DYNAMIC-PROVIDERS.md, "How the engine schedules calls"), for tests whose
 * request counts must hold in that mode whatever the local engine does:
 * - Check, then Diff, one resource at a time in program order, each call awaited;
 * - steps (Update) and refresh Reads on P workers; while all P are busy, step generation waits
 *   (the engine's hand-off is an unbuffered channel), so no new Check or Diff arrives either.
 */

export interface Planned {
  goal: Goal;
  old: ResourceState;
  inputs: Props;
  diff: DiffResponse;
}

/** At most `size` tasks at once; `run` resolves once a worker took the task, as a hand-off does. */
export class Workers {
  private busy = 0;
  private readonly free: (() => void)[] = [];
  private readonly running: Promise<unknown>[] = [];

  constructor(private readonly size: number) {}

  async run(task: () => Promise<unknown>): Promise<void> {
    while (this.busy >= this.size) await new Promise<void>((resolve) => this.free.push(resolve));
    this.busy++;
    const done = task().finally(() => {
      this.busy--;
      this.free.shift()?.();
    });
    this.running.push(done);
  }

  /** Waits for every task; rejects with the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.running);
  }
}

/**
 * Step generation for resources already in `state`: Check and Diff one at a time. `onChange`
 * receives each resource whose Diff found changes as soon as it has, as the engine hands the step
 * to a worker before it checks the next resource.
 */
export async function checkAndDiff(
  host: ProviderHost,
  state: readonly ResourceState[],
  goals: readonly Goal[],
  onChange: (planned: Planned) => Promise<void> = async () => {},
): Promise<Planned[]> {
  const byName = new Map(state.map((r) => [r.name, r]));
  const planned: Planned[] = [];
  for (const goal of goals) {
    const old = byName.get(goal.name);
    if (old === undefined) throw new Error(`${goal.name} is not in the stack's state`);
    const checked = await host.check(old.urn, old.inputs, goal.inputs);
    if (checked.failures.length > 0) throw new Error(JSON.stringify(checked.failures));
    const diff = await host.diff(old.urn, old.id, old.outputs, checked.inputs);
    const step = { goal, old, inputs: checked.inputs, diff };
    planned.push(step);
    if (diff.changes === "some") await onChange(step);
  }
  return planned;
}

/** `pulumi preview`: Check and Diff only. */
export function previewSerially(
  host: ProviderHost,
  state: readonly ResourceState[],
  goals: readonly Goal[],
): Promise<Planned[]> {
  return checkAndDiff(host, state, goals);
}

/** The update deployment of `pulumi up`: Updates go to `parallel` workers as Diffs find them. */
export async function upSerially(
  host: ProviderHost,
  state: readonly ResourceState[],
  goals: readonly Goal[],
  parallel: number,
): Promise<Props[]> {
  const workers = new Workers(parallel);
  const outputs: Props[] = [];
  await checkAndDiff(host, state, goals, (step) =>
    workers.run(async () => {
      const updated = await host.update(step.old.urn, step.old.id, step.old.outputs, step.inputs);
      outputs.push(updated.properties);
    }),
  );
  await workers.drain();
  return outputs;
}

/** `pulumi refresh` (or the refresh of `up --refresh`): every Read on `parallel` workers. */
export async function refreshOnWorkers(
  host: ProviderHost,
  state: readonly ResourceState[],
  parallel: number,
): Promise<{ name: string; id: string; properties: Props }[]> {
  const workers = new Workers(parallel);
  const results: { name: string; id: string; properties: Props }[] = [];
  for (const res of state) {
    await workers.run(async () => {
      const read = await host.read(res.urn, res.id, res.outputs, res.inputs);
      results.push({ name: res.name, id: read.id, properties: read.properties });
    });
  }
  await workers.drain();
  return results;
}
