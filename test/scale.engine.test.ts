import { describe, expect, it } from "vitest";
import { generatedUserId, generateSeed, type RequestStatsSnapshot } from "../emulator";
import { demoStackConfig } from "../emulator/demo-stack-config";
import {
  PUT_USER as PUT,
  GET_USERS as READ_BATCH,
  GET_USER as READ_ONE,
  POST_TOKEN as TOKEN,
} from "../emulator/request-keys";
import { countOps, failures, type Goal, type RunResult } from "../engine/engine";
import { stackForStories, waitFor } from "./support/stack";

/**
 * Scale behaviour through the real provider host, scheduled as the Pulumi engine schedules it:
 * Check and Diff one at a time by default, steps and refresh reads on the step workers, and
 * Diffs on the workers with PULUMI_PARALLEL_DIFF. Everything here is counted by the emulator,
 * never timed: each test fails if requests per account, batch reads or token requests go up, or
 * if the concurrency bound or the 429 pause stops holding.
 */

const N = 300;

const seed = generateSeed({ users: N, activatedRatio: 0.5 });
const activated = new Set(seed.users?.filter((u) => u.activated).map((u) => u.id));
const indexes = Array.from({ length: N }, (_, i) => i + 1);
const freshIndexes = indexes.filter((i) => !activated.has(generatedUserId(i)));
const activatedIndexes = indexes.filter((i) => activated.has(generatedUserId(i)));

/** Diff workers for the batching test: enough reads to pile up beyond one batch of 100. */
const WORKERS = 250;
/** Timers in the host and the emulator's clock may disagree by a few milliseconds. */
const TIMER_SLACK_MS = 10;
const stack = stackForStories({
  name: "engine-scale",
  seed,
  config: (baseUrl) => demoStackConfig({ name: "engine-scale", config: {} }, baseUrl),
});

/** A fresh host and platform, as a new `pulumi` command on an untouched tenant gets. */
async function fresh(config: Record<string, string> = {}): Promise<void> {
  expect(failures(await stack.destroy())).toEqual([]);
  await stack.emulator.control.reset();
  await stack.configure({ config: { ...stack.config, ...config } });
  await stack.emulator.control.resetRequests();
}

function goals(which: readonly number[], email: (i: number) => string): Goal[] {
  return which.map((i) =>
    stack.userEmail(`user${i}`, { userId: generatedUserId(i), email: email(i) }),
  );
}
const seedEmail = (i: number) => `user${i}@bench.example`;
const movedEmail = (i: number) => `user${i}@moved.example`;

async function counted(run: () => Promise<RunResult>) {
  await stack.emulator.control.resetRequests();
  const result = await run();
  expect(failures(result)).toEqual([]);
  const stats: RequestStatsSnapshot = await stack.emulator.control.requests();
  const n = (key: string) => stats.counts[key] ?? 0;
  return {
    result,
    stats,
    batches: n(READ_BATCH),
    singles: n(READ_ONE),
    reads: n(READ_BATCH) + n(READ_ONE),
    puts: n(PUT),
    tokens: n(TOKEN),
  };
}

/** A stack that holds every account already (adopted with its current email): reads only. */
async function adoptAll(): Promise<void> {
  const adopt = await counted(() => stack.up(goals(indexes, seedEmail)));
  expect(countOps(adopt.result).create).toBe(N);
  expect(adopt.puts).toBe(0);
}

describe("reads are coalesced", () => {
  it(`a preview of ${N} accounts with PULUMI_PARALLEL_DIFF reads them in batches of at most 100`, async () => {
    // One request slot and no tenant listings: reads that pile up behind a request in flight
    // can only go out as GET /users?uuids= batches.
    await fresh({ "acronis:readAhead": "false", "acronis:maxConcurrentRequests": "1" });
    await adoptAll();
    await stack.emulator.control.resetRequests();
    stack.calls.length = 0;
    // The first Diff's read is held on the platform while every other Diff starts and queues its
    // read behind it: a signal, not a race between delays.
    const first = await stack.emulator.control.holds.hold({
      method: "GET",
      path: "^/api/2/users/[^/]+$",
    });
    const previewing = stack.preview(goals(indexes, movedEmail), {
      parallelDiff: true,
      parallel: WORKERS,
    });
    await first.parked();
    await waitFor(
      async () =>
        stack.calls.filter((c) => c.method === "diff" && c.end === undefined).length === WORKERS,
    );
    await first.release();
    const preview = await previewing;
    expect(failures(preview)).toEqual([]);
    expect(countOps(preview).update).toBe(N);

    const reads = await stack.emulator.control.holds.arrivals(READ_BATCH);
    expect(reads.filter((r) => !r.query.startsWith("uuids="))).toEqual([]); // no listing
    const sizes = reads.map(
      (r) => new URLSearchParams(r.query).get("uuids")?.split(",").length ?? 0,
    );
    // Coalesced: batches of several ids; and none over the API's 100 (the emulator refuses those,
    // as the API does, so a bigger one would also have failed its Diffs).
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(sizes.filter((n) => n > 100)).toEqual([]);
    const singles = (await stack.emulator.control.holds.arrivals(READ_ONE)).length;
    expect(sizes.reduce((a, b) => a + b, 0) + singles).toBe(N);
  });

  it(`a preview of ${N} accounts of one tenant reads the tenant in two listing pages`, async () => {
    await fresh();
    await adoptAll();
    const preview = await counted(() => stack.preview(goals(indexes, movedEmail)));
    expect(countOps(preview.result).update).toBe(N);
    // The second read asks for the tenant's first page (a probe of 100 users), the 101st for the
    // rest (up to 2,000); reads on their own: the first two, the 101st, and the few that come
    // while the second page is on its way. test/reads.engine.test.ts pins each shape of stack
    // under the engine's default scheduling; `npm run bench` reports figures.
    expect(preview.batches).toBeGreaterThanOrEqual(2);
    expect(preview.reads).toBeLessThanOrEqual(N / 25);
  });

  it("with acronis:batchReads false, every account is one GET /users/{id}", async () => {
    await fresh();
    await adoptAll();
    await stack.configure({ config: { ...stack.config, "acronis:batchReads": "false" } });
    const preview = await counted(() =>
      stack.preview(goals(indexes, movedEmail), { parallelDiff: true }),
    );
    expect(preview.singles).toBe(N);
    expect(preview.batches).toBe(0);
  });
});

