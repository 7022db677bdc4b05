import { randomUUID } from "node:crypto";
import type { Props, ProviderHost } from "./host";
import {
  DEFAULT_PARALLEL,
  type EngineOptions,
  type Goal,
  isProviderType,
  type Op,
  type Registered,
  type ResourceState,
  type StepResult,
} from "./model";
import { unknownValue } from "./sdk";
import { transcribe } from "./transcript";

/**
 * One deployment of the local engine (engine.ts cites the Pulumi engine source for each rule):
 * its provider processes, its step-generation loop and its P step workers.
 */

/** What a deployment reads and writes of the stack's state. */
export interface StackStore {
  urn(goal: Pick<Goal, "name" | "type" | "urn">): string;
  find(urn: string): ResourceState | undefined;
  resources(): ResourceState[];
  put(res: ResourceState): void;
  remove(urn: string): void;
}

export type Mode = "preview" | "update";

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

/** One deployment: a provider process per provider, one step-generation loop, P workers. */
export class Deployment {
  readonly steps: StepResult[] = [];
  private readonly workers: Workers;
  private readonly running = new Set<Promise<unknown>>();
  /** The step-generation loop: registrations are handled one after another, in arrival order. */
  private loop: Promise<void> = Promise.resolve();
  private cancelled = false;
  readonly registered = new Set<string>();

  /** One provider process per provider: "" for the default one, else the instance's URN. */
  readonly hosts = new Map<string, Promise<ProviderHost>>();
  /** Explicit provider instances the program registered in this deployment: URN -> inputs. */
  private readonly instances = new Map<string, Props>();

  constructor(
    private readonly engine: StackStore,
    private readonly mode: Mode,
    private readonly options: EngineOptions,
  ) {
    this.workers = new Workers(options.parallel ?? DEFAULT_PARALLEL);
  }

  /** The process of a resource's provider, started (and configured) on first use. */
  host(provider: string | undefined): Promise<ProviderHost> {
    const key = provider ?? "";
    let host = this.hosts.get(key);
    if (!host) {
      const instance = provider === undefined ? undefined : this.instanceInputs(provider);
      host = this.options.startHost(instance).then((started) => {
        this.options.onHost?.(started);
        return started;
      });
      this.hosts.set(key, host);
    }
    return host;
  }

  /** A preview of an explicit instance with an input the program does not know yet. */
  private unconfigurable(provider: string | undefined): boolean {
    if (provider === undefined || this.apply) return false;
    return Object.values(this.instanceInputs(provider)).includes(unknownValue);
  }

  private instanceInputs(urn: string): Props {
    const inputs = this.instances.get(urn) ?? this.engine.find(urn)?.inputs;
    if (!inputs) throw new Error(`provider ${urn} is not registered`);
    return inputs;
  }

