import { randomUUID } from "node:crypto";
import { defaultProviderState } from "./default-provider";
import type { Props, ProviderHost } from "./host";
import {
  DEFAULT_PARALLEL,
  type EngineOptions,
  type Goal,
  isProviderType,
  type Op,
  type Registered,
  type ResourceOptions,
  type ResourceState,
  type StepResult,
} from "./model";
import {
  applyReplaceOnChanges,
  type DiffOutcome,
  diffOutcome,
  processIgnoreChanges,
} from "./options";
import { refreshResource } from "./refresh";
import { unknownValue } from "./sdk";
import { DeleteProtectedError, deleteResource, ReplaceProtectedError } from "./steps";
import { transcribe } from "./transcript";
import { Workers } from "./workers";

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
  remove(res: ResourceState): void;
  readonly defaultProviderUrn: string;
}

export type Mode = "preview" | "update";

/** A step's outcome before it is reported. */
interface Done {
  op: Op;
  outputs?: Props;
}

/** A registration whose step never started: the deployment stopped first. */
class Cancelled extends Error {
  constructor() {
    super("deployment cancelled by an earlier error");
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
  /** Resources whose step failed or was skipped: steps that depend on them are skipped. */
  private readonly failed = new Set<string>();

  /** One provider process per provider: "" for the default one, else the instance's URN. */
  readonly hosts = new Map<string, Promise<ProviderHost>>();
  /** Explicit provider instances the program registered in this deployment: URN -> inputs. */
  private readonly instances = new Map<string, Props>();

  constructor(
    private readonly engine: StackStore,
    private readonly mode: Mode,
    private readonly options: EngineOptions,
    /** Refresh and destroy: the default provider is configured from its state (default-provider.ts). */
    private readonly providersFromState = false,
  ) {
    this.workers = new Workers(options.parallel ?? DEFAULT_PARALLEL);
  }

  /** The process of a resource's provider, started (and configured) on first use. */
  host(provider: string | undefined): Promise<ProviderHost> {
    const key = provider ?? "";
    let host = this.hosts.get(key);
    if (!host) {
      const config =
        provider !== undefined
          ? this.instanceInputs(provider)
          : this.providersFromState
            ? this.engine.find(this.engine.defaultProviderUrn)?.inputs
            : undefined; // the current stack config
      host = this.options.startHost(config).then((started) => {
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
    if (this.cancelled) throw new Cancelled();
    if (isProviderType(goal.type))
      return { finished: Promise.resolve(this.registerInstance(goal, urn)) };
    const options = goal.options ?? {};
    const old = this.engine.find(urn);
    const planned: Op = old ? "update" : "create";
    // deployment_executor.go `handleSingleEvent` (`doesStepDependOn`): with --continue-on-error,
    // a step that depends on a failed (or skipped) resource is skipped.
    const failedDependency = [...(options.dependencies ?? []), goal.provider].find(
      (dep) => dep !== undefined && this.failed.has(dep),
    );
    if (failedDependency) {
      const error = `skipped: it depends on ${failedDependency}, which failed`;
      this.failed.add(urn);
      this.record({ name: goal.name, urn, op: planned, ok: false, error });
      throw new Error(error);
    }
    if (goal.provider === undefined) this.useDefaultProvider();
    // step_generator.go `continueStepsFromRefresh`: `isImport` when the goal names an id the
    // stored resource does not have.
    if (options.importId !== undefined && old?.id !== options.importId) {
      return this.importStep(goal, urn, options.importId);
    }
    if (this.unconfigurable(goal.provider)) {
      // An instance input not known until apply: no Configure, no call; the step is planned
      // as a possible change (pkg/resource/deploy/providers/registry.go, Diff "unavailable").
      if (!(await this.workers.acquire())) throw new Cancelled();
      const outputs = goal.inputs;
      return {
        finished: this.onWorker(goal.name, urn, planned, async () => ({
          op: planned,
          outputs,
        })).then(() => ({ urn, id: old?.id ?? "", outputs })),
      };
    }
    let host: ProviderHost;
    let inputs: Props;
    let diffed: DiffOutcome | undefined;
    try {
      host = await this.host(goal.provider);
      // step_generator.go `continueStepsFromImport`: ignored paths reset to the old values
      // (`processIgnoreChanges`), then Check with the old inputs.
      const news = old
        ? processIgnoreChanges(goal.inputs, old.inputs, options.ignoreChanges)
        : goal.inputs;
      inputs = await this.check(host, urn, old?.inputs ?? {}, news);
      if (old && !this.options.parallelDiff) {
        diffed = await this.diff(host, old, inputs, options);
        if (isReplace(diffed)) inputs = await this.checkReplacement(host, goal, urn, old);
      }
    } catch (error) {
      // A failed Check or Diff stops the deployment, --continue-on-error or not: it is an error
      // of step generation, not of a step (deployment_executor.go `handleSingleEvent` returns it).
      this.fail(goal.name, urn, planned, error);
      throw error;
    }
    if (!(await this.workers.acquire())) throw new Cancelled();
    const finished = this.onWorker(goal.name, urn, planned, async () => {
      if (!old) return this.create(host, goal, urn, inputs);
      let diff = diffed;
      if (!diff) {
        diff = await this.diff(host, old, inputs, options);
        if (isReplace(diff)) inputs = await this.checkReplacement(host, goal, urn, old);
      }
      if (isReplace(diff)) return this.replace(host, goal, urn, old, inputs, diff);
      if (!diff.changes) {
        if (this.apply) this.engine.put(withOptions({ ...old, inputs }, options));
        return { op: "same", outputs: old.outputs };
      }
      // provider_plugin.go `Update`: in a preview the provider (supportsPreview=false) is not
      // called and the outputs are the new inputs only (rule 7).
      if (!this.apply) return { op: "update", outputs: inputs };
      const updated = await host.update(urn, old.id, old.outputs, inputs);
      this.engine.put(withOptions({ ...old, inputs, outputs: updated.properties }, options));
      return { op: "update", outputs: updated.properties };
    });
    return {
      finished: finished.then((step) => {
        if (!step.ok) throw new Error(step.error);
        return { urn, id: this.engine.find(urn)?.id ?? "", outputs: step.outputs ?? {} };
      }),
    };
  }

  private async check(host: ProviderHost, urn: string, olds: Props, news: Props): Promise<Props> {
    const checked = await host.check(urn, olds, news);
    if (checked.failures.length > 0) {
      throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
    }
    return checked.inputs;
  }

  /** step_generator.go `diffResource`, then `applyReplaceOnChanges`. */
  private async diff(
    host: ProviderHost,
    old: ResourceState,
    inputs: Props,
    options: ResourceOptions,
  ): Promise<DiffOutcome> {
    const resp = await host.diff(
      old.urn,
      old.id,
      old.outputs,
      inputs,
      options.ignoreChanges,
      old.inputs,
    );
    const outcome = diffOutcome(
      resp,
      old.inputs,
      inputs,
      options.ignoreChanges,
      resp.deleteBeforeReplace,
    );
    return applyReplaceOnChanges(outcome, options.replaceOnChanges);
  }

  /**
   * step_generator.go `continueStepsFromDiff`, a replacement: refused when the resource is and
   * stays protected; then a second Check, without olds, whose inputs the new resource gets.
   */
  private checkReplacement(
    host: ProviderHost,
    goal: Goal,
    urn: string,
    old: ResourceState,
  ): Promise<Props> {
    if (goal.options?.protect && old.protect) throw new ReplaceProtectedError(urn);
    return this.check(host, urn, {}, goal.inputs);
  }

  /**
   * Create-before-delete: the new resource now, the old one kept in state marked for deletion
   * and deleted with the other deletes once the program has finished ("note that the delete
   * step is generated later on"). With deleteBeforeReplace (the option, else the provider's
   * answer) the old one is deleted first, in the same chain.
   */
  private async replace(
    host: ProviderHost,
    goal: Goal,
    urn: string,
    old: ResourceState,
    inputs: Props,
    diff: DiffOutcome,
  ): Promise<Done> {
    if (!this.apply) return { op: "replace", outputs: inputs };
    if (goal.options?.deleteBeforeReplace ?? diff.deleteBeforeReplace) {
      await deleteResource(await this.host(old.provider), old);
      this.engine.remove(old);
    } else {
      this.engine.put({ ...old, pendingDelete: true });
    }
    return { ...(await this.create(host, goal, urn, inputs)), op: "replace" };
  }

  private async create(host: ProviderHost, goal: Goal, urn: string, inputs: Props): Promise<Done> {
    if (!this.apply) return { op: "create", outputs: inputs };
    const created = await host.create(urn, inputs);
    const { name, type, provider } = goal;
    const state = { urn, name, type, id: created.id, inputs, outputs: created.properties };
    this.engine.put(withOptions({ ...state, ...(provider ? { provider } : {}) }, goal.options));
    return { op: "create", outputs: created.properties };
  }

  /**
   * step.go `ImportStep.Apply`: a Read of the named id with no inputs and no state. The
   * dynamic-provider host finds no `__provider` in it and fails; that error is the step's.
   */
  private async importStep(goal: Goal, urn: string, id: string) {
    const host = await this.host(goal.provider);
    if (!(await this.workers.acquire())) throw new Cancelled();
    const finished = this.onWorker(goal.name, urn, "import", async () => {
      const read = await host.read(urn, id, {}, {});
      if (read.id === "") throw new Error(`resource '${id}' does not exist`);
      const { name, type, provider } = goal;
      const state = { urn, name, type, id, inputs: goal.inputs, outputs: read.properties };
      if (this.apply) this.engine.put({ ...state, ...(provider ? { provider } : {}) });
      return { op: "import" as const, outputs: read.properties };
    });
    return {
      finished: finished.then((step) => {
        if (!step.ok) throw new Error(step.error);
        return { urn, id, outputs: step.outputs ?? {} };
      }),
    };
  }

  /**
   * The stack's default provider, registered with the first resource that uses it; in an update
   * its state records the stack config it was configured with (default-provider.ts).
   */
  private useDefaultProvider(): void {
    const urn = this.engine.defaultProviderUrn;
    if (this.registered.has(urn)) return;
    this.registered.add(urn);
    const config = this.options.stackConfig?.();
    if (!config || !this.apply) return;
    const id = this.engine.find(urn)?.id ?? randomUUID();
    this.engine.put(defaultProviderState(urn, id, config));
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

  /** Deletes of what the program no longer declares, and of replaced resources (rule 5). */
  async deleteUndeclared(): Promise<void> {
    await this.deleteAll(
      this.engine.resources().filter((res) => res.pendingDelete || !this.registered.has(res.urn)),
    );
  }

  /**
   * Deletes on the workers (step.go `DeleteStep.Apply`: protect refuses, retainOnDelete skips
   * the provider call); provider instances last, once nothing they manage is left.
   */
  async deleteAll(resources: readonly ResourceState[]): Promise<void> {
    for (const res of resources.filter((r) => !isProviderType(r.type))) {
      if (!(await this.workers.acquire())) return;
      const op = res.pendingDelete ? "delete-replaced" : "delete";
      void this.onWorker(
        res.name,
        res.urn,
        op,
        async () => {
          if (res.protect && !res.pendingDelete) throw new DeleteProtectedError(res.urn);
          if (this.apply) {
            await deleteResource(await this.host(res.provider), res);
            this.engine.remove(res);
          }
          return { op };
        },
        // step_executor.go `cancelDueToError`: a protect refusal never stops the others.
        { continueOn: (error) => error instanceof DeleteProtectedError },
      );
    }
    await this.settle();
    if (this.cancelled || this.failed.size > 0) return;
    for (const res of resources.filter((r) => isProviderType(r.type))) {
      if (this.apply) this.engine.remove(res);
      this.record({ name: res.name, urn: res.urn, op: "delete", ok: true });
    }
  }

  /**
   * Refresh steps on the workers (refresh.ts). A failed one does not stop the others
   * (step_executor.go `ignoreErrors`), but fails the refresh: deployment_executor.go `Execute`
   * returns the error of `refresh` before the program runs. Resolves with whether all succeeded.
   */
  async refreshAll(): Promise<boolean> {
    const refreshable = this.engine
      .resources()
      .filter((r) => !isProviderType(r.type) && !r.pendingDelete);
    for (const res of refreshable) {
      if (!(await this.workers.acquire())) break;
      void this.onWorker(
        res.name,
        res.urn,
        "refresh",
        async () => {
          const refreshed = await refreshResource(await this.host(res.provider), res, this.options);
          // A preview restores the state afterwards; its diffs still see what was read.
          if (refreshed.state === null) this.engine.remove(res);
          else this.engine.put(refreshed.state);
          return { op: refreshed.op, outputs: refreshed.state?.outputs ?? {} };
        },
        { ignoreErrors: true },
      );
    }
    await this.settle();
    return this.steps.every((step) => step.ok);
  }

  /** Runs `body` on the worker already acquired, records the step, frees the worker. */
  private onWorker(
    name: string,
    urn: string,
    planned: Op,
    body: () => Promise<Done>,
    options: { ignoreErrors?: boolean; continueOn?: (error: unknown) => boolean } = {},
  ): Promise<StepResult> {
    const run = (async () => {
      try {
        return this.record({ name, urn, ok: true, ...(await body()) });
      } catch (error) {
        this.failed.add(urn);
        // step_executor.go `cancelDueToError`: a failed step cancels the deployment unless
        // --continue-on-error (or the refresh's ignoreErrors).
        const goOn = options.ignoreErrors || options.continueOn?.(error);
        if (!goOn && !this.options.continueOnError) this.cancel();
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
    this.failed.add(urn);
    this.cancel();
    this.record({ name, urn, op, ok: false, error: messageOf(error) });
  }

  private cancel(): void {
    this.cancelled = true;
    this.workers.cancel();
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
    // The default provider's own steps are not reported: the result lists the program's resources.
    if (step.urn === this.engine.defaultProviderUrn) return result;
    this.steps.push(result);
    transcribe("step", () => JSON.stringify(result));
    this.options.onStep?.(result);
    return result;
  }
}

function isReplace(diff: DiffOutcome): boolean {
  return diff.changes && diff.replaces.length > 0;
}

/**
 * The state with the options Pulumi keeps in it, as the program set them this time
 * (step_generator.go `generateResourceSteps`: protect and retainOnDelete default to false).
 */
function withOptions(res: ResourceState, options: ResourceOptions = {}): ResourceState {
  const { protect: _p, retainOnDelete: _r, ignoreChanges: _i, ...rest } = res;
  return {
    ...rest,
    ...(options.protect ? { protect: true } : {}),
    ...(options.retainOnDelete ? { retainOnDelete: true } : {}),
    ...(options.ignoreChanges ? { ignoreChanges: options.ignoreChanges } : {}),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