describe("requests per account", () => {
  it("an up changing non-activated accounts: one PUT each, one token per provider process", async () => {
    await fresh();
    const first = await counted(() => stack.up(goals(freshIndexes, movedEmail)));
    expect(countOps(first.result).create).toBe(freshIndexes.length);
    expect(first.puts).toBe(freshIndexes.length);
    // One token per provider process: the preview's Checks read the new accounts too. The
    // update's creates answer from its Checks' reads.
    expect(first.tokens).toBe(2);
    // At most one read per account: the PUT carries the version that read returned. (New
    // accounts carry no tenant yet, so their reads are batched only as far as they overlap.)
    expect(first.reads).toBeLessThanOrEqual(freshIndexes.length);
    for (const step of first.result.steps) expect(step.outputs?.status).toBe("synced");

    const second = await counted(() => stack.up(goals(freshIndexes, movedEmail)));
    expect(countOps(second.result).same).toBe(freshIndexes.length);
    expect(second.puts).toBe(0);
    expect(second.tokens).toBe(2); // the preview's process and the update's, one each
  });

  it("an up while confirmations are pending inside resendAfter makes no PUT", async () => {
    await fresh();
    const first = await counted(() => stack.up(goals(activatedIndexes, movedEmail)));
    expect(first.puts).toBe(activatedIndexes.length);
    for (const step of first.result.steps) expect(step.outputs?.status).toBe("pendingConfirmation");

    const again = await counted(() => stack.up(goals(activatedIndexes, movedEmail)));
    expect(again.puts).toBe(0);
    expect(again.tokens).toBe(2);
    expect((await stack.emulator.control.outbox()).length).toBe(activatedIndexes.length);
  });
});

describe("load on the platform is bounded", () => {
  const bounded = {
    "acronis:batchReads": "false",
    "acronis:maxConcurrentRequests": "4",
    // The 429 below is retried after its Retry-After, not after a random backoff.
    "acronis:retryBaseDelayMs": "0",
  };

  it("at most acronis:maxConcurrentRequests requests in flight, with Diffs on 8 workers", async () => {
    await fresh();
    await adoptAll();
    await stack.configure({ config: { ...stack.config, ...bounded } });
    // The platform holds the first 4 reads: 4 in flight at once is then a fact, not a race.
    const held = await stack.emulator.control.holds.hold({
      method: "GET",
      path: "^/api/2/users/[^/]+$",
      times: 4,
    });
    const preview = await counted(async () => {
      const previewing = stack.preview(goals(indexes.slice(0, 200), movedEmail), {
        parallelDiff: true,
        parallel: 8,
      });
      await held.parked(4);
      await held.release();
      return previewing;
    });
    expect(preview.singles).toBe(200);
    // Exactly the bound: reached (4 were held together), never passed.
    expect(preview.stats.maxInFlight).toBe(4);
  });

  it("a 429 holds back every request of the host process, queued ones too", async () => {
    await fresh();
    await adoptAll();
    await stack.configure({ config: { ...stack.config, ...bounded } });
    // Latency keeps reads queued when the 429 lands, so a pause that misses queued reads shows;
    // the assertions hold at any speed (they compare the emulator's own timestamps).
    await stack.emulator.control.latency(20);
    // The 50th account read gets a 429 asking for a 1 s pause, when many reads are queued.
    const read = { method: "GET", path: "^/api/2/users/[^/]+$" };
    await stack.emulator.control.faults([
      { ...read, times: 49, action: { type: "latency", ms: 0 } },
      { ...read, times: 1, action: { type: "status", status: 429, retryAfter: "1" } },
    ]);
    try {
      // Diffs on 8 workers: while the 429's pause lasts, reads queue up behind it.
      const preview = await counted(() =>
        stack.preview(goals(indexes.slice(0, 200), movedEmail), {
          parallelDiff: true,
          parallel: 8,
        }),
      );
      expect(preview.singles).toBe(201); // the 429 and its retry
      // Measured by the platform, from its own timestamps: from the 429's answer, the pause.
      const reads = await stack.emulator.control.holds.arrivals(READ_ONE);
      const throttled = reads.find((r) => r.status === 429);
      const at = throttled?.answeredAt ?? Number.POSITIVE_INFINITY;
      const pauseEnds = at + 1000 - TIMER_SLACK_MS;
      // Reads the host sent before it had the 429 in hand may still arrive: at most a slot's
      // worth per request it had in flight. Without a pause for the whole process, queued
      // reads would go on at 4 per 20 ms: about 200 in this second.
      const duringPause = reads.filter((r) => r.at > at && r.at < pauseEnds);
      expect(duringPause.length).toBeLessThanOrEqual(2 * 4);
      // And the throttled read was retried only after the pause, then the rest went on.
      const retried = reads.filter((r) => r.at >= pauseEnds);
      expect(retried.length).toBeGreaterThan(100);
    } finally {
      await stack.emulator.control.latency(0);
      await stack.emulator.control.clearFaults();
    }
  });
});
