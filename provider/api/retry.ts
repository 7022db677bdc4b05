/** Retry policy as plain data so callers can configure and log it. */
export interface RetryPolicy {
  /** Total attempts including the first one. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No retry is started if it would end later than this after the first attempt began. */
  maxElapsedMs: number;
  retryStatuses: readonly number[];
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxElapsedMs: 30_000,
  retryStatuses: Object.freeze([429, 502, 503, 504]),
});

export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const p: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...partial };
  const nonNegative = (name: keyof RetryPolicy, v: number): void => {
    if (!Number.isFinite(v) || v < 0) throw new Error(`retry.${name} must be a number >= 0`);
  };
  if (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1) {
    throw new Error("retry.maxAttempts must be an integer >= 1");
  }
  nonNegative("baseDelayMs", p.baseDelayMs);
  nonNegative("maxDelayMs", p.maxDelayMs);
  nonNegative("maxElapsedMs", p.maxElapsedMs);
  return { ...p, retryStatuses: [...p.retryStatuses] };
}

/**
 * Retry-After in milliseconds, from either delta-seconds or an HTTP-date
 * (RFC 9110 §10.2.3). Unparseable values are ignored rather than trusted.
 */
export function parseRetryAfter(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined;
  const v = header.trim();
  if (v === "") return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Date.parse accepts bare numbers like "-3" as years; an HTTP-date always names a month.
  if (!/[A-Za-z]{3}/.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Delay before the next attempt, `attempt` being the number of attempts already made (>= 1).
 * Full jitter exponential backoff (uniform in [0, min(max, base * 2^(attempt-1))]), but never
 * shorter than the server's Retry-After.
 */
export function nextDelay(
  attempt: number,
  policy: RetryPolicy,
  retryAfterHeader: string | undefined,
  random: () => number,
  now: number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  const retryAfter = parseRetryAfter(retryAfterHeader, now);
  return retryAfter === undefined ? jittered : Math.max(retryAfter, jittered);
}

/**
 * Decides whether another attempt is allowed; returns its delay, or undefined to give up.
 * `startedAt` is when the first attempt began.
 */
export function planRetry(
  attempt: number,
  startedAt: number,
  now: number,
  policy: RetryPolicy,
  retryAfterHeader: string | undefined,
  random: () => number,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const delay = nextDelay(attempt, policy, retryAfterHeader, random, now);
  if (now - startedAt + delay > policy.maxElapsedMs) return undefined;
  return delay;
}
