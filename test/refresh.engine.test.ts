import { describe, expect, it } from "vitest";
import { Engine, failures, type ResourceState } from "../engine/engine";
import { CLIENT_SECRET, FOREIGN_TENANT, USERS } from "./support/fixtures";
import { plan, stackForStories } from "./support/stack";

/**
 * `pulumi refresh` (and the refresh of `up --refresh`) as the engine runs it, through the real
 * provider host: each Read followed by a Diff (step.go `RefreshStep.Apply`), a preview then the
 * execution (diy/backend.go `Refresh`), the provider configured from the state
 * (default-provider.ts), and a failed Read stopping `up --refresh` before the program.
 */

const stack = stackForStories({ name: "engine-refresh", eachStoryFresh: "destroy must succeed" });

/** Not activated: the PUT changes it at once, so it ends synced. */
const fresh2 = () =>
  stack.userEmail("fresh2", { userId: USERS.fresh2, email: "fresh2@new.example.com" });
/** Activated: the PUT mails a link, so it ends pending. */
const active = () =>
  stack.userEmail("active", { userId: USERS.active, email: "active@new.example.com" });
/** Already at its address: synced without a write. */
const fresh = () =>
  stack.userEmail("fresh", { userId: USERS.fresh, email: "fresh@old.example.com" });

/** The methods each resource's provider calls were, in order. */
function callsByResource(): Record<string, string[]> {
  const by: Record<string, string[]> = {};
  for (const call of stack.calls) {
    const name = call.urn.split("::").at(-1) ?? "";
    if (name) by[name] = [...(by[name] ?? []), call.method];
  }
  return by;
}

describe("each refresh Read is followed by a Diff", () => {
  it("shows drifted and pending accounts as updates, synced ones as same", async () => {
    expect(failures(await stack.up([fresh2(), active(), fresh()]))).toEqual([]);
    await stack.emulator.control.patchUser(USERS.fresh2, { email: "someone@else.example.net" });
    stack.calls.length = 0;

    const result = await stack.refresh({ skipPreview: true });
    expect(plan(result)).toEqual({ fresh2: "update", active: "update", fresh: "same" });
    expect(callsByResource()).toEqual({
      fresh2: ["read", "diff"],
      active: ["read", "diff"],
      fresh: ["read", "diff"],
    });
    expect(stack.engine.resource("fresh2")?.outputs.status).toBe("drifted");
  });

  it("costs no request beyond the Reads' (the Diff reads from the process's one-minute cache)", async () => {
    expect(failures(await stack.up([fresh2(), active(), fresh()]))).toEqual([]);
    await stack.emulator.control.patchUser(USERS.fresh2, { email: "someone@else.example.net" });
    // The state as the engine holds it (secrets in plain text, as the provider needs them).
    const before = structuredClone(stack.engine.resources());
    const count = async (engine: Engine) => {
      await stack.emulator.control.resetRequests();
      expect(failures(await engine.refresh({ skipPreview: true }))).toEqual([]);
      return (await stack.emulator.control.requests()).counts;
    };
    const withDiffs = await count(stack.engine);
    // The same refresh of the same state without the Diffs (PULUMI_ENABLE_LEGACY_REFRESH_DIFF).
    const state = { resources: before };
    const legacy = new Engine({ ...stack.engine.options, state, legacyRefreshDiff: true });
    const withoutDiffs = await count(legacy);
    expect(stack.calls.filter((c) => c.method === "diff")).toHaveLength(3);
    expect(withDiffs).toEqual(withoutDiffs);
    expect(Object.keys(withDiffs).length).toBeGreaterThan(0);
  });
});

