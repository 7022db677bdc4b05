import { describe, expect, it } from "vitest";
import { generatedUserId, generateSeed } from "../emulator";
import { demoStackConfig } from "../emulator/demo-stack-config";
import { PUT_USER as PUT } from "../emulator/request-keys";
import { failures, type Goal, isProviderType, type RunResult } from "../engine/engine";
import type { CallRecord } from "../engine/host";
import { plan, stackForStories, waitFor } from "./support/stack";

/**
 * acronis:maxEmailChanges through the real provider host, in the sequences the CLI runs. The
 * limit counts, per provider process, the accounts whose next `up` would send a PUT: new ones in
 * Check (the engine sends them no Diff, and no Create in preview), existing ones in Diff, and
 * once more right before any write.
 */

const N = 8;
/** Odd users are not activated (a PUT changes them at once), even ones are (a PUT mails a link). */
const seed = generateSeed({ users: N, activatedRatio: 0.5 });
const id = (i: number) => generatedUserId(i);
const seedEmail = (i: number) => `user${i}@bench.example`;
const movedEmail = (i: number) => `user${i}@moved.example`;

const stack = stackForStories({
  name: "engine-max-email-changes",
  seed,
  config: (baseUrl) => demoStackConfig({ name: "engine-max-email-changes", config: {} }, baseUrl),
  engine: { parallel: 4 },
  eachStoryFresh: true,
});

function user(i: number, email: (i: number) => string): Goal {
  return stack.userEmail(`user${i}`, { userId: id(i), email: email(i) });
}

function users(which: readonly number[], email: (i: number) => string): Goal[] {
  return which.map((i) => user(i, email));
}

function limit(value: number | string): void {
  stack.configure({ config: { ...stack.config, "acronis:maxEmailChanges": String(value) } });
}

async function puts(): Promise<number> {
  return (await stack.emulator.control.requests()).counts[PUT] ?? 0;
}

async function liveEmail(i: number): Promise<string> {
  return (await stack.emulator.control.getUser(id(i))).contact.email;
}

/** Adopts accounts at the addresses they already have: in the stack, synced, nothing written. */
async function adopt(which: readonly number[]): Promise<void> {
  const result = await stack.up(users(which, seedEmail), { skipPreview: true });
  expect(failures(result)).toEqual([]);
  await stack.emulator.control.resetRequests();
}

/** The one line a refused account gets (after `UserEmail <step> account <id>: `). */
function refusal(atLeast: number, max: number): string {
  const accounts = `${atLeast} account${atLeast === 1 ? "" : "s"}`;
  return (
    `refused by acronis:maxEmailChanges: this run would change the email of at least ${accounts}, ` +
    `the limit is ${max}; nothing is written for this account (if the changes are intended, ` +
    "raise the limit: `pulumi config set acronis:maxEmailChanges <value>` or the environment " +
    "variable ACRONIS_MAX_EMAIL_CHANGES)"
  );
}

function failed(result: RunResult): Record<string, string> {
  return Object.fromEntries(failures(result).map((s) => [s.name, s.error ?? ""]));
}

