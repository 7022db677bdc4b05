export {
  AcronisClient,
  type AcronisClientOptions,
  type AcronisUser,
  type ApiClientInfo,
  type ClientStats,
  type SearchUser,
} from "./client";
export {
  AcronisApiError,
  type ErrorKind,
  isVersionMismatch,
  OutcomeUnknownError,
  VersionMismatchError,
} from "./errors";
export type { RetryPolicy } from "./retry";
export { validateBaseUrl } from "./url";
