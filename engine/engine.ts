import { SnapshotManager } from "./checkpoint";
import { historyAndBackup } from "./checkpoint-copies";
import { Deployment, type Mode } from "./deployment";
import type { EngineOptions } from "./engine-options";
import { CliKilled, pendingOperationsWarning } from "./killed-cli";
import {
  DEFAULT_PARALLEL,
  failures,
  type PreviewOptions,
  type Program,
  type Props,
  type Register,
  type RunKind,
  type RunResult,
  type SchedulingOptions,
  type StateCommandOptions,
  type StepResult,
  type UpOptions,
} from "./model";
import { StoredStack } from "./stack-store";
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
 *    pulumi/pulumi#18872) the Diff runs on a step worker instead (step.go `DiffStep`); Check
 *    stays in the loop, and so does what follows the Diff: its result comes back to the loop
 *    (step_generator.go `ContinueStepsFromDiff`), so a failed Diff stops the deployment even
 *    with --continue-on-error, and a replacement's second Check runs in the loop.
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
 *    preview or up reads in the same deployment, before the program runs, each provider loaded
 *    and configured from its STORED inputs (`refresh` -> deployment.go `EnsureProvider` ->
 *    providers/registry.go `Same(fromCheck=false)`). When the program then registers a provider
 *    whose inputs differ from the stored ones (the default provider with the current stack
 *    config, an instance with its arguments), a new process configured with the new inputs
 *    replaces that one for every later step (registry.go `Diff`, `Update`,
 *    `setProviderAndCloseOld`); unchanged, the refresh's process is kept (providers.ts).
 * 7. `pulumi up` is two deployments unless `--skip-preview`: a preview, then the update, each
 *    starting its own provider processes (pkg/backend/apply.go `PreviewThenPromptThenExecute`,
 *    pkg/engine/update.go); `--yes` only skips the prompt. A failed preview ends the command
 *    before anything is applied. Nothing in a provider's memory survives from one to the other.
 * 8. Replacements (step_generator.go `continueStepsFromDiff`): a second Check without olds, the
 *    new resource created, the old one kept in state marked for deletion and deleted with the
 *    other deletes after the program (create-before-delete); with `deleteBeforeReplace` (the
 *    option, else the provider's answer) the old one is deleted first, in the same chain.
 * 9. Each explicit provider instance (a `pulumi:providers:*` resource) gets its own provider
 *    process (pkg/host/host.go), whose Configure carries the instance's own inputs, not the stack
 *    config (pkg/resource/deploy/providers/registry.go); while an instance input is unknown in a
 *    preview, no Configure is sent and its resources' steps are only planned.
 *
 * 10. Every refresh Read is followed by a Diff, whose inverted result decides whether the step
 *     shows `same` or `update`; a Diff error fails the step (step.go `RefreshStep.Apply`,
 *     `RefreshStep.ResultOp`; refresh.ts). Not with PULUMI_ENABLE_LEGACY_REFRESH_DIFF
 *     (`legacyRefreshDiff`; sdk/go/common/env/env.go `EnableLegacyRefreshDiff`).
 * 11. `pulumi refresh` and `pulumi destroy` are a preview, then the execution, each with its own
 *     provider processes, unless `--skip-preview` (pkg/backend/diy/backend.go `Refresh`,
 *     `Destroy`; pkg/backend/apply.go `PreviewThenPromptThenExecute`). Refresh Reads (and
 *     Diffs) run in the preview too; a destroy preview calls no provider.
 * 12. Refresh and destroy configure the default provider from its state, the stack config
 *     recorded with it at the last update (default-provider.ts; deployment.go `EnsureProvider`),
 *     unless `--run-program`: then the program runs and registers it (rule 17).
 * 13. A failed refresh Read (or Diff) fails the refresh, and `up --refresh` / `preview --refresh`
 *     stop before the program runs (deployment_executor.go `Execute`: `ex.refresh` returns the
 *     step executor's error; the refresh's own steps ignore errors and all run).
 * 14. `--continue-on-error` covers failed steps only (step_executor.go `cancelDueToError`): a
 *     failed Check or Diff still stops the deployment (deployment_executor.go
 *     `handleSingleEvent` returns the step generator's error), and steps that depend on a failed
 *     or skipped resource are skipped (`doesStepDependOn`). After a failure, a step waiting to
 *     be handed to a worker is dropped, never started (step_executor.go `ExecuteSerial`;
 *     workers.ts).
 * 15. In a preview, an update's or replacement's outputs are its new inputs only
 *     (sdk/go/common/resource/plugin/provider_plugin.go `Create`/`Update` with `Preview` and no
 *     provider preview support): what the provider would add is unknown to the program.
 * 16. Resource options from RegisterResourceRequest (options.ts): `ignoreChanges` (paths reset
 *     to the old inputs before Check, `processIgnoreChanges`, and passed to Diff),
 *     `replaceOnChanges` (`applyReplaceOnChanges`, on the keys the provider reports changed),
 *     `deleteBeforeReplace`, `protect` (delete and replace refused; step.go `DeleteStep.Apply`),
 *     `retainOnDelete` (no provider Delete), `import` (step.go `ImportStep.Apply`: a Read with
 *     no inputs and no state, which the dynamic-provider host fails for want of `__provider`),
 *     `dependsOn`. Any other option the SDK sends fails the registration, naming it.
 * 17. `refresh --run-program` / `destroy --run-program` run the program; each registration's
 *     refresh step is its own checkpoint write (state-program.ts cites the source).
 * 18. A CLI killed between a step's two writes leaves a pending operation in the checkpoint;
 *     the next `up` without --refresh warns about it (killed-cli.ts cites the source).
 *
 * The rules of one deployment live in deployment.ts (with workers.ts, refresh.ts, steps.ts,
 * options.ts and default-provider.ts); this file runs the commands.
 */

export type { EngineOptions } from "./engine-options";
export * from "./model";

/** The commands, on the stack's resources (stack-store.ts). */
export class Engine extends StoredStack {
  constructor(readonly options: EngineOptions) {
    super(options.project, options.stack, options.state);
  }

  /** `pulumi preview [--refresh]`: nothing is applied and the stack's state is unchanged. */
  preview(program: Program, options: PreviewOptions = {}): Promise<RunResult> {
    return this.timed("preview", async () => {
      const saved = options.refresh ? this.snapshot() : undefined;
      try {
        return await this.deploy("preview", program, options);
      } finally {
        if (saved) this.restore(saved);
      }
    });
  }

  /** `pulumi up [--skip-preview] [--refresh]`: a preview deployment, then the update (rule 7). */
  up(program: Program, options: UpOptions = {}): Promise<RunResult> {
    return this.timed("up", async () => {
      // Rule 18: a killed CLI's pending operations, warned about unless --refresh.
      const pending = options.refresh ? [] : (this.options.state?.pendingOperations ?? []);
      const warnings = pending.length > 0 ? { warnings: [pendingOperationsWarning(pending)] } : {};
      if (options.skipPreview)
        return { ...(await this.deploy("update", program, options)), ...warnings };
      const preview = await this.preview(program, options);
      if (failures(preview).length > 0) return { ...preview, preview };
      const update = await this.deploy("update", program, options);
      return { ...update, hosts: preview.hosts + update.hosts, preview, ...warnings };
    });
  }

  /**
   * `pulumi refresh [--skip-preview] [--run-program]`: every resource read, then diffed, on the
   * step workers (rules 10-13); gone ones leave the state. `--run-program`: rule 17.
   */
  refresh(options: StateCommandOptions = {}): Promise<RunResult> {
    return this.previewThenExecute("refresh", options, async (deployment, mode) => {
      const program = this.stateProgram("refresh", options);
      if (program) {
        deployment.stateProgram = "refresh";
        await this.runProgram(deployment, program, mode, options);
      }
      await deployment.refreshAll((res) => !deployment.registered.has(res.urn));
    });
  }

  /** `pulumi destroy [--skip-preview] [--run-program]`: every resource deleted (rules 11, 12, 17). */
  destroy(options: StateCommandOptions = {}): Promise<RunResult> {
    return this.previewThenExecute("destroy", options, async (deployment, mode) => {
      const program = this.stateProgram("destroy", options);
      if (program) {
        deployment.stateProgram = "destroy";
        await this.runProgram(deployment, program, mode, options);
      }
      await deployment.deleteAll(this.resources());
    });
  }

  /** Rule 17: `--run-program` needs the program. */
  private stateProgram(kind: RunKind, options: StateCommandOptions): Program | undefined {
    if (!options.runProgram) return undefined;
    if (!options.program) throw new Error(`${kind} --run-program: pass the program to run`);
    return options.program;
  }

  /** Rule 11: a preview deployment (state restored after it), then the execution. */
  private previewThenExecute(
    kind: RunKind,
    options: StateCommandOptions,
    body: (deployment: Deployment, mode: Mode) => Promise<void>,
  ): Promise<RunResult> {
    const run = (mode: Mode) =>
      this.withDeployment(mode, options, async (deployment) => {
        await body(deployment, mode);
        return {};
      });
    return this.timed(kind, async () => {
      if (options.skipPreview) return run("update");
      const started = performance.now();
      const saved = this.snapshot();
      let previewed: Awaited<ReturnType<typeof run>>;
      try {
        previewed = await run("preview");
      } finally {
        this.restore(saved);
      }
      const preview: RunResult = { ...previewed, kind, ms: performance.now() - started };
      if (failures(preview).length > 0) return { ...previewed, preview };
      const executed = await run("update");
      return { ...executed, hosts: preview.hosts + executed.hosts, preview };
    });
  }

  private deploy(mode: Mode, program: Program, options: PreviewOptions) {
    return this.withDeployment(mode, options, async (deployment) => {
      // Rule 13: a failed refresh step stops the deployment before the program runs.
      if (options.refresh && !(await deployment.refreshAll())) return {};
      const outputs = await this.runProgram(deployment, program, mode, options);
      await deployment.deleteUndeclared();
      return outputs ? { outputs } : {};
    });
  }

  /** Runs the program against the deployment; its error once every step has settled. */
  private async runProgram(
    deployment: Deployment,
    program: Program,
    mode: Mode,
    options: SchedulingOptions,
  ): Promise<Props | undefined> {
    const register: Register = (goal) => deployment.register(goal);
    let outputs: Props | undefined;
    let programError: unknown;
    try {
      if (typeof program === "function") {
        const parallel = options.parallel ?? this.options.parallel ?? DEFAULT_PARALLEL;
        outputs = await program(register, { preview: mode === "preview", parallel });
      } else {
        // A program that declares everything without awaiting anything.
        await Promise.allSettled(program.map((goal) => register(goal)));
      }
    } catch (error) {
      programError = error;
    }
    await deployment.settle();
    if (programError !== undefined) throw programError;
    return outputs;
  }

  private async withDeployment(
    mode: Mode,
    scheduling: SchedulingOptions,
    body: (deployment: Deployment) => Promise<{ outputs?: Props }>,
  ): Promise<{
    steps: StepResult[];
    hosts: number;
    outputs?: Props;
    checkpoint?: RunResult["checkpoint"];
  }> {
    const deployment = new Deployment(this, mode, {
      ...this.options,
      parallel: scheduling.parallel ?? this.options.parallel,
      parallelDiff: scheduling.parallelDiff ?? this.options.parallelDiff,
    });
    const persist = this.options.checkpoint;
    if (persist && mode === "update") {
      deployment.checkpoint = new SnapshotManager({
        stack: this.options.stack,
        project: this.options.project,
        ...persist,
        // The checkpoint holds secrets encrypted, the default provider's stack config among them
        // (pkg/resource/stack/deployment.go `SerializeResource` -> `SerializePropertyValue`
        // with the stack's encrypter): written as the state is exported, sealed.
        resources: () => this.state.resources,
      });
    }
    try {
      const extra = await body(deployment);
      const written = await deployment.checkpoint?.close();
      if (deployment.checkpoint?.killed) throw new CliKilled(this.options.stack);
      // diy/backend.go `apply`: after a command that is not a preview, the history and backup.
      const checkpoint = written && {
        ...written,
        copies: historyAndBackup({ ...this.options, ...persist }, this.state.resources, "update"),
      };
      return {
        steps: deployment.steps,
        hosts: deployment.providers.started,
        ...extra,
        ...(checkpoint ? { checkpoint } : {}),
      };
    } finally {
      await deployment.providers.stopHosts();
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
