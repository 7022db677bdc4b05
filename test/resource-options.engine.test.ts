import { describe, expect, it } from "vitest";
import { PUT_USER } from "../emulator/request-keys";
import { failures, type Goal, type ResourceOptions } from "../engine/engine";
import { USERS } from "./support/fixtures";
import { plan, stackForStories } from "./support/stack";

/**
 * Replacements, preview outputs and resource options through the real provider host
 * (pulumi/pulumi at 1b5949891b3c: step_generator.go `continueStepsFromDiff`,
 * `processIgnoreChanges`; step.go `DeleteStep.Apply`, `ImportStep.Apply`; provider_plugin.go
 * `Update`). One worker, so the order of calls is the order of steps.
 */

const stack = stackForStories({
  name: "engine-resource-options",
  engine: { parallel: 1 },
  eachStoryFresh: "destroy must succeed",
});

function member(userId: string, email: string, options?: ResourceOptions): Goal {
  const goal = stack.userEmail("member", { userId, email });
  return options ? { ...goal, options } : goal;
}

/** Each call about a resource as "method name", in the order sent (Configure left out). */
function callLog(): string[] {
  return stack.calls
    .filter((c) => c.method !== "configure")
    .map((c) => `${c.method} ${c.urn.split("::").at(-1)}`);
}

async function puts(): Promise<number> {
  return (await stack.emulator.control.requests()).counts[PUT_USER] ?? 0;
}

describe("replace", () => {
  it("checks again without olds, creates the new one, deletes the old one after the other steps", async () => {
    expect(failures(await stack.up([member(USERS.fresh, "fresh@old.example.com")]))).toEqual([]);
    stack.calls.length = 0;
    const late = stack.userEmail("late", { userId: USERS.fresh2, email: "fresh2@old.example.com" });

    const result = await stack.up([member(USERS.active2, "active2@old.example.com"), late], {
      skipPreview: true,
    });
    expect(plan(result)).toEqual({ member: "replace", late: "create" });
    expect(callLog()).toEqual([
      "check member",
      "diff member",
      "check member", // the replacement's inputs, checked without the old ones
      "create member",
      "check late",
      "create late",
      "delete member", // the old resource, with the deletes after the program
    ]);
    expect(stack.engine.resource("member")?.id).toBe(USERS.active2);
  });

  it("deleteBeforeReplace: the old one is deleted first", async () => {
    expect(failures(await stack.up([member(USERS.fresh, "fresh@old.example.com")]))).toEqual([]);
    stack.calls.length = 0;
    const moved = member(USERS.active2, "active2@old.example.com", { deleteBeforeReplace: true });

    expect(plan(await stack.up([moved], { skipPreview: true }))).toEqual({ member: "replace" });
    expect(callLog()).toEqual([
      "check member",
      "diff member",
      "check member",
      "delete member",
      "create member",
    ]);
  });
});

describe("preview outputs", () => {
  it("of an update and a replacement are the new inputs only", async () => {
    expect(failures(await stack.up([member(USERS.fresh, "fresh@old.example.com")]))).toEqual([]);
    const updated = await stack.preview([member(USERS.fresh, "fresh@new.example.com")]);
    expect(plan(updated)).toEqual({ member: "update" });
    expect(updated.steps[0]?.outputs).toMatchObject({ email: "fresh@new.example.com" });
    expect(updated.steps[0]?.outputs).not.toHaveProperty("status");
    const replaced = await stack.preview([member(USERS.fresh2, "fresh2@old.example.com")]);
    expect(plan(replaced)).toEqual({ member: "replace" });
    expect(replaced.steps[0]?.outputs).toMatchObject({ userId: USERS.fresh2 });
    expect(replaced.steps[0]?.outputs).not.toHaveProperty("liveEmail");
  });
});

describe("resource options", () => {
  it('ignoreChanges: ["email"] keeps the stored address: no change planned, nothing written', async () => {
    expect(failures(await stack.up([member(USERS.fresh, "fresh@old.example.com")]))).toEqual([]);
    await stack.emulator.control.resetRequests();
    const changed = member(USERS.fresh, "fresh@new.example.com", { ignoreChanges: ["email"] });

    expect(plan(await stack.up([changed]))).toEqual({ member: "same" });
    expect(await puts()).toBe(0);
    expect(stack.engine.resource("member")?.inputs.email).toBe("fresh@old.example.com");
    expect(stack.engine.resource("member")?.ignoreChanges).toEqual(["email"]);
  });

  it("protect refuses the delete, in destroy and when the program drops the resource", async () => {
    const goal = member(USERS.fresh, "fresh@old.example.com", { protect: true });
    expect(failures(await stack.up([goal]))).toEqual([]);
    const urn = stack.engine.resource("member")?.urn;
    const refused =
      `resource "${urn}" cannot be deleted because it is protected. To unprotect the resource, ` +
      "either remove the `protect` flag from the resource in your Pulumi program and run " +
      `\`pulumi up\`, or use the command: \`pulumi state unprotect '${urn}'\``;

    expect(plan(await stack.destroy())).toEqual({ member: `failed delete: ${refused}` });
    expect(plan(await stack.up([]))).toEqual({ member: `failed delete: ${refused}` });
    expect(stack.engine.resource("member")).toBeDefined();
    // Unprotected by the program, it can go.
    expect(failures(await stack.up([member(USERS.fresh, "fresh@old.example.com")]))).toEqual([]);
    expect(stack.engine.resource("member")?.protect).toBeUndefined();
  });

  it("protect refuses a replacement", async () => {
    const protect = { protect: true };
    expect(
      failures(await stack.up([member(USERS.fresh, "fresh@old.example.com", protect)])),
    ).toEqual([]);
    const result = await stack.up([member(USERS.fresh2, "fresh2@old.example.com", protect)]);
    expect(plan(result).member).toMatch(
      /^failed update: unable to replace resource ".*::member" as it is currently marked for protection/,
    );
    expect(stack.engine.resource("member")?.id).toBe(USERS.fresh);
  });

  it("retainOnDelete: the resource leaves the stack without a provider Delete", async () => {
    const goal = member(USERS.fresh, "fresh@old.example.com", { retainOnDelete: true });
    expect(failures(await stack.up([goal]))).toEqual([]);
    stack.calls.length = 0;
    expect(plan(await stack.destroy())).toEqual({ member: "delete" });
    expect(stack.calls.filter((c) => c.method === "delete")).toEqual([]);
    expect(stack.engine.resource("member")).toBeUndefined();
  });

  it("replaceOnChanges changes nothing here: the dynamic-provider host reports no changed keys", async () => {
    expect(failures(await stack.up([member(USERS.fresh, "fresh@old.example.com")]))).toEqual([]);
    const goal = member(USERS.fresh, "fresh@new.example.com", { replaceOnChanges: ["email"] });
    expect(plan(await stack.preview([goal]))).toEqual({ member: "update" });
  });

  it("import: a Read with no state, which the dynamic-provider host fails (no __provider)", async () => {
    const goal = member(USERS.fresh, "fresh@old.example.com", { importId: USERS.fresh });
    stack.calls.length = 0;
    const result = await stack.preview([goal]);
    expect(callLog()).toEqual(["read member"]);
    expect(failures(result).map((s) => s.op)).toEqual(["import"]);
    // requireFromString(undefined): the serialized provider is missing from the empty Read.
    expect(failures(result)[0]?.error).toBe("code must be a string, not undefined");
    expect(stack.engine.resource("member")).toBeUndefined();
  });
});
