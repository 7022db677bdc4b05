import { once } from "node:events";
import { createConnection, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { Batcher } from "./batcher";

/** Blocks the event loop, as a burst of work in the provider host does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe("Batcher", () => {
  it("does not cut a stream of reads because a busy moment made the window look quiet", async () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string>(
      5,
      async (ids) => {
        batches.push(ids);
        return new Map(ids.map((id) => [id, id]));
      },
      async (id) => id,
    );
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
    expect(batches).toEqual([["a", "b", "c"]]);
  });

  it("still sends a lone read after one short window", async () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string>(
      5,
      async (ids) => {
        batches.push(ids);
        return new Map(ids.map((id) => [id, id]));
      },
      async (id) => {
        batches.push([id]);
        return id;
      },
    );
    const started = performance.now();
    await batcher.get("only");
    expect(batches).toEqual([["only"]]);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
