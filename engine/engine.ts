import { availableParallelism } from "node:os";
import type { Props, ProviderHost } from "./host";
import { transcribe } from "./transcript";

/**
 * The local engine: turns what a program declares into the provider calls that `pulumi preview`,
 * `up`, `refresh` and `destroy` make, scheduled as the Pulumi engine schedules them
 * (pulumi/pulumi at 1b5949891b3c). Rule by rule:
 *
 * 1. Step generation is one loop over the program's registrations, in the order they arrive:
 *    Check, then Diff when the resource has prior state, each awaited before the next
 *    registration is looked at (pkg/resource/deploy/deployment_executor.go `handleSingleEvent`,
 *    step_generator.go `GenerateSteps`). So by default at most ONE Check-or-Diff call is in
 *    flight to a provider.
 * 2. With `PULUMI_PARALLEL_DIFF=true` (`parallelDiff`; sdk/go/common/env/env.go `ParallelDiff`,
 *    pulumi/pulumi#18872) the Diff runs on a step worker instead; Check stays in the loop.
 * 3. Steps run on P workers, P = 4 x CPUs unless `--parallel` says otherwise
 *    (pkg/cmd/pulumi/operations/up.go, pulumi/pulumi#15016). The hand-off is an unbuffered channel
 *    (step_executor.go `ExecuteSerial`): while all P workers are busy the loop waits, so no new
 *    Check starts either. Preview sends no Create/Update to a dynamic provider (its Configure
 *    answers supportsPreview=false): the step is planned, not applied.
 * 4. A failed Check, Diff or step stops the deployment: steps already running finish, no new one
 *    starts, and no delete is generated (step_executor.go `cancelDueToError`), unless
 *    `--continue-on-error`. Refresh reads ignore errors and go on (step_executor.go
 *    `ignoreErrors`, set for refreshes).
 * 5. Deletes of resources the program no longer declares are generated after the program has
 *    finished, and run on the workers (step_generator.go `GenerateDeletes`).
 * 6. Refresh Reads run on the same P workers (deployment_executor.go `refresh`); `--refresh` on
 *    preview or up reads in the same deployment, before the program's steps, with the same
 *    provider process.
 * 7. `pulumi up` is two deployments unless `--skip-preview`: a preview, then the update, each
 *    starting its own provider processes (pkg/backend/apply.go `PreviewThenPromptThenExecute`,
 *    pkg/engine/update.go); `--yes` only skips the prompt. A failed preview ends the command
 *    before anything is applied. Nothing in a provider's memory survives from one to the other.
 * 8. Replacements create the new resource, then delete the old one (create-before-delete, the
 *    default).
 */

export interface Goal {
  name: string;
  type: string;
  inputs: Props;
}

export interface ResourceState {
  urn: string;
  name: string;
  type: string;
  id: string;
  inputs: Props;
  outputs: Props;
}

export interface StackState {
  resources: ResourceState[];
}

export type Op = "create" | "update" | "replace" | "delete" | "same" | "refresh" | "gone";

export interface StepResult {
  name: string;
  urn: string;
  op: Op;
  ok: boolean;
  error?: string;
  outputs?: Props;
}

export type RunKind = "preview" | "up" | "refresh" | "destroy";

export interface RunResult {
  kind: RunKind;
  steps: StepResult[];
  ms: number;
  /** Provider processes the command started (`up` without skipPreview starts two). */
  hosts: number;
  /** For `up` without skipPreview: its preview phase. When that failed, `steps` are its steps. */
  preview?: RunResult;
  /** Stack outputs the program exported (programs run through the language host). */
  outputs?: Props;
}

/** What the program gets back from registering a resource. */
export interface Registered {
  urn: string;
  id: string;
  outputs: Props;
}

export type Register = (goal: Goal) => Promise<Registered>;

/**
 * A program: either the list of resources it declares (all registered at once, as a program
 * that awaits nothing does), or a function that registers them as a real program does and
 * returns its stack outputs.
 */
export type Program = readonly Goal[] | ((register: Register) => Promise<Props | undefined>);

export function countOps(result: RunResult): Record<Op, number> {
  const counts: Record<Op, number> = {
    create: 0,
    update: 0,
    replace: 0,
    delete: 0,
    same: 0,
    refresh: 0,
    gone: 0,
  };
  for (const step of result.steps) counts[step.op]++;
  return counts;
}

export function failures(result: RunResult): StepResult[] {
  return result.steps.filter((s) => !s.ok);
}

