import { z } from "zod";
import { UUID_RE } from "./patterns";

const actionSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("status"),
    status: z.number().int().min(100).max(599),
    /** Sent verbatim as the Retry-After header: delta-seconds or an HTTP-date. */
    retryAfter: z.string().optional(),
    /** Sent as Retry-After: the HTTP-date this many seconds after the answer (overrides retryAfter). */
    retryAfterDateIn: z.number().int().min(0).max(86_400).optional(),
    /** Response body; defaults to a platform error body. */
    body: z.unknown().optional(),
  }),
  z.strictObject({ type: z.literal("latency"), ms: z.number().int().min(0).max(600_000) }),
  z.strictObject({ type: z.literal("drop") }),
  z.strictObject({ type: z.literal("hang") }),
  z.strictObject({ type: z.literal("lose-response") }),
]);

const faultRuleSchema = z.strictObject({
  method: z.string().optional(),
  /** A normalized path ("/api/2/users/{id}", exact) or a regex tested on the raw URL path. */
  path: z.string().optional(),
  /** How many matching requests the rule hits; default 1. */
  times: z.number().int().min(0).optional(),
  /** Hit every matching request until cleared. */
  always: z.boolean().optional(),
  action: actionSchema,
});
export type FaultRule = z.input<typeof faultRuleSchema>;

/** The Retry-After header a status fault sends at `nowMs` (wall clock), if any. */
export function retryAfterHeader(
  action: { retryAfter?: string; retryAfterDateIn?: number },
  nowMs: number,
): string | undefined {
  if (action.retryAfterDateIn !== undefined) {
    return new Date(nowMs + action.retryAfterDateIn * 1000).toUTCString();
  }
  return action.retryAfter;
}
export type FaultAction = z.output<typeof actionSchema>;

interface ActiveRule {
  method: string | null;
  exactPath: string | null;
  regex: RegExp | null;
  remaining: number;
  action: FaultAction;
  source: FaultRule;
}

export const faultRulesSchema = z.union([faultRuleSchema, z.array(faultRuleSchema)]);

/** Ordered fault rules; the first live matching rule takes the request. */
export class FaultEngine {
  private rules: ActiveRule[] = [];

  /** Appends rules (validated by the caller). Throws on an invalid regex. */
  add(rules: z.output<typeof faultRuleSchema>[]): void {
    for (const r of rules) {
      const isTemplate = r.path?.includes("{id}") === true;
      this.rules.push({
        method: r.method?.toUpperCase() ?? null,
        exactPath: isTemplate ? (r.path ?? null) : null,
        regex: r.path !== undefined && !isTemplate ? new RegExp(r.path) : null,
        remaining: r.always ? Number.POSITIVE_INFINITY : (r.times ?? 1),
        action: r.action,
        source: r,
      });
    }
  }

  clear(): void {
    this.rules = [];
  }

  get size(): number {
    return this.rules.length;
  }

  list(): (FaultRule & { remaining: number | "always" })[] {
    return this.rules.map((r) => ({
      ...r.source,
      remaining: r.remaining === Number.POSITIVE_INFINITY ? "always" : r.remaining,
    }));
  }

  /** Consumes one hit of the first matching rule. */
  take(method: string, path: string, normalized: string): FaultAction | null {
    if (this.rules.length === 0) return null;
    for (const r of this.rules) {
      if (r.remaining <= 0) continue;
      if (r.method !== null && r.method !== method) continue;
      if (r.exactPath !== null && r.exactPath !== normalized) continue;
      if (r.regex !== null && !r.regex.test(path)) continue;
      r.remaining -= 1;
      return r.action;
    }
    return null;
  }
}

/** "/api/2/users/<uuid>" -> "/api/2/users/{id}": UUID segments and the ids of known routes. */
export function normalizePath(path: string): string {
  const segs = path.split("/");
  // ["", "api", "2", collection, id, ...]
  if (segs[1] === "api" && segs[2] === "2" && segs.length >= 5) {
    const coll = segs[3];
    const id = segs[4];
    if ((coll === "users" && id !== "me" && id !== "check_login") || coll === "clients") {
      segs[4] = "{id}";
    }
  }
  for (let i = 0; i < segs.length; i++) {
    if (UUID_RE.test(segs[i] ?? "")) segs[i] = "{id}";
  }
  return segs.join("/");
}

export interface RequestStatsSnapshot {
  /** "METHOD /normalized/path" -> count of API requests received. */
  counts: Record<string, number>;
  total: number;
  inFlight: number;
  maxInFlight: number;
}

/** Counts API requests as they arrive (including ones later faulted) and tracks concurrency. */
export class RequestStats {
  private counts = new Map<string, number>();
  private total = 0;
  private inFlight = 0;
  private maxInFlight = 0;

  begin(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.total += 1;
    this.inFlight += 1;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
  }

  end(): void {
    this.inFlight -= 1;
  }

  /** Clears counts; in-flight requests stay counted as in flight. */
  reset(): void {
    this.counts.clear();
    this.total = 0;
    this.maxInFlight = this.inFlight;
  }

  snapshot(): RequestStatsSnapshot {
    return {
      counts: Object.fromEntries(this.counts),
      total: this.total,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
    };
  }
}
