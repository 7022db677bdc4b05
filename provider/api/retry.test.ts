import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_POLICY,
  nextDelay,
  parseRetryAfter,
  planRetry,
  resolveRetryPolicy,
} from "./retry";

const P = DEFAULT_RETRY_POLICY;

describe("nextDelay", () => {
  it("full jitter: within [0, min(max, base*2^(n-1))] and the ceiling grows", () => {
    const ceilings = [1, 2, 3, 4, 5, 6].map((n) => nextDelay(n, P, undefined, () => 0.999999, 0));
    expect(ceilings).toEqual([499, 999, 1999, 3999, 7999, 7999]);
    expect(nextDelay(3, P, undefined, () => 0, 0)).toBe(0);
    expect(nextDelay(3, P, undefined, () => 0.5, 0)).toBe(1000);
  });

  it("never shorter than Retry-After (seconds and HTTP-date)", () => {
    const now = Date.parse("2031-05-01T10:00:00Z");
    expect(nextDelay(1, P, "12", () => 0.5, now)).toBe(12_000);
    expect(nextDelay(1, P, "Thu, 01 May 2031 10:00:04 GMT", () => 0, now)).toBe(4000);
    // a past date means "now", the jitter still applies
    expect(nextDelay(2, P, "Thu, 01 May 2031 09:00:00 GMT", () => 0.5, now)).toBe(500);
  });
});

describe("parseRetryAfter", () => {
  it("parses both forms and ignores garbage", () => {
    expect(parseRetryAfter("0", 0)).toBe(0);
    expect(parseRetryAfter(" 7 ", 0)).toBe(7000);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    expect(parseRetryAfter("-3", 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });
});

describe("planRetry", () => {
  it("is bounded by maxAttempts", () => {
    const p = resolveRetryPolicy({ maxAttempts: 3 });
    expect(planRetry(1, 0, 0, p, undefined, () => 0)).toBe(0);
    expect(planRetry(2, 0, 0, p, undefined, () => 0)).toBe(0);
    expect(planRetry(3, 0, 0, p, undefined, () => 0)).toBeUndefined();
  });

  it("is bounded by maxElapsedMs, Retry-After included", () => {
    const p = resolveRetryPolicy({ maxElapsedMs: 10_000 });
    expect(planRetry(1, 0, 9_000, p, undefined, () => 0.999)).toBe(499);
    expect(planRetry(1, 0, 9_600, p, undefined, () => 0.999)).toBeUndefined();
    expect(planRetry(1, 0, 0, p, "11", () => 0)).toBeUndefined();
  });

  it("rejects nonsense policies", () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolveRetryPolicy({ baseDelayMs: -1 })).toThrow(/baseDelayMs/);
  });
});
