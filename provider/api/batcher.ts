import { AcronisApiError } from "./errors";

export const MAX_BATCH = 100;
/**
 * Longest a read waits for its batch to fill while reads keep arriving. The engine checks
 * resources one at a time and runs their diffs in parallel, so reads reach the host as a stream
 * over a second or more for large stacks, one every millisecond or few: a fixed window from the
 * first read cut them into many small batches, where waiting for quiet (or 100 ids) fills them.
 * A second is short next to the preview of a stack large enough to stream reads that slowly.
 */
export const MAX_BATCH_WAIT_MS = 1_000;
/**
 * Once a batch holds more than one id, reads are arriving as a stream (the engine delivers steps
 * in bursts some 5-40 ms apart), so the quiet window it waits for is this many times longer. A
 * lone read still goes out after one window.
 */
export const STREAM_WINDOW_FACTOR = 5;

interface Waiter<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

function deferred<T>(): Waiter<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Coalesces single reads into batch reads of up to 100 ids. A batch goes out when it is full,
 * when no read arrived for a quiet window (`windowMs` for a lone read, longer for a stream), or
 * `maxWaitMs` after its first read, whichever is first.
 * Ids the batch does not return are read one by one, so that a 404/403 reaches only the
 * caller who asked for that id, with the platform's own error.
 */
export class Batcher<T> {
  private queued = new Map<string, Waiter<T>>();
  /** Every id queued or being fetched: identical concurrent ids share one request. */
  private readonly pending = new Map<string, Promise<T>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private firstAt = 0;
  private lastAt = 0;

  constructor(
    private readonly windowMs: number,
    private readonly fetchMany: (ids: string[]) => Promise<Map<string, T>>,
    private readonly fetchOne: (id: string) => Promise<T>,
    private readonly maxWaitMs = MAX_BATCH_WAIT_MS,
  ) {}

  get(id: string): Promise<T> {
    const existing = this.pending.get(id);
    if (existing !== undefined) return existing;
    const w = deferred<T>();
    this.queued.set(id, w);
    const p = w.promise.finally(() => this.pending.delete(id));
    this.pending.set(id, p);
    const now = performance.now();
    if (this.queued.size === 1) this.firstAt = now;
    this.lastAt = now;
    if (this.queued.size >= MAX_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.onTimer(), this.windowMs);
    return p;
  }

  /** One timer per batch, re-armed while reads keep coming (cheaper than one per read). */
  private onTimer(): void {
    this.timer = undefined;
    const now = performance.now();
    const quiet = this.queued.size > 1 ? this.windowMs * STREAM_WINDOW_FACTOR : this.windowMs;
    const quietAt = this.lastAt + quiet;
    const deadline = this.firstAt + this.maxWaitMs;
    if (now < quietAt && now < deadline) {
      this.timer = setTimeout(() => this.onTimer(), Math.min(quietAt, deadline) - now);
      return;
    }
    if (now >= deadline) {
      this.flush();
      return;
    }
    // Timers run before pending I/O: after the process was busy for a while, the window can look
    // quiet while the engine's next steps already wait in the socket. Look again once that I/O
    // has been read, and only then call the stream quiet.
    const seen = this.lastAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.lastAt !== seen) this.onTimer();
      else this.flush();
    }, 0);
  }

  /** Sends everything queued now (also called by close()). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queued;
    this.queued = new Map();
    // get() flushes as soon as the queue is full, so it never holds more than MAX_BATCH ids.
    if (batch.size > 0) void this.run([...batch.keys()], batch);
  }

  private async run(ids: string[], waiters: Map<string, Waiter<T>>): Promise<void> {
    let found: Map<string, T>;
    try {
      found = ids.length === 1 ? new Map() : await this.fetchMany(ids);
    } catch (e) {
      // A 4xx on the batch call (e.g. one id the caller may not see) is answered per id;
      // anything else (network, 5xx after retries, schema) fails the whole batch.
      const perId =
        e instanceof AcronisApiError &&
        e.kind === "http" &&
        e.status !== undefined &&
        e.status < 500;
      if (!perId) {
        for (const id of ids) waiters.get(id)?.reject(e);
        return;
      }
      found = new Map();
    }
    await Promise.all(
      ids.map(async (id) => {
        const w = waiters.get(id);
        if (w === undefined) return;
        const hit = found.get(id);
        if (hit !== undefined) {
          w.resolve(hit);
          return;
        }
        try {
          w.resolve(await this.fetchOne(id));
        } catch (e) {
          w.reject(e);
        }
      }),
    );
  }
}
