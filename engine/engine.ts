import { randomUUID } from "node:crypto";
import { availableParallelism } from "node:os";
import type { HostStarter, Props, ProviderHost } from "./host";
import { unknownValue } from "./sdk";
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
  /** The URN the program's language host gave it (parent types included); else derived. */
  urn?: string;
  /** The URN of the explicit provider instance (a `pulumi:providers:*` goal) that manages it. */
  provider?: string;
  /** Top-level inputs the program marked secret: stored encrypted, never in plain text. */
  secretInputs?: string[];
}

/** Explicit provider instances are resources of this type prefix (sdk/go/common/resource/providers). */
const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

export function isProviderType(type: string): boolean {
  return type.startsWith(PROVIDER_TYPE_PREFIX);
}

export interface ResourceState {
  urn: string;
  name: string;
  type: string;
  id: string;
  inputs: Props;
  outputs: Props;
  provider?: string;
  secretInputs?: string[];
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

/** What a program run is told of the deployment it runs in. */
export interface DeploymentContext {
  /** `--dry-run`: a preview. */
  preview: boolean;
  /** `--parallel`: step workers. */
  parallel: number;
}

/**
 * A program: either the list of resources it declares (all registered at once, as a program
 * that awaits nothing does), or a function that registers them as a real program does (see
 * `languageHostProgram` in program.ts) and returns its stack outputs.
 */
export type Program =
  | readonly Goal[]
  | ((register: Register, deployment: DeploymentContext) => Promise<Props | undefined>);

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
   * Starts one provider process and sends it Configure: called once per provider per
   * deployment, as the engine loads plugins per deployment (pkg/engine/update.go), and once per
   * explicit provider instance, with that instance's inputs (pkg/host/host.go).
   */
  startHost: HostStarter;
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

  /** One provider process per provider: "" for the default one, else the instance's URN. */
  readonly hosts = new Map<string, Promise<ProviderHost>>();
  /** Explicit provider instances the program registered in this deployment: URN -> inputs. */
  private readonly instances = new Map<string, Props>();

  constructor(
    private readonly engine: Engine,
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
