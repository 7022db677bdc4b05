import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatedUserId, generateSeed } from "../emulator";
import { demoStackConfig } from "../emulator/demo-stack-config";
import { USER_PATH } from "../emulator/request-keys";
import { failures, type Goal } from "../engine/engine";
import type { CallRecord } from "../engine/host";
import { openStack, type TestStack } from "./support/stack";

/**
 * The local engine schedules provider calls as the Pulumi engine does (engine/engine.ts cites the
 * engine source for each rule). These tests look at the calls the real provider host received,
 * with the emulator slow enough that calls which may overlap do overlap.
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
    await stack.emulator.control.latency(40);
  });
  afterAll(() => stack.close());

  it("sends Check and Diff one at a time, in program order, and never more than P steps", async () => {
    expect(failures(await stack.up(accounts(seedEmail), { skipPreview: true }))).toEqual([]);
    stack.calls.length = 0;
    // The platform holds the first P writes: P update steps are then in their PUT at once, a
    // signal rather than delays that must outrun the host on a loaded machine.
    const held = await stack.emulator.control.holds.hold({
      method: "PUT",
      path: USER_PATH,
      times: P,
    });
    const running = stack.up(accounts(movedEmail), { skipPreview: true });
    expect(await held.parked(P)).toHaveLength(P);
    await held.release();
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
    await stack.emulator.control.latency(40);
  });
  afterAll(() => stack.close());

  it("lets up to P Diffs overlap; Check stays serial", async () => {
    expect(failures(await stack.up(accounts(seedEmail), { skipPreview: true }))).toEqual([]);
    stack.calls.length = 0;
    // Two Diffs' reads held on the platform together: two Diffs in flight at once, by signal.
    const held = await stack.emulator.control.holds.hold({
      method: "GET",
      path: "^/api/2/users/[^/]+$",
      times: 2,
    });
    const previewing = stack.preview(accounts(movedEmail));
    await held.parked(2);
    await held.release();
    expect(failures(await previewing)).toEqual([]);
    const diffs = maxOverlap(stack.calls, new Set(["diff"]));
    expect(diffs).toBeGreaterThan(1);
    expect(diffs).toBeLessThanOrEqual(P);
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
