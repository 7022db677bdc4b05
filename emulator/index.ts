export type { UserPatch } from "./body-schemas";
export {
  type ConfirmResult,
  EmulatorControl,
  EmulatorControlError,
  type FaultListing,
  type OutboxMail,
  type UserJson,
} from "./control";
export {
  DATACENTERS,
  type DatacenterSeed,
  type DatacentersOptions,
  type RunningDatacenters,
  startDatacenters,
} from "./datacenters";
export {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_SPARE_CLIENT_ID,
  DEMO_SPARE_CLIENT_SECRET,
  defaultSeed,
  TENANTS,
  US5_CLIENT_ID,
  US5_CLIENT_SECRET,
  US5_TENANTS,
  US5_USERS,
  USERS,
  us5Seed,
} from "./demo-seeds";
export { ErrorCode, type PlatformErrorBody } from "./errors";
export {
  type FaultAction,
  type FaultRule,
  normalizePath,
  type RequestStatsSnapshot,
} from "./faults";
export {
  type GenerateSeedOptions,
  generatedUserId,
  generateSeed,
} from "./generated-seed";
export type { Arrival, HeldRequests, HoldRule } from "./hold-client";
export * from "./request-keys";
export {
  type BuiltAccount,
  createActivatedAccount,
  type NewAccount,
  SandboxAccountError,
} from "./sandbox-accounts";
export {
  loadSeedFile,
  type ParsedSeed,
  parseSeed,
  parseSeedYaml,
  type Seed,
  SeedError,
} from "./seed";
export { type EmulatorOptions, type RunningEmulator, startEmulator } from "./server";
export { PlatformState } from "./state";
export { DEFAULT_TOKEN_TTL_SECONDS } from "./tokens";
