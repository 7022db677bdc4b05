import type { HostStarter, ProviderHost } from "./host";
import type { StackConfig, StackState, StepResult } from "./model";

/**
 * How an Engine is made: the stack, how it starts provider processes, and the CLI's flags and
 * environment variables it models. Above model.ts and host.ts (it names the host), so that
 * neither of those needs the other.
 */

export interface EngineOptions {
  project: string;
  stack: string;
  state?: StackState;
  /**
   * Persist the state as a self-managed backend does (checkpoint.ts): the whole checkpoint
   * rewritten around every step, to `file` (absent: counted only). `skipCheckpoints` is
   * PULUMI_SKIP_CHECKPOINTS=true. Previews write nothing. `killAfterBegin`: the CLI killed once
   * the first write of the update's Nth create/update/delete is on disk (killed-cli.ts).
   */
  checkpoint?: {
    file?: string;
    skipCheckpoints?: boolean;
    disableBackups?: boolean;
    killAfterBegin?: number;
  };
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
  /**
   * The current stack config. The default provider's state records it, and refresh and destroy
   * configure from that record (deployment.go `EnsureProvider`) unless `runProgram`.
   */
  stackConfig?: () => StackConfig;
  /** PULUMI_ENABLE_LEGACY_REFRESH_DIFF=true: no Diff after a refresh Read (env.go). */
  legacyRefreshDiff?: boolean;
  /** `--continue-on-error`: a failed step does not stop the others. */
  continueOnError?: boolean;
  /** Called as each step finishes (progress output). */
  onStep?: (step: StepResult) => void;
  /** Called with every provider process the engine starts (tests kill one; the bench samples RSS). */
  onHost?: (host: ProviderHost) => void;
}
