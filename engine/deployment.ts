import type { CheckpointResource, MutationKind, SnapshotManager } from "./checkpoint";
import type { EngineOptions } from "./engine-options";
import { answer, Cancelled, checkCall, diffCall, isReplace } from "./generation-calls";
import type { ProviderHost } from "./host";
import {
  type Goal,
  isProviderType,
  type Op,
  type Props,
  type Registered,
  type ResourceState,
} from "./model";
import { type DiffOutcome, processIgnoreChanges } from "./options";
import { type DefaultProviderSource, ProviderProcesses } from "./providers";
import { StepScheduler } from "./scheduler";
import type { StackStore } from "./stack-store";
import { type StateProgram, stateProgramStep } from "./state-program";
import { deleteAll, deleteUndeclared, refreshAll } from "./state-steps";
import {
  createStep,
  importStep,
  ReplaceProtectedError,
  replaceStep,
  sameStep,
  updateStep,
} from "./steps";

/** One deployment of the local engine (engine.ts cites the Pulumi source for each rule). */

export type Mode = "preview" | "update";

/** One deployment: a provider process per provider, one step-generation loop, P workers. */
export class Deployment extends StepScheduler {
  /** The step-generation loop: registrations are handled one after another, in arrival order. */
  private loop: Promise<void> = Promise.resolve();
  readonly registered = new Set<string>();
  /** Its provider processes, one per provider. */
  readonly providers: ProviderProcesses;
  /** The state's writes, when the engine persists state (engine.ts sets it for updates). */
  checkpoint: SnapshotManager | undefined;
  /** `refresh --run-program` / `destroy --run-program`: registrations as state-program.ts. */
  stateProgram: StateProgram | undefined;

  constructor(
    readonly engine: StackStore,
    private readonly mode: Mode,
    options: EngineOptions,
    /** The default provider's config until the program registers it (providers.ts). */
    defaultSource: DefaultProviderSource = "state",
  ) {
    super(options, engine.defaultProviderUrn);
    this.providers = new ProviderProcesses(engine, options, mode === "update", defaultSource);
  }

  /** The process of a resource's provider, started (and configured) on first use. */
  host(provider: string | undefined): Promise<ProviderHost> {
    return this.providers.host(provider);
  }

  get apply(): boolean {
    return this.mode === "update";
  }

  /**
   * A create, update or delete as the snapshot manager sees it: the pending operation written
   * before `body` calls the provider, the result after, failed or not (snapshot.go `BeginMutation`,
   * `End`). A preview writes nothing.
   */
  async mutation<T>(
    kind: MutationKind,
    res: CheckpointResource,
    body: () => Promise<T>,
  ): Promise<T> {
    if (!this.apply || !this.checkpoint) return body();
    const step = await this.checkpoint.begin(kind, res);
    try {
      return await body();
    } finally {
      await step.end();
    }
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
    await this.drain();
  }

  /** Deletes of what the program no longer declares, and of replaced ones (rule 5). */
  deleteUndeclared(): Promise<void> {
    return deleteUndeclared(this);
  }

  /** Deletes of the given resources (`destroy`), protect and retainOnDelete honoured. */
  deleteAll(resources: readonly ResourceState[]): Promise<void> {
    return deleteAll(this, resources);
  }

  /** Every resource (`only`: those) refreshed; resolves with whether all steps succeeded. */
  refreshAll(only?: (res: ResourceState) => boolean): Promise<boolean> {
    return refreshAll(this, only);
  }

