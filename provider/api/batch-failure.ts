import { AcronisApiError } from "./errors";

/**
 * What a failed batch read (`GET /users?uuids=`, after the client's retries) means for the reads
 * it carried. A pure decision on the error; reads.ts acts on it.
 *
 * - `read-each`: each id is read on its own (`GET /users/{id}`) and reports its own answer. A 4xx
 *   about the request's content (400, 403, 404, 422, ...) may be about one id of the hundred: an
 *   account the API client may not see answers 403 on its own read, one that is gone 404, and
 *   the others are read as usual.
 * - `fail-all`: every read of the batch fails with the batch's error. Reading up to 100 ids again
 *   one by one would only repeat the answer, and multiply the load that caused it:
 *   401 (the client's token is refused: a disabled API client answers 401 on every call),
 *   408 and 429 (the platform timed out or is throttling: 100 more requests make it worse),
 *   5xx, a network error, a timeout, a response that fails its schema.
 */
export type BatchFailure = "read-each" | "fail-all";

/** The 4xx statuses that say nothing about any one id: repeating them per id helps no read. */
const NOT_ABOUT_AN_ID: ReadonlySet<number> = new Set([401, 407, 408, 429]);

export function batchFailure(error: unknown): BatchFailure {
  if (!(error instanceof AcronisApiError) || error.kind !== "http") return "fail-all";
  const { status } = error;
  if (status === undefined || status < 400 || status >= 500) return "fail-all";
  return NOT_ABOUT_AN_ID.has(status) ? "fail-all" : "read-each";
}
