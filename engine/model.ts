import { availableParallelism } from "node:os";

/**
 * The local engine's vocabulary, the one place each of its types is declared: what a program
 * registers (a goal) and gets back, what a stack stores, what a step and a run did, and the
 * lines and logs a process printed. It imports no other file of the engine, so every file can
 * use it (the engine's options, which name the provider host, are engine-options.ts).
 */

/** Resource properties as plain JS values (a Struct's `toJavaScript()`). */
export type Props = Record<string, unknown>;

/**
 * One resource the program registers (a RegisterResource of a custom resource), as the engine
 * schedules it: what the language host's monitor hands over (monitor-service.ts), what a list
 * program declares, what a deployment generates steps for.
 */
export interface Goal {
  name: string;
  /** e.g. "pulumi-nodejs:dynamic/acronis:UserEmail" */
  type: string;
  /**
   * Plain JS values, secrets unwrapped, `__provider` included. A value the program does not know
   * yet (preview) is the SDK's unknown sentinel, as the provider host expects it.
   */
  inputs: Props;
  /** The URN the program's language host gave it (parent types included); else derived. */
  urn?: string;
  /** The parent's URN, when the program gave one (the language host sets it). */
  parent?: string;
  /** The URN of the explicit provider instance (a `pulumi:providers:*` goal) that manages it. */
  provider?: string;
  /** Top-level inputs the program marked secret: stored encrypted, never in plain text. */
  secretInputs?: string[];
  /** The resource options the program set (monitor-service.ts reads them, options.ts names them). */
  options?: ResourceOptions;
  /** Where the program registered it (engine/source-position.ts), kept in its state. */
  source?: { position: string; stackTrace: string[] };
}

/** The resource options the local engine models (options.ts; anything else fails the run). */
export interface ResourceOptions {
  protect?: boolean;
  retainOnDelete?: boolean;
  ignoreChanges?: string[];
  replaceOnChanges?: string[];
  deleteBeforeReplace?: boolean;
  /** `import`: the id of an existing resource to adopt with an import step. */
  importId?: string;
  /** Not an option: the goal's `source`, handed to the steps that store the resource. */
  source?: Goal["source"];
  /** URNs of the resources this one depends on (dependsOn, and inputs from their outputs). */
  dependencies?: string[];
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
  /** Options Pulumi keeps in state: they act on later refreshes, deletes and replaces. */
  protect?: boolean;
  retainOnDelete?: boolean;
  ignoreChanges?: string[];
  /** A replaced resource waiting for the deletes at the end of the deployment (`delete: true`). */
  pendingDelete?: boolean;
  /** Where the program registered it (engine/source-position.ts); "" frames are empty ones. */
  sourcePosition?: string;
  stackTrace?: string[];
}

export interface StackState {
  resources: ResourceState[];
  /** Left by a killed CLI (engine/killed-cli.ts); the next `up` warns about them. */
  pendingOperations?: PendingOperation[];
}

/** One pending operation as the checkpoint holds it (apitype `OperationV2`). */
export interface PendingOperation {
  urn: string;
  type: string;
}

export type Op =
  | "create"
  | "update"
  | "replace"
  | "delete"
  | "same"
  | "refresh"
  | "gone"
  | "import"
  /** The old resource of a create-before-delete replacement, deleted after the program (OpDeleteReplaced). */
  | "delete-replaced";

export interface StepResult {
  name: string;
  urn: string;
  op: Op;
  ok: boolean;
  error?: string;
  outputs?: Props;
}

/** One console line of a process the engine started (the program, a provider host). */
export interface OutputLine {
  stream: "stdout" | "stderr";
  line: string;
}

export type LogSeverity = "info" | "warning" | "error";

/** One message the program sent to `Engine.Log`, as `pulumi up` shows it. */
export interface ProgramLog {
  severity: LogSeverity;
  message: string;
  urn?: string;
}

export type RunKind = "preview" | "up" | "refresh" | "destroy";

/** The stack's config as `pulumi config` holds it: namespaced keys, secrets in plain text here. */
export interface StackConfig {
  values: Record<string, string>;
  /** Keys of `values` that are secrets: stored encrypted in the default provider's state. */
  secretKeys: string[];
}

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
  /**
   * The state writes of its update deployment, when the engine persists state (checkpoint.ts),
   * and the history and backup copies made after it (checkpoint-copies.ts).
   */
  checkpoint?: CheckpointStats & { copies?: CheckpointCopies };
  /** Warnings the CLI prints (the pending operations a killed CLI left: killed-cli.ts). */
  warnings?: string[];
}

/** What one deployment wrote (checkpoint.ts `SnapshotManager`). */
export interface CheckpointStats {
  writes: number;
  /** Bytes of checkpoint JSON marshalled and written (the `.bak` copy not counted). */
  bytes: number;
  /** Time spent marshalling and writing, in ms (the steps wait for it). */
  ms: number;
}

/** The copies a self-managed backend makes after a command (checkpoint-copies.ts). */
export interface CheckpointCopies {
  /** Whole-checkpoint copies written (2, or 1 with backups disabled). */
  copies: number;
  /** Bytes of those copies, the history record not counted. */
  bytes: number;
}

/** What the program gets back from registering a resource: the step's id and outputs. */
export interface Registered {
  id: string;
  /** Output properties; the SDK's unknown sentinel for one not known in a preview. */
  outputs: Props;
  /**
   * The step failed but the run goes on (the engine's result reporting): the program sees the
   * resource's outputs as unknown and continues. To stop the program instead, reject.
   */
  failed?: boolean;
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
    import: 0,
    "delete-replaced": 0,
  };
  for (const step of result.steps) counts[step.op]++;
  return counts;
}

export function failures(result: RunResult): StepResult[] {
  return result.steps.filter((s) => !s.ok);
}

/** `--parallel`'s default: 4 x GOMAXPROCS (pkg/cmd/pulumi/operations/up.go). */
export const DEFAULT_PARALLEL = 4 * availableParallelism();

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

/** `pulumi refresh` / `pulumi destroy` flags. */
export interface StateCommandOptions extends SchedulingOptions {
  /** `--skip-preview`: the execution only, without the preview deployment before it. */
  skipPreview?: boolean;
  /**
   * `--run-program`: `program` runs; its registrations are refreshed (or kept, for destroy) with
   * their providers as it registers them (engine/state-program.ts).
   */
  runProgram?: boolean;
  /** The program `--run-program` runs; required with it. */
  program?: Program;
}
