import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CheckpointResource,
  checkpointFile,
  resourceBytes,
  SnapshotManager,
  serializeCheckpoint,
} from "./checkpoint";

const STACK = { stack: "prod", project: "emails" };
const TYPE = "pulumi-nodejs:dynamic/acronis:UserEmail";

function account(i: number, email = `user${i}@example.com`): CheckpointResource {
  const userId = `20000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
  return {
    urn: `urn:pulumi:prod::emails::${TYPE}::user-${userId}`,
    type: TYPE,
    id: userId,
    inputs: { userId, email },
    outputs: { userId, email, status: "synced" },
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function manager(resources: CheckpointResource[], skipCheckpoints = false) {
  const dir = mkdtempSync(path.join(tmpdir(), "checkpoint-"));
  dirs.push(dir);
  const file = checkpointFile(dir, STACK.project, STACK.stack);
  const sm = new SnapshotManager({ ...STACK, file, skipCheckpoints, resources: () => resources });
  return { sm, file };
}

describe("SnapshotManager: the writes of a self-managed backend, per step kind", () => {
  it("a create, update or delete writes twice: the pending operation, then the result", async () => {
    for (const kind of ["create", "update", "delete"] as const) {
      const resources = [account(1)];
      const { sm, file } = manager(resources);
      const step = await sm.begin(kind, account(1));
      expect(sm.stats.writes).toBe(1);
      // The first write names the operation in flight, with the resource it concerns.
      const during = JSON.parse(readFileSync(file, "utf8"));
      expect(during.checkpoint.latest.pending_operations).toEqual([
        expect.objectContaining({
          type: { create: "creating", update: "updating", delete: "deleting" }[kind],
        }),
      ]);
      await step.end();
      expect(sm.stats.writes).toBe(2);
      const after = JSON.parse(readFileSync(file, "utf8"));
      expect(after.checkpoint.latest.pending_operations).toBeUndefined();
      // Nothing was elided since the last write: closing adds none.
      expect((await sm.close()).writes).toBe(2);
      // The previous checkpoint is kept beside it, as diy's saveCheckpoint keeps it.
      expect(
        JSON.parse(readFileSync(`${file}.bak`, "utf8")).checkpoint.latest.pending_operations,
      ).toHaveLength(1);
    }
  });

  it("a same step writes only on a meaningful change; what it elided is written at close", async () => {
    const { sm } = manager([account(1)]);
    await sm.same(account(1), account(1));
    expect(sm.stats.writes).toBe(0);
    await sm.same(account(1), {
      ...account(1),
      inputs: { ...account(1).inputs, resendAfter: "48h" },
    });
    expect(sm.stats.writes).toBe(1);
    await sm.same(account(1), account(1));
    expect((await sm.close()).writes).toBe(2);
  });

  it("a refresh writes once, at the end", async () => {
    const { sm } = manager([account(1), account(2)]);
    await sm.refresh();
    await sm.refresh();
    expect(sm.stats.writes).toBe(0);
    expect((await sm.close()).writes).toBe(1);
  });

  it("PULUMI_SKIP_CHECKPOINTS writes once, at close, whatever ran", async () => {
    const { sm, file } = manager([account(1)], true);
    for (const kind of ["create", "update"] as const)
      await (await sm.begin(kind, account(1))).end();
    await sm.same(account(1), account(2));
    expect(sm.stats.writes).toBe(0);
    expect((await sm.close()).writes).toBe(1);
    expect(JSON.parse(readFileSync(file, "utf8")).checkpoint.latest.resources).toHaveLength(2);
  });

  it("serializes writes: concurrent steps each wait for their own, one at a time", async () => {
    const resources = Array.from({ length: 20 }, (_, i) => account(i));
    const { sm } = manager(resources);
    const order: number[] = [];
    await Promise.all(
      resources.map(async (r, i) => {
        const step = await sm.begin("update", r);
        order.push(sm.stats.writes);
        await step.end();
        void i;
      }),
    );
    expect(sm.stats.writes).toBe(40);
    // Every begin resolved after its own write: counts seen are distinct.
    expect(new Set(order).size).toBe(order.length);
  });

  it("marshals the whole checkpoint each time: an up changing K of N costs about (2K + 1) x N x S", async () => {
    const N = 50;
    const K = 5;
    const resources = Array.from({ length: N }, (_, i) => account(i));
    const { sm } = manager(resources);
    for (let i = 0; i < K; i++)
      await (await sm.begin("update", resources[i] as CheckpointResource)).end();
    await sm.same(resources[K] as CheckpointResource, resources[K] as CheckpointResource);
    const { writes, bytes } = await sm.close();
    expect(writes).toBe(2 * K + 1);
    const S = resourceBytes(STACK, account(1)).total;
    // Within the pending operations' copies and the stack's own few hundred bytes per write.
    expect(bytes / ((2 * K + 1) * N * S)).toBeGreaterThan(0.95);
    expect(bytes / ((2 * K + 1) * N * S)).toBeLessThan(1.15);
  });

  it("reports a resource's bytes: its inputs and outputs, and Pulumi's metadata", () => {
    const bytes = resourceBytes(STACK, account(1));
    expect(bytes.inputsAndOutputs).toBe(
      JSON.stringify(account(1).inputs).length + JSON.stringify(account(1).outputs).length,
    );
    expect(bytes.total).toBe(bytes.inputsAndOutputs + bytes.metadata);
    const one = serializeCheckpoint(STACK, [account(1)]).length;
    const two = serializeCheckpoint(STACK, [account(1), account(2)]).length;
    expect(two - one).toBe(bytes.total);
  });
});

describe("CheckpointSizer", () => {
  it("counts exactly the bytes a written checkpoint has, pending operations included", async () => {
    const fresh = () => Array.from({ length: 30 }, (_, i) => account(i));
    const [one, two] = [fresh(), fresh()];
    const written = manager(one);
    const counted = new SnapshotManager({ ...STACK, resources: () => two });
    for (const [sm, resources] of [
      [written.sm, one],
      [counted, two],
    ] as const) {
      const a = await sm.begin("create", account(100));
      const b = await sm.begin("update", resources[3] as CheckpointResource);
      await a.end();
      resources[3] = account(3, "changed@example.com");
      await b.end();
      await sm.same(account(4), account(4, "other@example.com"));
    }
    const [w, c] = [await written.sm.close(), await counted.close()];
    expect(c.writes).toBe(w.writes);
    expect(c.bytes).toBe(w.bytes);
  });
});
