import { describe, expect, it } from "vitest";
import { generatedUserId, generateSeed } from "../emulator";
import { demoStackConfig } from "../emulator/demo-stack-config";
import { PUT_USER as PUT } from "../emulator/request-keys";
import { failures, type Goal, type RunResult } from "../engine/engine";
import { plan, stackForStories } from "./support/stack";

/**
 * acronis:maxEmailChanges under the refresh the engine really runs (each Read followed by a
 * Diff): a 40-account stack, 20 accounts re-pointed on the platform by someone else, 3 with a
 * confirmation pending, the limit 5. The refresh writes nothing and must not be refused; every
 * command that would write refuses exactly when the update would change more than the limit.
 */

const N = 40;
/** Odd users are not activated, even ones are (a PUT mails a link and leaves them pending). */
const seed = generateSeed({ users: N, activatedRatio: 0.5 });
const ALL = Array.from({ length: N }, (_, k) => k + 1);
const PENDING = [2, 4, 6];
const DRIFTED = ALL.filter((i) => i > 10 && i <= 30);
const seedEmail = (i: number) => `user${i}@bench.example`;
const movedEmail = (i: number) => `user${i}@moved.example`;

const stack = stackForStories({
  name: "engine-refresh-guard",
  seed,
  config: (baseUrl) => demoStackConfig({ name: "engine-refresh-guard", config: {} }, baseUrl),
  engine: { parallel: 8 },
  // Each story starts from an empty stack and a fresh platform, and builds its own starting point.
  eachStoryFresh: "destroy must succeed",
});

function limit(value: number): void {
  stack.configure({ config: { ...stack.config, "acronis:maxEmailChanges": String(value) } });
}

/** The program: every account at its seed address, the pending ones at their new one. */
function program(): Goal[] {
  return ALL.map((i) =>
    stack.userEmail(`user${i}`, {
      userId: generatedUserId(i),
      email: PENDING.includes(i) ? movedEmail(i) : seedEmail(i),
    }),
  );
}

async function puts(): Promise<number> {
  return (await stack.emulator.control.requests()).counts[PUT] ?? 0;
}

/**
 * The starting point: adopted under limit 5, 3 confirmations requested, 20 re-pointed elsewhere
 * by someone else; `refreshed`: then a refresh recorded them as drifted. No request counted yet.
 */
async function setUp(options: { refreshed: boolean }): Promise<void> {
  limit(5);
  // One up adopts the 37 at their seed address and asks the 3 pending ones to confirm.
  expect(failures(await stack.up(program()))).toEqual([]);
  expect(await puts()).toBe(3);
  for (const i of PENDING) {
    expect(stack.engine.resource(`user${i}`)?.outputs.status).toBe("pendingConfirmation");
  }
  for (const i of DRIFTED) {
    await stack.emulator.control.patchUser(generatedUserId(i), {
      email: `user${i}@elsewhere.example`,
    });
  }
  if (options.refreshed) expect(failures(await stack.refresh())).toEqual([]);
  await stack.emulator.control.resetRequests();
}

/** Every failed step is Diff's refusal, naming the count it reached and the limit. */
function expectRefused(result: RunResult, max = 5): void {
  expect(failures(result).length).toBeGreaterThanOrEqual(1);
  for (const step of failures(result)) {
    expect(step.error).toMatch(
      new RegExp(
        `^UserEmail diff account [0-9a-f-]{36}: refused by acronis:maxEmailChanges: this run would change the email of at least ${max + 1} accounts, the limit is ${max};`,
      ),
    );
  }
}

describe("40 accounts, 20 drifted, 3 pending, acronis:maxEmailChanges=5", () => {
  it("refresh succeeds (configured from state, limit 5) and shows drifted and pending as updates", async () => {
    await setUp({ refreshed: false });
    const result = await stack.refresh();
    expect(failures(result)).toEqual([]);
    const expected = Object.fromEntries(
      ALL.map((i) => [`user${i}`, DRIFTED.includes(i) || PENDING.includes(i) ? "update" : "same"]),
    );
    expect(plan(result.preview as RunResult)).toEqual(expected);
    expect(plan(result)).toEqual(expected);
    for (const i of DRIFTED) {
      expect(stack.engine.resource(`user${i}`)?.outputs.status).toBe("drifted");
    }
    const run = { runProgram: true, program: program(), skipPreview: true };
    expect(failures(await stack.refresh(run))).toEqual([]);
    expect(await puts()).toBe(0);
  });

  it("preview, preview --refresh, up and up --refresh are refused, writing nothing", async () => {
    await setUp({ refreshed: true });
    expectRefused(await stack.preview(program()));
    expectRefused(await stack.preview(program(), { refresh: true }));
    const up = await stack.up(program());
    expectRefused(up);
    expect(up.preview).toBeDefined();
    expectRefused(await stack.up(program(), { refresh: true }));
    expect(await puts()).toBe(0);
  });

  it("up --refresh --skip-preview is refused after writing the first 5", async () => {
    await setUp({ refreshed: true });
    expectRefused(await stack.up(program(), { refresh: true, skipPreview: true }));
    expect(await puts()).toBe(5);
  });

  it("with the limit at exactly the 20 changes, up --refresh passes; one less is refused", async () => {
    await setUp({ refreshed: true });
    limit(19);
    expectRefused(await stack.preview(program(), { refresh: true }), 19);
    expect(await puts()).toBe(0);
    limit(20);
    const result = await stack.up(program(), { refresh: true });
    expect(failures(result)).toEqual([]);
    expect(await puts()).toBe(20);
    for (const i of ALL) {
      expect(stack.engine.resource(`user${i}`)?.outputs.status).not.toBe("drifted");
    }
  });
});
