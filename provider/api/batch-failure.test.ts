import { describe, expect, it } from "vitest";
import { type BatchFailure, batchFailure } from "./batch-failure";
import { AcronisApiError, type ErrorKind } from "./errors";

/** What each failure of a batch read (after the client's retries) does to the reads it carried. */

function failure(kind: ErrorKind, status?: number): AcronisApiError {
  return new AcronisApiError({
    kind,
    method: "GET",
    path: "/users",
    status,
    detail: status === undefined ? kind : `HTTP ${status}`,
  });
}

describe("batchFailure", () => {
  it.each<[string, unknown, BatchFailure]>([
    ["400 bad request: maybe one id", failure("http", 400), "read-each"],
    ["403 an account the client may not see", failure("http", 403), "read-each"],
    ["404 an account that is gone", failure("http", 404), "read-each"],
    ["422 one id the platform refuses", failure("http", 422), "read-each"],
    ["401 the token refused: every read would be", failure("http", 401), "fail-all"],
    ["407 proxy authentication", failure("http", 407), "fail-all"],
    ["408 the platform timed out", failure("http", 408), "fail-all"],
    ["429 throttling: 100 more requests would add to it", failure("http", 429), "fail-all"],
    ["500", failure("http", 500), "fail-all"],
    ["502", failure("http", 502), "fail-all"],
    ["503", failure("http", 503), "fail-all"],
    ["504", failure("http", 504), "fail-all"],
    ["an http error without a status", failure("http"), "fail-all"],
    ["a network error", failure("network"), "fail-all"],
    ["a timeout", failure("timeout"), "fail-all"],
    ["a token request refused", failure("auth", 401), "fail-all"],
    ["a response that fails its schema", failure("schema", 200), "fail-all"],
    ["not an API error", new Error("bug"), "fail-all"],
  ])("%s: %s", (_what, error, expected) => {
    expect(batchFailure(error)).toBe(expected);
  });
});
