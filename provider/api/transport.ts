import { Pool } from "undici";
import { decideSendOutcome } from "./send-outcome";

/**
 * FIFO counting semaphore with a client-wide pause gate (used after a 429).
 * Plain fields and closures only: this module is loaded inside Pulumi's provider host.
 */
export class Limiter {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  /** Set while paused; resolves (and clears itself) when the pause ends. */
  private resume: Promise<void> | undefined;
  private pausedUntil = 0;
  peak = 0;

  constructor(
    private readonly max: number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly now: () => number,
  ) {}

  async acquire(): Promise<() => void> {
    if (this.resume === undefined && this.active < this.max && this.waiters.length === 0) {
      this.active++;
    } else {
      // Slots are handed out by drain(), in FIFO order, and never during a pause: requests that
      // were already queued when a 429 came wait like new ones (the engine queues thousands).
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.peak = Math.max(this.peak, this.active);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.drain();
    };
  }

  /** Requests waiting for a slot, or for a pause to end. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Holds back every request not yet started for `ms` (extends, never shortens, a pause). */
  pause(ms: number): void {
    if (ms <= 0) return;
    const until = this.now() + ms;
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    const gate: Promise<void> = this.sleep(ms).then(() => {
      // A longer pause started meanwhile: that one ends the pause.
      if (this.resume !== gate) return;
      this.resume = undefined;
      this.drain();
    });
    this.resume = gate;
  }

  private drain(): void {
    while (this.resume === undefined && this.active < this.max) {
      const next = this.waiters.shift();
      if (next === undefined) return;
      this.active++;
      next();
    }
  }
}

export interface TransportOptions {
  origin: string;
  connections: number;
  connectMs: number;
  headersMs: number;
  bodyMs: number;
}

export interface RawRequest {
  method: "GET" | "PUT" | "POST";
  /** Full path on the origin, including the base path and query string. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Where a transport failure happened. "before-send": the request never reached the server
 * (connect refused, DNS, TLS, connect timeout), so even a PUT is safe to repeat.
 * "after-send": the bytes may have been processed.
 */
export type FailurePhase = "before-send" | "after-send";

export class TransportError extends Error {
  constructor(
    readonly phase: FailurePhase,
    readonly timeout: boolean,
    /** A closed client cannot succeed by retrying. */
    readonly fatal: boolean,
    readonly originalCode: string | undefined,
    options: { cause: unknown },
  ) {
    super(`transport failure (${originalCode ?? "unknown"})`, options);
    this.name = "TransportError";
  }
}

/** Classifies a failure by the table in send-outcome.ts: never sent, or maybe applied. */
export function classifyTransportError(e: unknown): TransportError {
  const decision = decideSendOutcome(e);
  const phase: FailurePhase = decision.outcome === "never-sent" ? "before-send" : "after-send";
  return new TransportError(phase, decision.timeout, decision.fatal, decision.code, { cause: e });
}

/** One keep-alive undici Pool per client (all endpoints share the base URL origin). */
export class Transport {
  private pool: Pool | undefined;
  private closed = false;

  constructor(private readonly options: TransportOptions) {}

  private getPool(): Pool {
    if (this.closed)
      throw new TransportError("before-send", false, true, "UND_ERR_CLOSED", {
        cause: new Error("client closed"),
      });
    this.pool ??= new Pool(this.options.origin, {
      connections: this.options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: this.options.headersMs,
      bodyTimeout: this.options.bodyMs,
      connect: { timeout: this.options.connectMs },
    });
    return this.pool;
  }

  /** Sends one request and reads the whole body; undici never follows redirects here. */
  async send(req: RawRequest): Promise<RawResponse> {
    const pool = this.getPool();
    try {
      const res = await pool.request({
        method: req.method,
        path: req.path,
        headers: req.headers,
        body: req.body,
      });
      const body = await res.body.text();
      return { status: res.statusCode, headers: res.headers, body };
    } catch (e) {
      throw classifyTransportError(e);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    if (pool !== undefined) await pool.close();
  }
}
