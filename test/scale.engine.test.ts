import { beforeAll, describe, expect, it } from "vitest";
import { generatedUserId, generateSeed, type RequestStatsSnapshot } from "../emulator";
import { demoStackConfig } from "../emulator/demo-stack-config";
import {
  PUT_USER as PUT,
  GET_USERS as READ_BATCH,
  GET_USER as READ_ONE,
  POST_TOKEN as TOKEN,
} from "../emulator/request-keys";
import { countOps, failures, type Goal, type RunResult, type StackState } from "../engine/engine";
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

/** Every account adopted with its current email: the stack most stories start from. */
let adopted: StackState;
beforeAll(async () => {
  const adopt = await counted(() => stack.up(goals(indexes, seedEmail)));
  expect(countOps(adopt.result).create).toBe(N);
  expect(adopt.puts).toBe(0);
  adopted = stack.engine.state;
});

/**
 * A new `pulumi` command (a fresh host) on an untouched tenant, the stack holding every account
 * (`adopted`) or none: a copy of the state adopted once, not adopted again.
 */
async function fresh(
  config: Record<string, string> = {},
  state: "adopted" | "empty" = "adopted",
): Promise<void> {
  stack.restore(state === "adopted" ? adopted : { resources: [] });
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

describe("reads are coalesced", () => {
  it(`a preview of ${N} accounts with PULUMI_PARALLEL_DIFF reads them in batches of at most 100`, async () => {
    // One request slot and no tenant listings: reads that pile up behind a request in flight
    // can only go out as GET /users?uuids= batches.
    await fresh({ "acronis:readAhead": "false", "acronis:maxConcurrentRequests": "1" });
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
    // The second read asks for the tenant's first page (a probe of 100 users), which the next
    // 98 wait for; the 101st, read on its own, asks for the rest (up to 2,000). The platform
    // holds that 101st read until it has answered the page: the Diffs after it (one at a time)
    // then find their accounts read, where otherwise each that came while the page was on its
    // way would be read on its own.
    const hundredFirst = await stack.emulator.control.holds.hold({
      method: "GET",
      path: `^/api/2/users/${generatedUserId(101)}$`,
    });
    const preview = await counted(async () => {
      const previewing = stack.preview(goals(indexes, movedEmail));
      // A provider that reads otherwise may never send that read: then the counts below tell.
      let finished = false;
      const finish = () => {
        finished = true;
      };
      previewing.then(finish, finish);
      await waitFor(async () => {
        if (finished) return true;
        const arrivals = await stack.emulator.control.holds.arrivals();
        const pages = arrivals.filter((a) => a.key === READ_BATCH);
        return (
          arrivals.some((a) => a.heldBy === hundredFirst.id) &&
          pages.length === 2 &&
          pages.every((p) => p.answeredAt !== null)
        );
      });
      await hundredFirst.release();
      return previewing;
    });
    expect(countOps(preview.result).update).toBe(N);
    // Read on their own: the first, the second and the 101st; the tenant in two pages.
    expect(preview.singles).toBe(3);
    const pages = await stack.emulator.control.holds.arrivals(READ_BATCH);
    expect(pages.map((p) => new URLSearchParams(p.query).get("limit"))).toEqual(["100", null]);
  });

  it("with acronis:batchReads false, every account is one GET /users/{id}", async () => {
    await fresh();
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
    await fresh({}, "empty");
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
    await fresh({}, "empty");
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
  const READ = { method: "GET", path: "^/api/2/users/[^/]+$" };
  const bounded = {
    "acronis:batchReads": "false",
    "acronis:maxConcurrentRequests": "4",
    // The 429 below is retried after its Retry-After, not after a random backoff.
    "acronis:retryBaseDelayMs": "0",
  };

  it("at most acronis:maxConcurrentRequests requests in flight, with Diffs on 8 workers", async () => {
    await fresh();
    await stack.configure({ config: { ...stack.config, ...bounded } });
    // The platform holds every read: 4 in flight at once is then a fact, not a race; and it
    // lets them go only once 8 Diffs wait on reads, each of which a host without the bound
    // would have sent at once.
    const held = await stack.emulator.control.holds.hold({ ...READ, times: 200 });
    const preview = await counted(async () => {
      stack.calls.length = 0;
      const previewing = stack.preview(goals(indexes.slice(0, 200), movedEmail), {
        parallelDiff: true,
        parallel: 8,
      });
      await held.parked(4);
      await waitFor(
        async () =>
          stack.calls.filter((c) => c.method === "diff" && c.end === undefined).length === 8,
      );
      expect(await stack.emulator.control.holds.arrivals(READ_ONE)).toHaveLength(4);
      await held.release();
      return previewing;
    });
    expect(preview.singles).toBe(200);
    // Exactly the bound: reached (4 were held together), never passed.
    expect(preview.stats.maxInFlight).toBe(4);
  });

  it("a 429 holds back every request of the host process, queued ones too", async () => {
    await fresh();
    await stack.configure({ config: { ...stack.config, ...bounded } });
    // The first account read gets a 429 asking for a 1 s pause; the platform holds the next 3,
    // so every other slot stays taken and the Diffs' further reads are queued in the host when
    // the 429 lands: a signal, not latency that must outlast the host on a loaded machine.
    await stack.emulator.control.faults([
      { ...READ, times: 1, action: { type: "status", status: 429, retryAfter: "1" } },
    ]);
    const held = await stack.emulator.control.holds.hold({ ...READ, times: 3 });
    const preview = await counted(async () => {
      const previewing = stack.preview(goals(indexes.slice(0, 200), movedEmail), {
        parallelDiff: true,
        parallel: 8,
      });
      await held.parked(3);
      // The 429's own slot may let a queued read or two through before the host has the 429 in
      // hand; then nothing until the pause ends.
      await stack.emulator.control.holds.arrived(READ_ONE, 6);
      await held.release();
      return previewing;
    });
    expect(preview.singles).toBe(201); // the 429 and its retry
    // Measured by the platform, from its own timestamps: from the 429's answer, the pause.
    const reads = await stack.emulator.control.holds.arrivals(READ_ONE);
    expect(reads[0]?.status).toBe(429);
    const at = reads[0]?.answeredAt ?? Number.POSITIVE_INFINITY;
    const pauseEnds = at + 1000 - TIMER_SLACK_MS;
    // Without a pause for the whole process, the free slot serves queued reads at once: about 100
    // in the window (tried: the pause made a no-op). Until the host has the 429 in hand, that
    // slot may serve a quick read or two (on a loaded machine the 429's answer is read over
    // several turns of the event loop; seen: 2 in a run beside two busy loops), never more.
    expect(reads.filter((r) => r.at > at && r.at < pauseEnds).length).toBeLessThanOrEqual(3);
    // The throttled read itself was sent again only after the pause.
    const again = reads.slice(1).filter((r) => r.path === reads[0]?.path);
    expect(again).toHaveLength(1);
    expect(again[0]?.at).toBeGreaterThanOrEqual(pauseEnds);
  });
});