/** `--parallel`'s default: 4 x GOMAXPROCS (pkg/cmd/pulumi/operations/up.go). */
export const DEFAULT_PARALLEL = 4 * availableParallelism();

export interface EngineOptions {
  project: string;
  stack: string;
  state?: StackState;
  /**
   * Starts one provider process and sends it Configure: called once per deployment, as the
   * engine loads plugins per deployment.
   */
  startHost: () => Promise<ProviderHost>;
  /** `--parallel N` / PULUMI_PARALLEL: step workers. Default 4 x CPUs. */
  parallel?: number;
  /** PULUMI_PARALLEL_DIFF=true: Diff on the step workers. Default false, as in the CLI. */
  parallelDiff?: boolean;
  /** `--continue-on-error`: a failed step does not stop the others. */
  continueOnError?: boolean;
  /** Called as each step finishes (progress output). */
  onStep?: (step: StepResult) => void;
  /** Called with every provider process the engine starts (tests kill one; the bench samples RSS). */
  onHost?: (host: ProviderHost) => void;
}

/** A command's scheduling flags; each defaults to the engine's option, then to the CLI's default. */
export interface SchedulingOptions {
  /** `--parallel N` / PULUMI_PARALLEL. */
  parallel?: number;
  /** PULUMI_PARALLEL_DIFF=true. */
  parallelDiff?: boolean;
}

export interface PreviewOptions extends SchedulingOptions {
  /** `--refresh`: read every resource first, in the same deployment. */
  refresh?: boolean;
}

export interface UpOptions extends PreviewOptions {
  /** `--skip-preview`: one deployment instead of preview + update. */
  skipPreview?: boolean;
}

type Mode = "preview" | "update";

/** A step's outcome before it is reported. */
interface Done {
  op: Op;
  outputs?: Props;
}

/** At most `size` steps at once; `acquire` waits (FIFO) while all workers are busy. */
class Workers {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`parallel must be >= 1, got ${size}`);
  }

  async acquire(): Promise<void> {
    if (this.busy < this.size) {
      this.busy++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy--;
  }
}

/** One deployment: one provider process, one step-generation loop, P workers. */
class Deployment {
  readonly steps: StepResult[] = [];
  private readonly workers: Workers;
  private readonly running = new Set<Promise<unknown>>();
  /** The step-generation loop: registrations are handled one after another, in arrival order. */
  private loop: Promise<void> = Promise.resolve();
  private cancelled = false;
  readonly registered = new Set<string>();

  constructor(
    private readonly engine: Engine,
    readonly host: ProviderHost,
    private readonly mode: Mode,
    private readonly options: EngineOptions,
  ) {
    this.workers = new Workers(options.parallel ?? DEFAULT_PARALLEL);
  }

  private get apply(): boolean {
    return this.mode === "update";
  }

  /** The program's RegisterResource: resolves when the resource's step has finished. */
  register(goal: Goal): Promise<Registered> {
    const urn = this.engine.urn(goal);
    this.registered.add(urn);
    let handedOff!: Promise<{ finished: Promise<Registered> }>;
    this.loop = this.loop.then(async () => {
      handedOff = this.generate(goal, urn);
      // The loop waits for the hand-off to a worker, not for the step itself.
      await handedOff.catch(() => undefined);
    });
    return this.loop.then(async () => (await handedOff).finished);
  }

