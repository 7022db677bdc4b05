import { describe, expect, it } from "vitest";
import {
  type AttemptOutcome,
  type CallDecision,
  type CallState,
  decideAfterAttempt,
  type Failure,
} from "./call-decision";
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy } from "./retry";

/**
 * The client's decision after each attempt, one row per case. The jitter is fixed at half the
 * ceiling, so with the default policy (base 500 ms, 4 attempts, 30 s budget) a retry after
 * attempt 1 waits 250 ms, after attempt 2 500 ms, after attempt 3 1000 ms.
 */

const answer = (status: number, retryAfter?: string): AttemptOutcome => ({
  kind: "answer",
  status,
  retryAfter,
});
/** No answer: `neverSent` when the request provably never left. */
const noAnswer = (neverSent: boolean, fatal = false): AttemptOutcome => ({
  kind: "no-answer",
  neverSent,
  fatal,
});

const GET = { method: "GET", auth: true } as const;
const PUT = { method: "PUT", auth: true } as const;
/** The token request: POST, authenticated with the client's Basic credentials. */
const TOKEN = { method: "POST", auth: false } as const;

function state(over: Partial<CallState>): CallState {
  return {
    method: "GET",
    auth: true,
    renewed: false,
    attempt: 1,
    startedAt: 0,
    now: 0,
    policy: DEFAULT_RETRY_POLICY,
    random: () => 0.5,
    ...over,
  };
}

const fail = (failure: Failure, pauseMs?: number): CallDecision =>
  pauseMs === undefined ? { action: "fail", failure } : { action: "fail", failure, pauseMs };

interface Row {
  name: string;
  outcome: AttemptOutcome;
  at: Partial<CallState>;
  decision: CallDecision;
}