  /**
   * Check, Diff (with parallelDiff: on a worker, `diffOnWorker`), then hand the step to a worker.
   * Settles once the step is on a worker (or failed before); `finished` when it has finished.
   */
  private async generate(goal: Goal, urn: string): Promise<{ finished: Promise<Registered> }> {
    if (this.cancelled) throw new Cancelled();
    if (isProviderType(goal.type)) {
      const { id, op } = this.providers.registerInstance(goal, urn);
      this.record({ name: goal.name, urn, op, ok: true });
      return { finished: Promise.resolve({ id, outputs: goal.inputs }) };
    }
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
    if (goal.provider === undefined && !this.registered.has(this.engine.defaultProviderUrn)) {
      this.registered.add(this.engine.defaultProviderUrn);
      this.providers.registerDefault();
    }
    if (this.stateProgram) return stateProgramStep(this, this.stateProgram, goal, urn, old);
    // step_generator.go `continueStepsFromRefresh`: `isImport` when the goal names an id the
    // stored resource does not have.
    if (options.importId !== undefined && old?.id !== options.importId) {
      return this.generateImport(goal, urn, options.importId);
    }
    if (this.providers.unconfigurable(goal.provider)) {
      // An instance input not known until apply: no Configure, no call; the step is planned
      // as a possible change (pkg/resource/deploy/providers/registry.go, Diff "unavailable").
      if (!(await this.acquire())) throw new Cancelled();
      const outputs = goal.inputs;
      return {
        finished: this.onWorker(goal.name, urn, planned, async () => ({
          op: planned,
          outputs,
        })).then(() => ({ id: old?.id ?? "", outputs })),
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
      inputs = await checkCall(host, urn, old?.inputs ?? {}, news);
      if (old && !this.options.parallelDiff) {
        diffed = await diffCall(host, old, inputs, options);
        if (isReplace(diffed)) inputs = await this.checkReplacement(host, goal, urn, old);
      }
    } catch (error) {
      // A failed Check or Diff stops the deployment, --continue-on-error or not: it is an error
      // of step generation, not of a step (deployment_executor.go `handleSingleEvent` returns it).
      this.fail(goal.name, urn, planned, error);
      throw error;
    }
    if (old && !diffed) return this.diffOnWorker(goal, urn, host, old, inputs);
    return this.handOff(goal, urn, host, old, inputs, diffed);
  }

  /** The step, on a worker: create, or what the Diff decided. */
  private async handOff(
    goal: Goal,
    urn: string,
    host: ProviderHost,
    old: ResourceState | undefined,
    inputs: Props,
    diff: DiffOutcome | undefined,
  ): Promise<{ finished: Promise<Registered> }> {
    if (!(await this.acquire())) throw new Cancelled();
    const options = { ...goal.options, ...(goal.source ? { source: goal.source } : {}) };
    const finished = this.onWorker(goal.name, urn, old ? "update" : "create", async () => {
      if (!old || !diff) return createStep(this, host, goal, urn, inputs);
      if (isReplace(diff)) return replaceStep(this, host, goal, urn, old, inputs, diff);
      if (!diff.changes) return sameStep(this, old, inputs, options);
      return updateStep(this, host, urn, old, inputs, options);
    });
    return { finished: answer(finished, () => this.engine.find(urn)?.id ?? "") };
  }

  /**
   * PULUMI_PARALLEL_DIFF (step_generator.go `diff`: a promise and a `DiffStep`): the Diff runs
   * on a step worker, which it then frees (step.go `DiffStep.Apply`); its result goes back to the
   * step-generation loop as a `continueDiffResourceEvent`, handled there in turn
   * (deployment_executor.go `handleSingleEvent` -> step_generator.go `ContinueStepsFromDiff`).
   * So a failed Diff (a maxEmailChanges refusal among them) is an error of step generation that
   * stops the deployment, --continue-on-error or not, and a replacement's second Check runs in
   * the loop, before the step is handed to a worker.
   */
  private async diffOnWorker(
    goal: Goal,
    urn: string,
    host: ProviderHost,
    old: ResourceState,
    inputs: Props,
  ): Promise<{ finished: Promise<Registered> }> {
    if (!(await this.acquire())) throw new Cancelled();
    const options = goal.options ?? {};
    const diffed = this.background(
      diffCall(host, old, inputs, options).finally(() => this.workers.release()),
    );
    const continued = diffed.then(
      (diff) => this.inLoop(() => this.continueFromDiff(goal, urn, host, old, inputs, diff)),
      (error: unknown) =>
        this.inLoop(async () => {
          this.fail(goal.name, urn, "update", error);
          throw error;
        }),
    );
    this.background(continued);
    return { finished: continued.then((handed) => handed.finished) };
  }

  /** step_generator.go `continueStepsFromDiff`, in the loop: a replacement checks again first. */
  private async continueFromDiff(
    goal: Goal,
    urn: string,
    host: ProviderHost,
    old: ResourceState,
    inputs: Props,
    diff: DiffOutcome,
  ): Promise<{ finished: Promise<Registered> }> {
    if (this.cancelled) throw new Cancelled();
    let checked = inputs;
    try {
      if (isReplace(diff)) checked = await this.checkReplacement(host, goal, urn, old);
    } catch (error) {
      this.fail(goal.name, urn, "update", error);
      throw error;
    }
    return this.handOff(goal, urn, host, old, checked, diff);
  }

  /** Queues `body` on the step-generation loop, after what is queued already. */
  private inLoop<T>(body: () => Promise<T>): Promise<T> {
    const result = this.loop.then(body);
    this.loop = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
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
    return checkCall(host, urn, {}, goal.inputs);
  }

  /**
   * step.go `ImportStep.Apply`: a Read of the named id with no inputs and no state. The
   * dynamic-provider host finds no `__provider` in it and fails; that error is the step's.
   */
  private async generateImport(goal: Goal, urn: string, id: string) {
    const host = await this.host(goal.provider);
    if (!(await this.acquire())) throw new Cancelled();
    const finished = this.onWorker(goal.name, urn, "import", () =>
      importStep(this, host, goal, urn, id),
    );
    return { finished: answer(finished, () => id) };
  }
}