describe("within the limit", () => {
  it("unset: no limit", async () => {
    const goals = users([1, 2, 3, 4, 5], movedEmail);
    expect(failures(await stack.preview(goals))).toEqual([]);
    // The first preview reads the new accounts (a token, 3 GETs, a page answering the other 2).
    expect((await stack.emulator.control.requests()).total).toBe(5);
    expect(failures(await stack.up(goals))).toEqual([]);
    expect(await puts()).toBe(5);
  });

  // Two existing accounts drift (counted in Diff), one new account differs (counted in Check),
  // two new ones already hold their address and one existing is synced (not counted): 3 changes.
  // With --skip-preview, Check and Create (Diff and Update) see the same account in one process.
  it.each([
    ["not reached", 4, false],
    ["reached exactly", 3, false],
    ["reached exactly, --skip-preview", 3, true],
  ])("%s (limit %s)", async (_name, max, skipPreview) => {
    await adopt([1, 2, 3]);
    limit(max);
    const goals = [
      user(1, movedEmail),
      user(2, movedEmail),
      user(3, seedEmail),
      user(4, seedEmail),
      user(5, movedEmail),
      user(6, seedEmail),
    ];
    if (!skipPreview) {
      const preview = await stack.preview(goals);
      expect(plan(preview)).toEqual({
        user1: "update",
        user2: "update",
        user3: "same",
        user4: "create",
        user5: "create",
        user6: "create",
      });
      expect(await puts()).toBe(0);
    }
    const result = await stack.up(goals, { skipPreview });
    expect(failures(result)).toEqual([]);
    expect(await puts()).toBe(3);
    for (const i of [1, 2, 5])
      expect(stack.engine.resource(`user${i}`)?.outputs.email).toBe(movedEmail(i));
    expect(await liveEmail(1)).toBe(movedEmail(1));
    expect(await liveEmail(5)).toBe(movedEmail(5));
  });
});

describe("passed by one", () => {
  const goals = () => [
    user(1, movedEmail),
    user(2, movedEmail),
    user(3, seedEmail),
    user(5, movedEmail),
    user(6, seedEmail),
    user(8, movedEmail),
  ];

  it("fails the preview at the account past the limit, in Check for a new account", async () => {
    await adopt([1, 2, 3]);
    limit(3);
    const result = await stack.preview(goals());
    expect(failed(result)).toEqual({
      user8: `UserEmail check account ${id(8)}: ${refusal(4, 3)}`,
    });
    expect(failures(result)[0]?.error).not.toContain("@");
    expect(await puts()).toBe(0);
  });

  it("fails the preview at the account past the limit, in Diff for an existing one", async () => {
    await adopt([1, 2, 3]);
    limit(2);
    const result = await stack.preview([
      user(5, movedEmail),
      user(1, movedEmail),
      user(2, movedEmail),
    ]);
    expect(failed(result)).toEqual({ user2: `UserEmail diff account ${id(2)}: ${refusal(3, 2)}` });
  });

  it("up stops in its preview phase and writes nothing at all", async () => {
    await adopt([1, 2, 3]);
    limit(3);
    const result = await stack.up(goals());
    expect(result.preview).toBeDefined();
    expect(Object.keys(failed(result))).toEqual(["user8"]);
    expect(result.hosts).toBe(1); // the update deployment never started
    expect(await puts()).toBe(0);
    expect(await stack.emulator.control.outbox()).toEqual([]);
    for (const i of [1, 2, 5, 8]) expect(await liveEmail(i)).toBe(seedEmail(i));
    // The state also holds the default provider (engine/default-provider.ts): left out here.
    const resources = stack.engine.resources().filter((r) => !isProviderType(r.type));
    expect(resources.map((r) => r.name)).toEqual(["user1", "user2", "user3"]);
  });

  it("up --skip-preview writes the first `limit` accounts in program order, then stops", async () => {
    limit(3);
    const result = await stack.up(users([1, 3, 5, 7, 2], movedEmail), { skipPreview: true });
    expect(failed(result)).toEqual({ user7: `UserEmail check account ${id(7)}: ${refusal(4, 3)}` });
    expect(await puts()).toBe(3);
    for (const i of [1, 3, 5]) expect(await liveEmail(i)).toBe(movedEmail(i));
    for (const i of [7, 2]) expect(await liveEmail(i)).toBe(seedEmail(i));
    expect(await stack.emulator.control.outbox()).toEqual([]);
  });

  it("a resource moved to another account is counted in Check, as a new one", async () => {
    await adopt([1]);
    limit(0);
    const moved = stack.userEmail("user1", { userId: id(3), email: movedEmail(3) });
    const result = await stack.preview([moved]);
    expect(failed(result)).toEqual({ user1: `UserEmail check account ${id(3)}: ${refusal(1, 0)}` });
    expect(await puts()).toBe(0);
  });
});

