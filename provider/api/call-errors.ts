import { readErrorBody, readTokenErrorBody, saysVersionMismatch } from "./error-body";
import {
  AcronisApiError,
  type AcronisApiErrorInit,
  OutcomeUnknownError,
  VersionMismatchError,
} from "./errors";
import { TransportError } from "./transport";

/**
 * The errors a call ends with, one function per failure call-decision.ts can name, plus the
 * answer that cannot be read. Only messages here: which error, and when, is decided elsewhere.
 */

/** Makes the error with every known secret (client secret, tokens seen) scrubbed from it. */
export type MakeError = (
  init: AcronisApiErrorInit,
  Ctor?: typeof AcronisApiError,
) => AcronisApiError;

/** The call an error is about. */
export interface FailedCall {
  method: string;
  /** Path relative to the base URL, without query. */
  path: string;
  /** Endpoint template for schema errors, e.g. "/users/{id}". */
  route: string;
}

/** No answer: a network error or a timeout, or a PUT whose outcome cannot be known. */
export function noAnswerError(
  make: MakeError,
  call: FailedCall,
  error: unknown,
  attempts: number,
  outcomeUnknown: boolean,
): AcronisApiError {
  const te = error instanceof TransportError ? error : undefined;
  const what = `${te?.timeout ? "timed out" : "network error"} (${te?.originalCode ?? (error instanceof Error ? error.message : "unknown")})`;
  const base = { method: call.method, path: call.path, cause: te?.cause ?? error };
  if (outcomeUnknown) {
    return make(
      {
        ...base,
        kind: "outcome-unknown",
        detail: `${what} after the request was sent; it may or may not have been applied, re-read the object`,
      },
      OutcomeUnknownError,
    );
  }
  const kind = te?.timeout ? "timeout" : "network";
  return make({ ...base, kind, detail: `${what} after ${attempts} attempt(s)` });
}

export function redirectError(make: MakeError, call: FailedCall, status: number): AcronisApiError {
  return make({
    method: call.method,
    path: call.path,
    kind: "redirect",
    status,
    detail: `unexpected redirect HTTP ${status}; redirects are not followed on authenticated calls, check the base URL (expected https://<datacenter>/api/2)`,
  });
}

/** The token endpoint refused the API client's credentials. */
export function credentialsRefusedError(
  make: MakeError,
  call: FailedCall,
  status: number,
  body: string,
  clientId: string,
): AcronisApiError {
  // A non-JSON error body still yields an auth error naming the status.
  const answer = readTokenErrorBody(body);
  const said = [answer?.tags, answer?.message, answer?.info].filter(Boolean).join(": ");
  const reason = said || "no error description";
  return make({
    method: call.method,
    path: call.path,
    kind: "auth",
    status,
    code: answer?.code,
    domain: answer?.domain,
    platformMessage: answer?.message,
    details: answer?.details,
    detail: `HTTP ${status}: could not obtain a token for API client ${clientId} (${reason}); check the client id and secret`,
  });
}

/** Any other status: the platform's code and message, and how many attempts were made. */
export function httpError(
  make: MakeError,
  call: FailedCall,
  status: number,
  body: string,
  attempts: number,
): AcronisApiError {
  // Proxies answer with HTML; the status alone is reported.
  const answer = readErrorBody(body);
  const tags = answer?.tags ?? "";
  const retried = attempts > 1 ? ` after ${attempts} attempts` : "";
  // details.info is where the platform says which field or rule failed (e.g. on a 400).
  const info = answer?.info !== undefined ? ` (${answer.info})` : "";
  const detail = `HTTP ${status}${tags ? ` (${tags})` : ""}${retried}: ${answer?.message ?? "no error message"}${info}`;
  return make(
    {
      method: call.method,
      path: call.path,
      kind: "http",
      status,
      code: answer?.code,
      domain: answer?.domain,
      platformMessage: answer?.message,
      details: answer?.details,
      detail,
    },
    saysVersionMismatch(status, answer) ? VersionMismatchError : AcronisApiError,
  );
}

/** A 2xx answer that is not what the endpoint's schema says (`why`: not JSON, or which field). */
export function schemaError(
  make: MakeError,
  call: FailedCall,
  status: number,
  why: string,
  cause?: unknown,
): AcronisApiError {
  return make({
    method: call.method,
    path: call.path,
    kind: "schema",
    status,
    detail: `${call.method} ${call.route}: ${why}`,
    cause,
  });
}
