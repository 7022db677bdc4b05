import { nextDelay, planRetry, type RetryPolicy } from "./retry";

/**
 * What the client does after one attempt of a call, as data: a pure function of what came back
 * and where the call stands. No I/O, no clock, no state: request-loop.ts reads the clock, waits,
 * pauses the limiter, renews the token and re-sends; this file only says which of those to do.
 */

/** What one attempt ended with, as far as the decision needs to know. */
export type AttemptOutcome =
  | { kind: "answer"; status: number; retryAfter: string | undefined }
  | {
      kind: "no-answer";
      /** The request provably never left (transport.ts "before-send"): even a PUT is safe to repeat. */
      neverSent: boolean;
      /** Retrying cannot succeed (the client is closed, the request is malformed). */
      fatal: boolean;
    };

/** Where the call stands when the attempt ended. */
export interface CallState {
  method: "GET" | "PUT" | "POST";
  /** The call carries a bearer token: false only for the token request itself. */
  auth: boolean;
  /** The bearer token was already renewed once in this call. */
  renewed: boolean;
  /** Attempts made so far, this one included; a renewal's re-send is not counted. */
  attempt: number;
  /** When the first attempt began, and now (ms). */
  startedAt: number;
  now: number;
  policy: RetryPolicy;
  /** The jitter source (called only when a delay is computed, in the same order as before). */
  random: () => number;
}

/** Which error a failed call ends with; call-errors.ts writes its message. */
export type Failure =
  /** A PUT that may have reached the platform: never repeated blindly, the caller re-reads. */
  | "outcome-unknown"
  /** No answer (network error or timeout) and no retry left or possible. */
  | "no-answer"
  /** A 3xx: redirects are not followed, the base URL is wrong. */
  | "redirect"
  /** The token endpoint refused our credentials (400, 401 or 403). */
  | "credentials-refused"
  /** Any other status, after the retries the policy allows. */
  | "http";

export type CallDecision =
  /** 2xx: parse the body. */
  | { action: "accept" }
  /** Send again after `delayMs`. */
  | { action: "retry"; delayMs: number }
  /** 401 on an authenticated call: drop the token, get a new one, send again at once (once). */
  | { action: "renew-token" }
  /** 429 with a retry left: the whole client holds back `pauseMs`, then this call is sent again. */
  | { action: "pause"; pauseMs: number }
  /** End the call with this failure; after a 429, hold the whole client back `pauseMs` first. */
  | { action: "fail"; failure: Failure; pauseMs?: number };

/** The delay of another attempt, or undefined when the policy allows none. */
function retryDelay(state: CallState, retryAfter: string | undefined): number | undefined {
  const { attempt, startedAt, now, policy, random } = state;
  return planRetry(attempt, startedAt, now, policy, retryAfter, random);
}

function afterNoAnswer(
  outcome: Extract<AttemptOutcome, { kind: "no-answer" }>,
  state: CallState,
): CallDecision {
  // A PUT that may have reached the server must not be repeated blindly.
  if (state.method === "PUT" && !outcome.neverSent) {
    return { action: "fail", failure: "outcome-unknown" };
  }
  const delay = outcome.fatal ? undefined : retryDelay(state, undefined);
  return delay === undefined
    ? { action: "fail", failure: "no-answer" }
    : { action: "retry", delayMs: delay };
}

function afterAnswer(
  outcome: Extract<AttemptOutcome, { kind: "answer" }>,
  state: CallState,
): CallDecision {
  const { status, retryAfter } = outcome;
  if (status >= 200 && status < 300) return { action: "accept" };
  if (status >= 300 && status < 400) return { action: "fail", failure: "redirect" };
  // Tokens can be revoked or expire early: renew once, then retry once.
  if (status === 401 && state.auth && !state.renewed) return { action: "renew-token" };
  if (!state.auth && (status === 400 || status === 401 || status === 403)) {
    return { action: "fail", failure: "credentials-refused" };
  }
  if (!state.policy.retryStatuses.includes(status)) return { action: "fail", failure: "http" };
  const delay = retryDelay(state, retryAfter);
  if (status === 429) {
    // The whole client backs off, not only this call; a call out of retries still pauses the rest.
    if (delay !== undefined) return { action: "pause", pauseMs: delay };
    const pauseMs = nextDelay(1, state.policy, retryAfter, state.random, state.now);
    return { action: "fail", failure: "http", pauseMs };
  }
  return delay === undefined
    ? { action: "fail", failure: "http" }
    : { action: "retry", delayMs: delay };
}

/** What to do after an attempt ended with `outcome`. */
export function decideAfterAttempt(outcome: AttemptOutcome, state: CallState): CallDecision {
  return outcome.kind === "answer" ? afterAnswer(outcome, state) : afterNoAnswer(outcome, state);
}
