import type { FaultEngine, RequestStats } from "./faults";
import type { RequestHolds } from "./hold";
import type { PlatformState } from "./state";

/** The live parts of one running emulator that its API and control handlers share. */
export interface EmulatorRuntime {
  readonly state: PlatformState;
  readonly faults: FaultEngine;
  readonly stats: RequestStats;
  readonly holds: RequestHolds;
  /** Added before every API answer; the control surface changes it, a reset restores it. */
  latencyMs: number;
  readonly initialLatencyMs: number;
  /** http://HOST:PORT, set once the server listens. */
  url: string;
  /** One line per API request, and errors. */
  readonly log?: ((line: string) => void) | undefined;
}