describe("refresh and destroy: a preview, then the execution", () => {
  it("each with its own provider process, unless --skip-preview", async () => {
    expect(failures(await stack.up([fresh2()]))).toEqual([]);
    const before = stack.hosts.length;
    stack.calls.length = 0;

    const refreshed = await stack.refresh();
    expect(plan(refreshed.preview ?? refreshed)).toEqual({ fresh2: "same" });
    expect(refreshed.hosts).toBe(2);
    expect(stack.hosts.length - before).toBe(2);
    expect(stack.calls.filter((c) => c.method === "read")).toHaveLength(2);

    const skipped = await stack.refresh({ skipPreview: true });
    expect(skipped.preview).toBeUndefined();
    expect(skipped.hosts).toBe(1);

    // The destroy preview calls no provider: only the execution starts a process.
    const destroyed = await stack.destroy();
    expect(plan(destroyed.preview ?? destroyed)).toEqual({ fresh2: "delete" });
    expect(plan(destroyed)).toEqual({ fresh2: "delete" });
    expect(destroyed.hosts).toBe(1);
    expect(stack.engine.resource("fresh2")).toBeUndefined();
  });
});

describe("providers configured from the state", () => {
  it("the default provider's state holds the stack config, its secret encrypted", async () => {
    expect(failures(await stack.up([fresh2()]))).toEqual([]);
    const stored = stack.engine.state.resources.find(
      (r) => r.type === "pulumi:providers:pulumi-nodejs" && r.name === "default",
    );
    expect(stored?.inputs["acronis:baseUrl"]).toBe(stack.emulator.baseUrl);
    expect(stored?.inputs["acronis:clientSecret"]).toMatchObject({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    });
    expect(JSON.stringify(stack.engine.state)).not.toContain(CLIENT_SECRET);
  });

  it("refresh and destroy use the config of the last update; --run-program the current one", async () => {
    expect(failures(await stack.up([fresh2()]))).toEqual([]);
    // The client secret changed in the stack config (rotated) since the last `up`.
    stack.configure({ config: { ...stack.config, "acronis:clientSecret": "rotated-not-yet-up" } });

    expect(failures(await stack.refresh())).toEqual([]);
    // --run-program: the program registers the default provider with the current config.
    const current = await stack.refresh({
      runProgram: true,
      program: [fresh2()],
      skipPreview: true,
    });
    expect(failures(current).map((s) => s.name)).toEqual(["fresh2"]);
    expect(failures(current)[0]?.error).toMatch(/UserEmail refresh account .*401/);
  });
});

describe("resources marked for deletion", () => {
  it("are refreshed too", async () => {
    expect(failures(await stack.up([fresh2()]))).toEqual([]);
    // A replaced account waiting for its delete (the run that replaced it stopped before).
    const known = stack.engine.resource("fresh2") as ResourceState;
    stack.engine.put({ ...known, pendingDelete: true });
    stack.calls.length = 0;

    const result = await stack.refresh({ skipPreview: true });
    expect(failures(result)).toEqual([]);
    expect(result.steps.map((s) => s.name)).toEqual(["fresh2", "fresh2"]);
    expect(stack.calls.filter((c) => c.method === "read")).toHaveLength(2);
  });
});

describe("a failed refresh Read", () => {
  it("fails the refresh and stops `up --refresh` before the program runs", async () => {
    expect(failures(await stack.up([fresh2()]))).toEqual([]);
    // A resource in state whose account the API client may not see: its Read fails (403).
    const known = stack.engine.resource("fresh2") as ResourceState;
    stack.engine.put({
      ...known,
      urn: known.urn.replace(/fresh2$/, "foreign"),
      name: "foreign",
      id: USERS.foreign,
      outputs: { ...known.outputs, userId: USERS.foreign, tenantId: FOREIGN_TENANT },
    });
    stack.calls.length = 0;

    const result = await stack.up([fresh2(), fresh()], { refresh: true, skipPreview: true });
    expect(failures(result).map((s) => [s.name, s.op])).toEqual([["foreign", "refresh"]]);
    expect(plan(result)).toMatchObject({ fresh2: "same" });
    expect(stack.calls.filter((c) => c.method === "check")).toEqual([]);
    expect(stack.engine.resource("fresh")).toBeUndefined();
  });
});
