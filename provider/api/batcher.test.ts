import { once } from "node:events";
import { createConnection, createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Batcher, MAX_BATCH_WAIT_MS, STREAM_WINDOW_FACTOR } from "./batcher";

/** Blocks the event loop, as a burst of work in the provider host does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

const WINDOW_MS = 5;

/** A batcher whose every request (batch or single) is recorded as the ids it asked for. */
function recording() {
  const requests: string[][] = [];
  const batcher = new Batcher<string>(
    WINDOW_MS,
    async (ids) => {
      requests.push(ids);
      return new Map(ids.map((id) => [id, id]));
    },
    async (id) => {
      requests.push([id]);
      return id;
    },
  );
  return { requests, batcher };
}

describe("Batcher", () => {
  it("does not cut a stream of reads because a busy moment made the window look quiet", async () => {
    const { requests, batcher } = recording();
    // The next read comes over a socket, like the engine's next Diff reaching the host.
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    let arrived: Promise<string> | undefined;
    const accepted = new Promise<void>((ready) =>
      server.once("connection", (socket) => {
        arrived = new Promise((resolve) => socket.once("data", () => resolve(batcher.get("c"))));
        ready();
      }),
    );
    const client = createConnection(port, "127.0.0.1");
    await Promise.all([once(client, "connect"), accepted]);

    const reads = await new Promise<Promise<string>[]>((resolve) =>
      setImmediate(() => {
        const first = [batcher.get("a"), batcher.get("b")];
        client.write("next read");
        // Longer than the stream window: when the loop resumes, the batch timer is due before
        // the socket's data is read.
        busy(60);
        resolve(first);
      }),
    );
    await Promise.all([...reads, arrived]);
    client.destroy();
    server.close();
    expect(requests).toEqual([["a", "b", "c"]]);
  });

  it("still sends a lone read after one short window", async () => {
    const { requests, batcher } = recording();
    const started = performance.now();
    await batcher.get("only");
    expect(requests).toEqual([["only"]]);
    // Not held for a batch to fill: that would take MAX_BATCH_WAIT_MS.
    expect(performance.now() - started).toBeLessThan(MAX_BATCH_WAIT_MS / 2);
  });
});

describe("Batcher policy, on a fake clock", () => {
  /** Queues `bursts` bursts of `burst` reads, `gapMs` apart on the fake clock, as the engine
   * delivers steps; resolves to every value read. */
  async function stream(batcher: Batcher<string>, bursts: number, burst: number, gapMs: number) {
    const reads: Promise<string>[] = [];
    for (let b = 0; b < bursts; b++) {
      for (let i = 0; i < burst; i++) reads.push(batcher.get(`id${reads.length}`));
      await vi.advanceTimersByTimeAsync(gapMs);
    }
    await vi.advanceTimersByTimeAsync(MAX_BATCH_WAIT_MS);
    return Promise.all(reads);
  }

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    // A steady stream fills batches to 100.
    { bursts: 25, burst: 10, gapMs: 2, sizes: [100, 100, 50] },
    // Gaps longer than one window but inside the stream window still fill batches.
    { bursts: 15, burst: 10, gapMs: WINDOW_MS * 2, sizes: [100, 50] },
    // A stream longer than MAX_BATCH_WAIT_MS is cut there: bursts at 0, 24, ..., 984 ms
    // (42 bursts, 84 ids) go out at 1000 ms, the other 18 bursts when the stream ends.
    { bursts: 60, burst: 2, gapMs: 24, sizes: [84, 36] },
    // A lone read goes out after one window, so reads that far apart go one by one.
    { bursts: 3, burst: 1, gapMs: WINDOW_MS * 2, sizes: [1, 1, 1] },
    // Pauses longer than the stream window end a batch.
    { bursts: 3, burst: 2, gapMs: WINDOW_MS * STREAM_WINDOW_FACTOR + 1, sizes: [2, 2, 2] },
  ])("$bursts bursts of $burst reads, $gapMs ms apart, go out as $sizes", async (c) => {
    const { requests, batcher } = recording();
    const values = await stream(batcher, c.bursts, c.burst, c.gapMs);
    const count = c.bursts * c.burst;
    expect(values).toEqual(Array.from({ length: count }, (_, i) => `id${i}`));
    expect(requests.map((ids) => ids.length)).toEqual(c.sizes);
  });

  it("shares one request between concurrent reads of the same id", async () => {
    const { requests, batcher } = recording();
    const reads = [batcher.get("a"), batcher.get("a"), batcher.get("b")];
    await vi.advanceTimersByTimeAsync(MAX_BATCH_WAIT_MS);
    expect(await Promise.all(reads)).toEqual(["a", "a", "b"]);
    expect(requests).toEqual([["a", "b"]]);
  });
});