const ROWS: Row[] = [
  // Answers
  { name: "200: accepted", outcome: answer(200), at: GET, decision: { action: "accept" } },
  { name: "204: accepted", outcome: answer(204), at: PUT, decision: { action: "accept" } },
  {
    name: "302: a redirect, never followed",
    outcome: answer(302),
    at: GET,
    decision: fail("redirect"),
  },
  {
    name: "307 to the token call: a redirect too",
    outcome: answer(307),
    at: TOKEN,
    decision: fail("redirect"),
  },
  {
    name: "401: the token is renewed once",
    outcome: answer(401),
    at: GET,
    decision: { action: "renew-token" },
  },
  {
    name: "401 again after the renewal: fails with the status",
    outcome: answer(401),
    at: { ...GET, renewed: true },
    decision: fail("http"),
  },
  {
    name: "401 from the token endpoint: credentials refused",
    outcome: answer(401),
    at: TOKEN,
    decision: fail("credentials-refused"),
  },
  {
    name: "400 from the token endpoint: credentials refused",
    outcome: answer(400),
    at: TOKEN,
    decision: fail("credentials-refused"),
  },
  {
    name: "403 from the token endpoint: credentials refused",
    outcome: answer(403),
    at: TOKEN,
    decision: fail("credentials-refused"),
  },
  { name: "403 on a call: fails at once", outcome: answer(403), at: GET, decision: fail("http") },
  { name: "400 on a PUT: fails at once", outcome: answer(400), at: PUT, decision: fail("http") },
  { name: "404: fails at once", outcome: answer(404), at: GET, decision: fail("http") },
  { name: "409 on a PUT: fails at once", outcome: answer(409), at: PUT, decision: fail("http") },
  { name: "500: not retried", outcome: answer(500), at: GET, decision: fail("http") },
  {
    name: "503 on the first attempt: retried with jitter",
    outcome: answer(503),
    at: GET,
    decision: { action: "retry", delayMs: 250 },
  },
  {
    name: "502 on the third attempt: the ceiling has doubled twice",
    outcome: answer(502),
    at: { ...GET, attempt: 3 },
    decision: { action: "retry", delayMs: 1000 },
  },
  {
    name: "503 on a PUT: retried (the platform did not apply it)",
    outcome: answer(503),
    at: PUT,
    decision: { action: "retry", delayMs: 250 },
  },
  {
    name: "503 on the last attempt: fails",
    outcome: answer(503),
    at: { ...GET, attempt: 4 },
    decision: fail("http"),
  },
  {
    name: "503 when the wait would pass the time budget: fails",
    outcome: answer(503),
    at: { ...GET, now: 29_900 },
    decision: fail("http"),
  },
  {
    name: "503 from the token endpoint: retried like any call",
    outcome: answer(503),
    at: TOKEN,
    decision: { action: "retry", delayMs: 250 },
  },
  {
    name: "504 with Retry-After: waits at least that long",
    outcome: answer(504, "3"),
    at: GET,
    decision: { action: "retry", delayMs: 3000 },
  },
  {
    name: "429 with Retry-After: the whole client pauses that long",
    outcome: answer(429, "2"),
    at: GET,
    decision: { action: "pause", pauseMs: 2000 },
  },
  {
    name: "429 without Retry-After: pauses by the backoff",
    outcome: answer(429),
    at: { ...GET, attempt: 2 },
    decision: { action: "pause", pauseMs: 500 },
  },
  {
    name: "429 on the last attempt: fails, and still pauses the client",
    outcome: answer(429, "2"),
    at: { ...GET, attempt: 4 },
    decision: fail("http", 2000),
  },
  {
    name: "429 asking for longer than the budget: fails, pausing as asked",
    outcome: answer(429, "60"),
    at: GET,
    decision: fail("http", 60_000),
  },
  {
    name: "429 when the policy does not retry it: fails, no pause",
    outcome: answer(429, "2"),
    at: { ...GET, policy: resolveRetryPolicy({ retryStatuses: [503] }) },
    decision: fail("http"),
  },
  // No answer
  {
    name: "GET never sent: retried",
    outcome: noAnswer(true),
    at: GET,
    decision: { action: "retry", delayMs: 250 },
  },
  {
    name: "GET that may have arrived: retried (a read changes nothing)",
    outcome: noAnswer(false),
    at: GET,
    decision: { action: "retry", delayMs: 250 },
  },
  {
    name: "PUT never sent: retried",
    outcome: noAnswer(true),
    at: PUT,
    decision: { action: "retry", delayMs: 250 },
  },
  {
    name: "PUT that may have arrived: outcome unknown, never re-sent",
    outcome: noAnswer(false),
    at: PUT,
    decision: fail("outcome-unknown"),
  },
  {
    name: "PUT that may have arrived on a destroyed connection: outcome unknown",
    outcome: noAnswer(false, true),
    at: PUT,
    decision: fail("outcome-unknown"),
  },
  {
    name: "token request that may have arrived: retried (it changes nothing)",
    outcome: noAnswer(false),
    at: TOKEN,
    decision: { action: "retry", delayMs: 250 },
  },
  {
    name: "closed client: fails, retrying cannot help",
    outcome: noAnswer(true, true),
    at: GET,
    decision: fail("no-answer"),
  },
  {
    name: "no answer on the last attempt: fails",
    outcome: noAnswer(true),
    at: { ...GET, attempt: 4 },
    decision: fail("no-answer"),
  },
  {
    name: "no answer when the wait would pass the time budget: fails",
    outcome: noAnswer(false),
    at: { ...GET, startedAt: 1_000, now: 30_900 },
    decision: fail("no-answer"),
  },
];

describe("decideAfterAttempt: what the client does after each attempt", () => {
  it.each(ROWS)("$name", ({ outcome, at, decision }) => {
    expect(decideAfterAttempt(outcome, state(at))).toEqual(decision);
  });

  it("draws no jitter when no delay is computed (answers and unknown outcomes)", () => {
    const random = () => {
      throw new Error("random() called");
    };
    for (const [outcome, at] of [
      [answer(200), GET],
      [answer(409), PUT],
      [answer(401), GET],
      [noAnswer(false), PUT],
    ] as const) {
      expect(() => decideAfterAttempt(outcome, state({ ...at, random }))).not.toThrow();
    }
  });
});