  /** Waits for the loop to drain and every running step to finish. */
  async settle(): Promise<void> {
    await this.loop;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /**
   * Check, Diff (unless parallelDiff), then hand the step to a worker. Settles once the step is on
   * a worker (or failed before); `finished` resolves when the step has finished.
   */
  private async generate(goal: Goal, urn: string): Promise<{ finished: Promise<Registered> }> {
    if (this.cancelled) throw new Error("deployment cancelled by an earlier error");
    const old = this.engine.find(urn);
    const planned: Op = old ? "update" : "create";
    let inputs: Props;
    let diffed: { replace: boolean; changes: boolean } | undefined;
    try {
      const checked = await this.host.check(urn, old?.inputs ?? {}, goal.inputs);
      if (checked.failures.length > 0) {
        throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
      }
      inputs = checked.inputs;
      if (old && !this.options.parallelDiff) diffed = await this.diff(urn, old, inputs);
    } catch (error) {
      this.fail(goal.name, urn, planned, error);
      throw error;
    }
    await this.workers.acquire();
    const finished = this.onWorker(goal.name, urn, planned, async () => {
      if (!old) return this.create(goal, urn, inputs);
      const diff = diffed ?? (await this.diff(urn, old, inputs));
      if (diff.replace) {
        if (!this.apply) return { op: "replace", outputs: { ...old.outputs, ...inputs } };
        const created = await this.create(goal, urn, inputs);
        await this.host.delete(urn, old.id, old.outputs);
        return { ...created, op: "replace" };
      }
      if (!diff.changes) {
        if (this.apply) old.inputs = inputs;
        return { op: "same", outputs: old.outputs };
      }
      if (!this.apply) return { op: "update", outputs: { ...old.outputs, ...inputs } };
      const updated = await this.host.update(urn, old.id, old.outputs, inputs);
      old.inputs = inputs;
      old.outputs = updated.properties;
      return { op: "update", outputs: updated.properties };
    });
    return {
      finished: finished.then((step) => {
        if (!step.ok) throw new Error(step.error);
        return { urn, id: this.engine.find(urn)?.id ?? "", outputs: step.outputs ?? {} };
      }),
    };
  }

  private async diff(
    urn: string,
    old: ResourceState,
    inputs: Props,
  ): Promise<{ replace: boolean; changes: boolean }> {
    const diff = await this.host.diff(urn, old.id, old.outputs, inputs);
    return { replace: diff.replaces.length > 0, changes: diff.changes !== "none" };
  }

  private async create(goal: Goal, urn: string, inputs: Props): Promise<Done> {
    if (!this.apply) return { op: "create", outputs: inputs };
    const created = await this.host.create(urn, inputs);
    const { name, type } = goal;
    this.engine.put({ urn, name, type, id: created.id, inputs, outputs: created.properties });
    return { op: "create", outputs: created.properties };
  }

  /** Deletes of what the program no longer declares, once it has finished (rule 5). */
  async deleteUndeclared(): Promise<void> {
    if (this.cancelled) return;
    for (const res of this.engine.resources()) {
      if (this.registered.has(res.urn)) continue;
      await this.deleteOnWorker(res);
      if (this.cancelled) return;
    }
  }

  async deleteOnWorker(res: ResourceState): Promise<void> {
    await this.workers.acquire();
    void this.onWorker(res.name, res.urn, "delete", async () => {
      if (this.apply) {
        await this.host.delete(res.urn, res.id, res.outputs);
        this.engine.remove(res.urn);
      }
      return { op: "delete" };
    });
  }

  /** Refresh Reads on the workers (rule 6); errors are reported and do not stop the others. */
  async refreshAll(): Promise<void> {
    for (const res of this.engine.resources()) {
      await this.workers.acquire();
      void this.onWorker(
        res.name,
        res.urn,
        "refresh",
        async () => {
          const read = await this.host.read(res.urn, res.id, res.outputs, res.inputs);
          // A preview restores the state afterwards; its diffs still see what was read.
          if (read.id === "") {
            this.engine.remove(res.urn);
            return { op: "gone" };
          }
          res.outputs = read.properties;
          if (read.inputs) res.inputs = read.inputs;
          return { op: "refresh", outputs: read.properties };
        },
        { ignoreErrors: true },
      );
    }
    await this.settle();
  }

  /** Runs `body` on the worker already acquired, records the step, frees the worker. */
  private onWorker(
    name: string,
    urn: string,
    planned: Op,
    body: () => Promise<Done>,
    options: { ignoreErrors?: boolean } = {},
  ): Promise<StepResult> {
    const run = (async () => {
      try {
        return this.record({ name, urn, ok: true, ...(await body()) });
      } catch (error) {
        if (!options.ignoreErrors) this.cancelOnError();
        return this.record({ name, urn, op: planned, ok: false, error: messageOf(error) });
      } finally {
        this.workers.release();
      }
    })();
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return run;
  }

  private fail(name: string, urn: string, op: Op, error: unknown): void {
    this.cancelOnError();
    this.record({ name, urn, op, ok: false, error: messageOf(error) });
  }

  private cancelOnError(): void {
    if (!this.options.continueOnError) this.cancelled = true;
  }

  private record(step: StepResult): StepResult {
    const result: StepResult = {
      name: step.name,
      urn: step.urn,
      op: step.op,
      ok: step.ok,
      ...(step.error !== undefined ? { error: step.error } : {}),
      ...(step.outputs ? { outputs: step.outputs } : {}),
    };
    this.steps.push(result);
    transcribe("step", () => JSON.stringify(result));
    this.options.onStep?.(result);
    return result;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class Engine {
  private byUrn = new Map<string, ResourceState>();

  constructor(readonly options: EngineOptions) {
    for (const res of options.state?.resources ?? []) this.byUrn.set(res.urn, res);
  }

  /** The stack's state, as `pulumi stack export` would show it (JSON-serialisable). */
  get state(): StackState {
    return { resources: [...this.byUrn.values()] };
  }

  urn(goal: Pick<Goal, "name" | "type">): string {
    return `urn:pulumi:${this.options.stack}::${this.options.project}::${goal.type}::${goal.name}`;
  }

  /** `pulumi preview [--refresh]`: nothing is applied and the stack's state is unchanged. */
  preview(program: Program, options: PreviewOptions = {}): Promise<RunResult> {
    return this.timed("preview", async () => {
      const saved = options.refresh ? this.snapshot() : undefined;
      try {
        return await this.deploy("preview", program, options);
      } finally {
        if (saved) this.byUrn = saved;
      }
    });
  }

  /** `pulumi up [--skip-preview] [--refresh]`: a preview deployment, then the update (rule 7). */
  up(program: Program, options: UpOptions = {}): Promise<RunResult> {
    return this.timed("up", async () => {
      if (options.skipPreview) return this.deploy("update", program, options);
      const preview = await this.preview(program, options);
      if (failures(preview).length > 0) return { ...preview, preview };
      const update = await this.deploy("update", program, options);
      return { ...update, hosts: preview.hosts + update.hosts, preview };
    });
  }

  /** `pulumi refresh`: every resource read on the step workers; gone ones leave the state. */
  refresh(options: SchedulingOptions = {}): Promise<RunResult> {
    return this.timed("refresh", () =>
      this.withDeployment("update", options, async (deployment) => {
        await deployment.refreshAll();
        return {};
      }),
    );
  }

  /** `pulumi destroy`: every resource deleted on the step workers, with its stored provider. */
  destroy(options: SchedulingOptions = {}): Promise<RunResult> {
    return this.timed("destroy", () =>
      this.withDeployment("update", options, async (deployment) => {
        for (const res of this.resources()) await deployment.deleteOnWorker(res);
        await deployment.settle();
        return {};
      }),
    );
  }

  find(urn: string): ResourceState | undefined {
    return this.byUrn.get(urn);
  }

  /** The stored state of the resource named `name`. */
  resource(name: string): ResourceState | undefined {
    return [...this.byUrn.values()].find((r) => r.name === name);
  }

  resources(): ResourceState[] {
    return [...this.byUrn.values()];
  }

  put(res: ResourceState): void {
    this.byUrn.set(res.urn, res);
  }

  remove(urn: string): void {
    this.byUrn.delete(urn);
  }

  private snapshot(): Map<string, ResourceState> {
    return new Map([...this.byUrn].map(([urn, res]) => [urn, structuredClone(res)]));
  }

  private deploy(mode: Mode, program: Program, options: PreviewOptions) {
    return this.withDeployment(mode, options, async (deployment) => {
      if (options.refresh) await deployment.refreshAll();
      const register: Register = (goal) => deployment.register(goal);
      let outputs: Props | undefined;
      let programError: unknown;
      try {
        if (typeof program === "function") {
          outputs = await program(register);
        } else {
          // A program that declares everything without awaiting anything.
          await Promise.allSettled(program.map((goal) => register(goal)));
        }
      } catch (error) {
        programError = error;
      }
      await deployment.settle();
      if (programError !== undefined) throw programError;
      await deployment.deleteUndeclared();
      await deployment.settle();
      return outputs ? { outputs } : {};
    });
  }

  private async withDeployment(
    mode: Mode,
    scheduling: SchedulingOptions,
    body: (deployment: Deployment) => Promise<{ outputs?: Props }>,
  ): Promise<{ steps: StepResult[]; hosts: number; outputs?: Props }> {
    const host = await this.options.startHost();
    this.options.onHost?.(host);
    const deployment = new Deployment(this, host, mode, {
      ...this.options,
      parallel: scheduling.parallel ?? this.options.parallel,
      parallelDiff: scheduling.parallelDiff ?? this.options.parallelDiff,
    });
    try {
      const extra = await body(deployment);
      return { steps: deployment.steps, hosts: 1, ...extra };
    } finally {
      await host.stop();
    }
  }

  private async timed(
    kind: RunKind,
    body: () => Promise<Omit<RunResult, "kind" | "ms">>,
  ): Promise<RunResult> {
    const started = performance.now();
    const result = await body();
    transcribe("state", () => JSON.stringify(this.state));
    return { ...result, kind, ms: performance.now() - started };
  }
}