describe("PULUMI_PARALLEL_DIFF=true: Diffs at once on the workers", () => {
  const ALL = Array.from({ length: N }, (_, k) => k + 1);
  /**
   * Parks the first Diff on its token request (the accounts are adopted: Check reads none), and releases it only once a
   * second Diff has started: the Diffs then overlap by construction, not by a delay outrunning
   * the host. Serialized Diffs never start a second one, and the wait fails.
   */
  async function holdFirstDiffUntilSecondStarts(): Promise<void> {
    const token = await stack.emulator.control.holds.hold({
      method: "POST",
      path: "/api/2/idp/token",
    });
    await token.parked();
    await waitFor(async () => stack.calls.filter((c) => c.method === "diff").length >= 2);
    await token.release();
  }
  const diffsOverlapped = (calls: readonly CallRecord[]) => {
    const diffs = calls.filter((c) => c.method === "diff");
    return diffs.some((a) =>
      diffs.some((b) => a !== b && b.start < (a.end ?? Infinity) && a.start < (b.end ?? Infinity)),
    );
  };

  it("preview and up still fail when the stack would pass the limit, writing nothing", async () => {
    await adopt(ALL);
    limit(3);
    stack.calls.length = 0;
    const [preview] = await Promise.all([
      stack.preview(users(ALL, movedEmail), { parallelDiff: true }),
      holdFirstDiffUntilSecondStarts(),
    ]);
    expect(diffsOverlapped(stack.calls)).toBe(true);
    expect(failures(preview).length).toBeGreaterThanOrEqual(1);
    for (const error of Object.values(failed(preview))) {
      expect(error).toMatch(
        /^UserEmail diff account [0-9a-f-]{36}: refused by acronis:maxEmailChanges: /,
      );
    }
    const up = await stack.up(users(ALL, movedEmail), { parallelDiff: true });
    expect(failures(up).length).toBeGreaterThanOrEqual(1);
    expect(await puts()).toBe(0);
  });

  it("up --skip-preview writes at most `limit` accounts, whichever Diffs counted first", async () => {
    await adopt(ALL);
    limit(3);
    stack.calls.length = 0;
    const [result] = await Promise.all([
      stack.up(users(ALL, movedEmail), { parallelDiff: true, skipPreview: true }),
      holdFirstDiffUntilSecondStarts(),
    ]);
    expect(diffsOverlapped(stack.calls)).toBe(true);
    expect(failures(result).length).toBeGreaterThanOrEqual(1);
    const written = result.steps.filter((s) => s.ok && s.op === "update").map((s) => s.name);
    expect(written.length).toBeLessThanOrEqual(3);
    expect(await puts()).toBe(written.length);
    // A non-activated account changed, an activated one got a link: either way it was written.
    const mailed = new Set((await stack.emulator.control.outbox()).map((m) => m.userId));
    const touched = [];
    for (const i of ALL) {
      if ((await liveEmail(i)) === movedEmail(i) || mailed.has(id(i))) touched.push(`user${i}`);
    }
    expect(touched.sort()).toEqual([...written].sort());
  });
});

describe("0: this stack may change no email", () => {
  it("passes a preview and an up that change nothing, and fails one that would", async () => {
    await adopt([1, 2]);
    stack.configure({ env: { ACRONIS_MAX_EMAIL_CHANGES: "0" } });
    const unchanged = users([1, 2, 3, 4], seedEmail);
    expect(plan(await stack.preview(unchanged))).toEqual({
      user1: "same",
      user2: "same",
      user3: "create",
      user4: "create",
    });
    expect(failures(await stack.up(unchanged))).toEqual([]);
    const result = await stack.preview([...unchanged, user(5, movedEmail)]);
    expect(failed(result)).toEqual({ user5: `UserEmail check account ${id(5)}: ${refusal(1, 0)}` });
    expect(await puts()).toBe(0);
  });

  it("never refuses a destroy, whose provider is configured with the limit of the last update", async () => {
    limit(0);
    expect(failures(await stack.up(users([1, 2], seedEmail), { skipPreview: true }))).toEqual([]);
    const destroyed = await stack.destroy();
    expect(failures(destroyed)).toEqual([]);
    expect(destroyed.steps.map((s) => [s.name, s.op])).toEqual([
      ["user1", "delete"],
      ["user2", "delete"],
    ]);
    expect(stack.engine.resources()).toEqual([]);
  });
});

