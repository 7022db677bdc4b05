import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { ErrorCode, PlatformError } from "./errors";
import { FaultEngine } from "./faults";
import { requestKey } from "./request-keys";

/**
 * Signals instead of clocks, for tests: every API request's arrival is recorded with the
 * emulator's own monotonic timestamps, and a hold parks matching requests, received whole but not
 * yet applied, until the test releases them. A test then waits for "the PUT is held" or "the
 * 3rd read arrived" rather than for a delay to be long enough on a loaded machine.
 */

export interface Arrival {
  /** 1, 2, ... in arrival order (since the last reset). */
  seq: number;
  method: string;
  path: string;
  /** The raw query string, without "?". */
  query: string;
  /** "METHOD /normalized/path", as request counts are keyed. */
  key: string;
  /** Emulator time (ms, monotonic) the request arrived. */
  at: number;
  /** Wall-clock time (ms since the epoch) it arrived: to compare with an HTTP-date. */
  wallAt: number;
  /** Emulator time the answer was written; null while pending, or if never answered. */
  answeredAt: number | null;
  status: number | null;
  /** The hold that parked it, if one did. */
  heldBy: number | null;
  releasedAt: number | null;
}

const holdRuleSchema = z.strictObject({
  method: z.string().optional(),
  /** As a fault rule's: a normalized path ("/api/2/users/{id}") or a regex on the raw path. */
  path: z.string().optional(),
  /** How many matching requests the hold parks; default 1. */
  times: z.number().int().min(1).max(10_000).optional(),
});
export type HoldRule = z.input<typeof holdRuleSchema>;

const waitQuerySchema = z.object({
  count: z.coerce.number().int().min(1).default(1),
  /** A safety net so a broken test fails with what arrived rather than hanging; not a window. */
  timeoutMs: z.coerce.number().int().min(1).max(600_000).default(300_000),
});

interface Hold {
  id: number;
  matcher: FaultEngine;
  parked: (() => void)[];
  held: Arrival[];
  released: boolean;
}

interface Waiter {
  ready: () => boolean;
  resolve: () => void;
}

export type ControlReply = { status: number; body?: unknown };

export class RequestHolds {
  private arrivals: Arrival[] = [];
  private readonly byRequest = new WeakMap<IncomingMessage, Arrival>();
  private holds: Hold[] = [];
  private waiters: Waiter[] = [];
  private nextHoldId = 1;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Records an API request as it arrives, and its answer once written. */
  arrive(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    query: string,
    normalized: string,
  ): void {
    const arrival: Arrival = {
      seq: this.arrivals.length + 1,
      method,
      path,
      query,
      key: requestKey(method, normalized),
      at: this.now(),
      wallAt: Date.now(),
      answeredAt: null,
      status: null,
      heldBy: null,
      releasedAt: null,
    };
    this.arrivals.push(arrival);
    this.byRequest.set(req, arrival);
    res.once("finish", () => {
      arrival.answeredAt = this.now();
      arrival.status = res.statusCode;
      this.notify();
    });
    this.notify();
  }

  /** Parks a request (received whole, not yet applied) while a live hold matches it. */
  async gate(req: IncomingMessage): Promise<void> {
    const arrival = this.byRequest.get(req);
    if (arrival === undefined || this.holds.length === 0) return;
    const normalized = arrival.key.slice(arrival.method.length + 1);
    const hold = this.holds.find(
      (h) => !h.released && h.matcher.take(arrival.method, arrival.path, normalized) !== null,
    );
    if (hold === undefined) return;
    arrival.heldBy = hold.id;
    hold.held.push(arrival);
    const released = new Promise<void>((resolve) => hold.parked.push(resolve));
    this.notify();
    await released;
    if (arrival.releasedAt === null) {
      throw new PlatformError(503, ErrorCode.internal, "held request cancelled by a reset");
    }
  }

  add(rule: z.output<typeof holdRuleSchema>): number {
    const matcher = new FaultEngine();
    matcher.add([{ ...rule, action: { type: "hang" } }]);
    const hold: Hold = { id: this.nextHoldId++, matcher, parked: [], held: [], released: false };
    this.holds.push(hold);
    return hold.id;
  }