  async stopHosts(): Promise<void> {
    const started = await Promise.allSettled(this.hosts.values());
    await Promise.all(started.map((h) => (h.status === "fulfilled" ? h.value.stop() : undefined)));
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
    if (isProviderType(goal.type))
      return { finished: Promise.resolve(this.registerInstance(goal, urn)) };
    const old = this.engine.find(urn);
    const planned: Op = old ? "update" : "create";
    let inputs: Props;
    let diffed: { replace: boolean; changes: boolean } | undefined;
    if (this.unconfigurable(goal.provider)) {
      // An instance input not known until apply: no Configure, no call; the step is planned
      // as a possible change (pkg/resource/deploy/providers/registry.go, Diff "unavailable").
      await this.workers.acquire();
      const outputs = { ...old?.outputs, ...goal.inputs };
      return {
        finished: this.onWorker(goal.name, urn, planned, async () => ({
          op: planned,
          outputs,
        })).then(() => ({ urn, id: old?.id ?? "", outputs })),
      };
    }
    let host: ProviderHost;
    try {
      host = await this.host(goal.provider);
      const checked = await host.check(urn, old?.inputs ?? {}, goal.inputs);
      if (checked.failures.length > 0) {
        throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
      }
      inputs = checked.inputs;
      if (old && !this.options.parallelDiff) diffed = await this.diff(host, urn, old, inputs);
    } catch (error) {
      this.fail(goal.name, urn, planned, error);
      throw error;
    }
    await this.workers.acquire();
    const finished = this.onWorker(goal.name, urn, planned, async () => {
      if (!old) return this.create(host, goal, urn, inputs);
      const diff = diffed ?? (await this.diff(host, urn, old, inputs));
      if (diff.replace) {
        if (!this.apply) return { op: "replace", outputs: { ...old.outputs, ...inputs } };
        const created = await this.create(host, goal, urn, inputs);
        // The old resource is deleted by the provider that created it.
        await (await this.host(old.provider)).delete(urn, old.id, old.outputs);
        return { ...created, op: "replace" };
      }
      if (!diff.changes) {
        if (this.apply) old.inputs = inputs;
        return { op: "same", outputs: old.outputs };
      }
      if (!this.apply) return { op: "update", outputs: { ...old.outputs, ...inputs } };
      const updated = await host.update(urn, old.id, old.outputs, inputs);
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
    host: ProviderHost,
    urn: string,
    old: ResourceState,
    inputs: Props,
  ): Promise<{ replace: boolean; changes: boolean }> {
    const diff = await host.diff(urn, old.id, old.outputs, inputs);
    return { replace: diff.replaces.length > 0, changes: diff.changes !== "none" };
  }

  private async create(host: ProviderHost, goal: Goal, urn: string, inputs: Props): Promise<Done> {
    if (!this.apply) return { op: "create", outputs: inputs };
    const created = await host.create(urn, inputs);
    const { name, type, provider } = goal;
    this.engine.put({
      urn,
      name,
      type,
      id: created.id,
      inputs,
      outputs: created.properties,
      ...(provider ? { provider } : {}),
    });
    return { op: "create", outputs: created.properties };
  }

  /**
   * An explicit provider instance: recorded in state with its inputs (secret ones marked), its
   * process started when a resource first needs it. It makes no provider call of its own.
   */
  private registerInstance(goal: Goal, urn: string): Registered {
    this.instances.set(urn, goal.inputs);
    const old = this.engine.find(urn);
    const same = old && JSON.stringify(old.inputs) === JSON.stringify(goal.inputs);
    const id = old?.id ?? (this.apply ? randomUUID() : "");
    if (this.apply) {
      const { name, type, secretInputs } = goal;
      const inputs = goal.inputs;
      this.engine.put({
        urn,
        name,
        type,
        id,
        inputs,
        outputs: inputs,
        ...(secretInputs ? { secretInputs } : {}),
      });
    }
    this.record({ name: goal.name, urn, op: !old ? "create" : same ? "same" : "update", ok: true });
    return { urn, id, outputs: goal.inputs };
  }

  /** Deletes of what the program no longer declares, once it has finished (rule 5). */
  async deleteUndeclared(): Promise<void> {
    await this.deleteAll(this.engine.resources().filter((res) => !this.registered.has(res.urn)));
  }

  /** Deletes on the workers; provider instances last, once nothing they manage is left. */
  async deleteAll(resources: readonly ResourceState[]): Promise<void> {
    for (const res of resources.filter((r) => !isProviderType(r.type))) {
      if (this.cancelled) return;
      await this.workers.acquire();
      void this.onWorker(res.name, res.urn, "delete", async () => {
        if (this.apply) {
          await (await this.host(res.provider)).delete(res.urn, res.id, res.outputs);
          this.engine.remove(res.urn);
        }
        return { op: "delete" };
      });
    }
    await this.settle();
    if (this.cancelled) return;
    for (const res of resources.filter((r) => isProviderType(r.type))) {
      if (this.apply) this.engine.remove(res.urn);
      this.record({ name: res.name, urn: res.urn, op: "delete", ok: true });
    }
  }

  /** Refresh Reads on the workers (rule 6); errors are reported and do not stop the others. */
  async refreshAll(): Promise<void> {
    for (const res of this.engine.resources().filter((r) => !isProviderType(r.type))) {
      await this.workers.acquire();
      void this.onWorker(
        res.name,
        res.urn,
        "refresh",
        async () => {
          const host = await this.host(res.provider);
          const read = await host.read(res.urn, res.id, res.outputs, res.inputs);
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

/** Pulumi's marker for a secret value in state (sdk/go/common/resource/sig). */

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
