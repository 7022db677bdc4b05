import { Deployment, type Mode } from "./deployment";
import type { Props } from "./host";
import {
  DEFAULT_PARALLEL,
  type EngineOptions,
  failures,
  type Goal,
  type PreviewOptions,
  type Program,
  type Register,
  type ResourceState,
  type RunKind,
  type RunResult,
  type SchedulingOptions,
  type StackState,
  type StepResult,
  type UpOptions,
} from "./model";
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
 * 9. Each explicit provider instance (a `pulumi:providers:*` resource) gets its own provider
 *    process (pkg/host/host.go), whose Configure carries the instance's own inputs, not the stack
 *    config (pkg/resource/deploy/providers/registry.go); while an instance input is unknown in a
 *    preview, no Configure is sent and its resources' steps are only planned.
 *
 * The rules of one deployment live in deployment.ts; this file runs the commands.
 */

export * from "./model";

/** Pulumi's marker for a secret value in state (sdk/go/common/resource/sig). */
const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

function withSecretsSealed(res: ResourceState): ResourceState {
  if (!res.secretInputs?.length) return res;
  const seal = (props: Props): Props => {
    const out = { ...props };
    for (const key of res.secretInputs ?? []) {
      // Encrypted by the stack's secrets provider in Pulumi; here only its absence matters.
      if (key in out) out[key] = { ...SECRET_SIG, ciphertext: "v1:(encrypted)" };
    }
    return out;
  };
  return { ...res, inputs: seal(res.inputs), outputs: seal(res.outputs) };
}

export class Engine {
  private byUrn = new Map<string, ResourceState>();

  constructor(readonly options: EngineOptions) {
    for (const res of options.state?.resources ?? []) this.byUrn.set(res.urn, res);
  }

  /**
   * The stack's state, as `pulumi stack export` would show it (JSON-serialisable): a secret
   * input is stored as Pulumi stores it, a secret envelope whose plaintext is not in the file.
   */
  get state(): StackState {
    return { resources: [...this.byUrn.values()].map(withSecretsSealed) };
  }

  urn(goal: Pick<Goal, "name" | "type" | "urn">): string {
    if (goal.urn) return goal.urn;
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
        await deployment.deleteAll(this.resources());
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
      await deployment.deleteUndeclared();
      return outputs ? { outputs } : {};
    });
  }

  private async withDeployment(
    mode: Mode,
    scheduling: SchedulingOptions,
    body: (deployment: Deployment) => Promise<{ outputs?: Props }>,
  ): Promise<{ steps: StepResult[]; hosts: number; outputs?: Props }> {
    const deployment = new Deployment(this, mode, {
      ...this.options,
      parallel: scheduling.parallel ?? this.options.parallel,
      parallelDiff: scheduling.parallelDiff ?? this.options.parallelDiff,
    });
    try {
      const extra = await body(deployment);
      return { steps: deployment.steps, hosts: deployment.hosts.size, ...extra };
    } finally {
      await deployment.stopHosts();
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