  /** Lets the hold's parked requests go on (they are then applied) and ends the hold. */
  release(id: number): number {
    const hold = this.holds.find((h) => h.id === id);
    if (hold === undefined) throw new PlatformError(404, ErrorCode.notFound, `no hold ${id}`);
    hold.released = true;
    const at = this.now();
    for (const arrival of hold.held) arrival.releasedAt ??= at;
    const parked = hold.parked.splice(0);
    for (const go of parked) go();
    return parked.length;
  }

  /** Forgets the arrivals recorded so far (with the request counts); holds stay. */
  clearArrivals(): void {
    this.arrivals = [];
  }

  /** Back to nothing recorded; parked requests are answered 503, never applied. */
  reset(): void {
    for (const hold of this.holds) {
      hold.released = true;
      for (const go of hold.parked.splice(0)) go();
    }
    this.holds = [];
    this.arrivals = [];
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => w.ready());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  /** Resolves true once `ready` holds, false after the safety timeout. */
  private until(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        ready,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private matching(query: URLSearchParams): Arrival[] {
    const key = query.get("key");
    return key === null ? this.arrivals : this.arrivals.filter((a) => a.key === key);
  }

  /**
   * The control routes under /_emulator: `arrivals` (GET; `?key=` filters), `arrivals/wait`
   * (GET `?key=&count=`), `holds` (POST a rule -> {id}; DELETE releases all), `holds/{id}/wait`
   * (GET `?count=`: until that many are parked) and `holds/{id}/release` (POST).
   * Undefined: not one of these routes.
   */
  async route(
    method: string,
    rest: readonly string[],
    query: URLSearchParams,
    json: () => Promise<unknown>,
  ): Promise<ControlReply | undefined> {
    const [a, b, c] = rest;
    const wrong = (allowed: string) =>
      new PlatformError(405, ErrorCode.methodNotAllowed, "Method not allowed", `use ${allowed}`);
    const badRequest = (e: z.ZodError) =>
      new PlatformError(400, ErrorCode.badRequest, "Bad request", z.prettifyError(e));
    const waitOptions = () => {
      const r = waitQuerySchema.safeParse(Object.fromEntries(query));
      if (!r.success) throw badRequest(r.error);
      return r.data;
    };
    if (a === "arrivals" && rest.length === 1) {
      if (method !== "GET") throw wrong("GET");
      return { status: 200, body: this.matching(query) };
    }
    if (a === "arrivals" && b === "wait" && rest.length === 2) {
      if (method !== "GET") throw wrong("GET");
      const { count, timeoutMs } = waitOptions();
      const ok = await this.until(() => this.matching(query).length >= count, timeoutMs);
      return { status: ok ? 200 : 408, body: this.matching(query) };
    }
    if (a === "holds" && rest.length === 1) {
      if (method === "DELETE") {
        for (const h of this.holds) if (!h.released) this.release(h.id);
        return { status: 204 };
      }
      if (method !== "POST") throw wrong("POST or DELETE");
      const r = holdRuleSchema.safeParse(await json());
      if (!r.success) throw badRequest(r.error);
      try {
        return { status: 200, body: { id: this.add(r.data) } };
      } catch (e) {
        throw new PlatformError(400, ErrorCode.badRequest, "Bad request", String(e));
      }
    }
    if (a === "holds" && b !== undefined && rest.length === 3) {
      const hold = this.holds.find((h) => String(h.id) === b);
      if (hold === undefined) throw new PlatformError(404, ErrorCode.notFound, `no hold ${b}`);
      if (c === "wait") {
        if (method !== "GET") throw wrong("GET");
        const { count, timeoutMs } = waitOptions();
        const ok = await this.until(() => hold.held.length >= count, timeoutMs);
        return { status: ok ? 200 : 408, body: hold.held };
      }
      if (c === "release") {
        if (method !== "POST") throw wrong("POST");
        return { status: 200, body: { released: this.release(hold.id) } };
      }
    }
    return undefined;
  }
}
