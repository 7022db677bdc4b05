import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatedUserId, generateSeed } from "../emulator";
import { demoStackConfig } from "../emulator/demo-stack-config";
import { GET_USER, PUT_USER, USER_PATH } from "../emulator/request-keys";
import { failures, type Goal } from "../engine/engine";
import type { CallRecord } from "../engine/host";
import { openStack, type TestStack, waitFor } from "./support/stack";

/**
 * The local engine schedules provider calls as the Pulumi engine does (engine/engine.ts cites the
 * engine source for each rule). These tests look at the calls the real provider host received,
 * while the platform holds the requests that keep a call in flight: overlap is then a fact the
 * test waits for, and its absence is seen in the record the engine (in this process) keeps.
 */

const ACCOUNTS = 12;
const STEP_CALLS = new Set(["create", "update", "delete", "read"]);
const GENERATION_CALLS = new Set(["check", "diff"]);

/** The most calls of `methods` in flight at one moment. */
function maxOverlap(calls: readonly CallRecord[], methods: Set<string>): number {
  const edges: [number, number][] = [];
  for (const c of calls) {
    if (!methods.has(c.method)) continue;
    edges.push([c.start, 1], [c.end ?? Number.POSITIVE_INFINITY, -1]);
  }
  // Ends before starts at the same instant: touching calls do not overlap.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, delta] of edges) {
    now += delta;
    peak = Math.max(peak, now);
  }
  return peak;
}

/** One account's read (GET /users/{id}), what each Diff sends with batch reads off. */
const READ_PATH = "^/api/2/users/[^/]+$";

/** The Checks and Diffs sent so far, in order: method, resource name, running or done. */
function generation(calls: readonly CallRecord[]): [string, string, "running" | "done"][] {
  return calls
    .filter((c) => GENERATION_CALLS.has(c.method))
    .map((c) => [
      c.method,
      c.urn.split("::").pop() ?? "",
      c.end === undefined ? "running" : "done",
    ]);
}

/** Step calls (create, update, delete, read) sent and not yet answered. */
function stepsRunning(calls: readonly CallRecord[]): number {
  return calls.filter((c) => STEP_CALLS.has(c.method) && c.end === undefined).length;
}

let stack: TestStack;

function accounts(email: (i: number) => string): Goal[] {
  return Array.from({ length: ACCOUNTS }, (_, k) =>
    stack.userEmail(`user${k + 1}`, { userId: generatedUserId(k + 1), email: email(k + 1) }),
  );
}
const seedEmail = (i: number) => `user${i}@bench.example`;
const movedEmail = (i: number) => `user${i}@moved.example`;

async function openWith(engine: Parameters<typeof openStack>[0]["engine"]): Promise<TestStack> {
  return openStack({
    name: "scheduling",
    // Not activated: every change is applied at once, so each up really writes.
    seed: generateSeed({ users: ACCOUNTS, activatedRatio: 0 }),
    config: (baseUrl) => ({
      ...demoStackConfig({ name: "scheduling", config: {} }, baseUrl),
      // One request per read: a batch would make several steps wait on one request.
      "acronis:batchReads": "false",
    }),
    ...(engine ? { engine } : {}),
  });
}

