/**
 * The API client: the Acronis Account Management API v2 as this provider uses it. Tokens
 * (token.ts), requests over undici (transport.ts, request-loop.ts), reads and writes
 * (client.ts, reads.ts, read-ahead.ts, batcher.ts), the retry and send-outcome decisions as
 * data (retry.ts, call-decision.ts, send-outcome.ts), one typed error carrying status, platform
 * code and message with credentials redacted (errors.ts), and zod schemas for every answer
 * (schemas.ts). Knows nothing of Pulumi or of the command line.
 *
 * May import: nothing else of the provider.
 */
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