describe("pending confirmations", () => {
  it("are not counted inside resendAfter, and are once a new link would go out", async () => {
    const active = stack.userEmail("user2", {
      userId: id(2),
      email: movedEmail(2),
      resendAfter: "1h",
    });
    expect(failures(await stack.up([active]))).toEqual([]);
    expect(stack.engine.resource("user2")?.outputs.status).toBe("pendingConfirmation");
    expect(await puts()).toBe(1);

    limit(0);
    expect(plan(await stack.preview([active]))).toEqual({ user2: "update" });
    expect(plan(await stack.up([active]))).toEqual({ user2: "update" });
    expect(await puts()).toBe(1);

    // resendAfter has passed (the stored request is backdated): the next up would send a link.
    const state = stack.engine.resource("user2");
    if (!state) throw new Error("no state for user2");
    state.outputs.confirmationRequestedAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const result = await stack.up([active]);
    expect(failed(result)).toEqual({ user2: `UserEmail diff account ${id(2)}: ${refusal(1, 0)}` });
    expect(await puts()).toBe(1);
    expect(await stack.emulator.control.outbox()).toHaveLength(1);
  });
});

describe("the write itself is guarded", () => {
  it("an account no Check or Diff of the process counted is refused before its PUT", async () => {
    await adopt([1]);
    limit(0);
    // The engine always sends Diff before Update in one process, and Diff counts; the provider
    // does not rely on it. An Update alone, in a process that counted nothing, is refused too.
    const host = await stack.startHost();
    const state = stack.engine.resource("user1");
    if (!state) throw new Error("no state for user1");
    const checked = await host.check(state.urn, state.inputs, user(1, movedEmail).inputs);
    await expect(host.update(state.urn, state.id, state.outputs, checked.inputs)).rejects.toThrow(
      `UserEmail update account ${id(1)}: ${refusal(1, 0)}`,
    );
    expect(await puts()).toBe(0);
    expect(await liveEmail(1)).toBe(seedEmail(1));
  });
});

describe("one count per provider process", () => {
  it("is not reset when the host configures a second provider text in the same deployment", async () => {
    limit(2);
    const second = user(5, movedEmail);
    // Another copy of the provider (e.g. a component library's): the host revives and configures
    // it separately, in the same process.
    second.inputs = {
      ...second.inputs,
      __provider: `${stack.workspace.providerText}\n// copy 2\n`,
    };
    const result = await stack.preview([user(1, movedEmail), user(3, movedEmail), second]);
    expect(failed(result)).toEqual({ user5: `UserEmail check account ${id(5)}: ${refusal(3, 2)}` });
  });
});

describe("a bad value", () => {
  it.each([
    ["negative", "-1"],
    ["not a number", "many"],
    ["fractional", "2.5"],
  ])("%s fails Check before any request, naming the setting", async (_name, value) => {
    limit(value);
    const result = await stack.preview(users([1, 3], movedEmail));
    expect(failed(result)).toEqual({
      user1:
        `UserEmail check account ${id(1)}: acronis:maxEmailChanges (or ACRONIS_MAX_EMAIL_CHANGES): ` +
        "must be a whole number from 0 to 1000000 (leave it unset for no limit)",
    });
    expect((await stack.emulator.control.requests()).total).toBe(0);
  });

  it("from the environment too", async () => {
    stack.configure({ env: { ACRONIS_MAX_EMAIL_CHANGES: "ten" } });
    const result = await stack.preview(users([1], movedEmail));
    expect(failed(result).user1).toContain(
      "acronis:maxEmailChanges (or ACRONIS_MAX_EMAIL_CHANGES)",
    );
  });
});
