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
  redact,
  VersionMismatchError,
} from "./errors";
export { DEFAULT_RETRY_POLICY, nextDelay, parseRetryAfter, type RetryPolicy } from "./retry";
export { validateBaseUrl } from "./url";