describe("default mode: one Check or Diff at a time, steps on P workers", () => {
  const P = 3;
  beforeAll(async () => {
    stack = await openWith({ parallel: P });
  });
  afterAll(() => stack.close());

  it("sends Check and Diff one at a time, in program order, and never more than P steps", async () => {
    expect(failures(await stack.up(accounts(seedEmail), { skipPreview: true }))).toEqual([]);
    stack.calls.length = 0;
    await stack.emulator.control.resetRequests();
    // The platform holds the first Diff's read, and every write: while the read is held the
    // deployment can only wait; while P writes are held every worker is busy.
    const firstRead = await stack.emulator.control.holds.hold({ method: "GET", path: READ_PATH });
    const writes = await stack.emulator.control.holds.hold({
      method: "PUT",
      path: USER_PATH,
      times: ACCOUNTS,
    });
    const running = stack.up(accounts(movedEmail), { skipPreview: true });

    // The engine runs in this process and sends each call the moment it decides to: by the time
    // the read is reported parked, any Check or Diff sent beside it would be in the record.
    await firstRead.parked();
    expect(generation(stack.calls)).toEqual([
      ["check", "user1", "done"],
      ["diff", "user1", "running"],
    ]);
    await firstRead.release();

    // P updates in their PUTs; the loop checks and diffs one resource ahead, then waits.
    expect(await writes.parked(P)).toHaveLength(P);
    const next = `user${P + 1}`;
    await waitFor(async () =>
      generation(stack.calls).some((c) => c[1] === next && c[0] === "diff" && c[2] === "done"),
    );
    // A free worker would have had user{P+1}'s update started when its Diff returned (in this
    // process, before the wait above saw it): there is none, and nothing is checked further.
    expect(stepsRunning(stack.calls)).toBe(P);
    expect(generation(stack.calls).map((c) => c[1])).not.toContain(`user${P + 2}`);
    expect(await stack.emulator.control.holds.arrivals(PUT_USER)).toHaveLength(P);
    await writes.release();

    const result = await running;
    expect(failures(result)).toEqual([]);
    expect(result.steps.filter((s) => s.op === "update")).toHaveLength(ACCOUNTS);
    expect(maxOverlap(stack.calls, GENERATION_CALLS)).toBe(1);
    const checks = stack.calls.filter((c) => c.method === "check").map((c) => c.urn);
    expect(checks.map((urn) => urn.split("::").pop())).toEqual(
      Array.from({ length: ACCOUNTS }, (_, k) => `user${k + 1}`),
    );
    // P steps were held in their writes together: all P workers were used, never more.
    expect(maxOverlap(stack.calls, STEP_CALLS)).toBe(P);
    // The later writes came only once the held ones were let go.
    const puts = await stack.emulator.control.holds.arrivals(PUT_USER);
    const releasedAt = Math.min(...puts.slice(0, P).map((a) => a.releasedAt ?? Infinity));
    for (const later of puts.slice(P)) expect(later.at).toBeGreaterThanOrEqual(releasedAt);
  });

  it("starts no new Check while every worker is busy", async () => {
    await stack.destroy();
    stack.calls.length = 0;
    expect(failures(await stack.up(accounts(seedEmail), { skipPreview: true }))).toEqual([]);
    const steps = stack.calls.filter((c) => STEP_CALLS.has(c.method));
    for (const check of stack.calls.filter((c) => c.method === "check")) {
      const checked = stack.calls.filter(
        (c) => c.method === "check" && c.start <= check.start,
      ).length;
      const finished = steps.filter((s) => (s.end ?? Infinity) <= check.start).length;
      // The loop hands a step to a free worker, then checks the next resource: it is at most
      // one resource ahead of P running steps.
      expect(checked - finished).toBeLessThanOrEqual(P + 1);
    }
  });
});

describe("PULUMI_PARALLEL_DIFF=true", () => {
  const P = 4;
  beforeAll(async () => {
    stack = await openWith({ parallel: P, parallelDiff: true });
  });
  afterAll(() => stack.close());

  it("lets up to P Diffs overlap; Check stays serial", async () => {
    expect(failures(await stack.up(accounts(seedEmail), { skipPreview: true }))).toEqual([]);
    stack.calls.length = 0;
    await stack.emulator.control.resetRequests();
    // Every Diff's read held on the platform: P Diffs in flight at once, by signal, and no more.
    const held = await stack.emulator.control.holds.hold({
      method: "GET",
      path: READ_PATH,
      times: ACCOUNTS,
    });
    const previewing = stack.preview(accounts(movedEmail));
    expect(await held.parked(P)).toHaveLength(P);
    const next = `user${P + 1}`;
    await waitFor(async () =>
      generation(stack.calls).some((c) => c[1] === next && c[0] === "check" && c[2] === "done"),
    );
    // user{P+1} is checked; its Diff would have started on a free worker by now: none is free.
    expect(stack.calls.filter((c) => c.method === "diff" && c.end === undefined)).toHaveLength(P);
    expect(stack.calls.filter((c) => c.method === "diff")).toHaveLength(P);
    expect(await stack.emulator.control.holds.arrivals(GET_USER)).toHaveLength(P);
    await held.release();
    expect(failures(await previewing)).toEqual([]);
    expect(maxOverlap(stack.calls, new Set(["diff"]))).toBe(P);
    expect(maxOverlap(stack.calls, new Set(["check"]))).toBe(1);
  });
});

describe("pulumi up is a preview and an update, each with its own provider process", () => {
  beforeAll(async () => {
    stack = await openWith(undefined);
  });
  afterAll(() => stack.close());

  it("up starts two host processes; the preview sends no Create or Update", async () => {
    stack.calls.length = 0;
    const result = await stack.up(accounts(seedEmail));
    expect(failures(result)).toEqual([]);
    expect(result.hosts).toBe(2);
    expect(new Set(stack.hosts.map((h) => h.pid)).size).toBe(2);
    expect(result.preview?.steps.map((s) => s.op)).toEqual(Array(ACCOUNTS).fill("create"));
    // The preview phase checks every resource; only the update phase creates.
    const creates = stack.calls.filter((c) => c.method === "create");
    const firstCreate = Math.min(...creates.map((c) => c.start));
    const previewChecks = stack.calls.filter((c) => c.method === "check" && c.start < firstCreate);
    expect(previewChecks.length).toBeGreaterThanOrEqual(ACCOUNTS);
    expect(creates).toHaveLength(ACCOUNTS);
  });

  it("up --skip-preview starts one", async () => {
    const before = stack.hosts.length;
    const result = await stack.up(accounts(movedEmail), { skipPreview: true });
    expect(failures(result)).toEqual([]);
    expect(result.hosts).toBe(1);
    expect(stack.hosts.length - before).toBe(1);
    expect(result.preview).toBeUndefined();
  });
});
