import { describe, expect, it } from "vitest";
import { POST_TOKEN, PUT_USER as PUT, GET_USER as READ, USER_PATH } from "../emulator/request-keys";
import { failures, type Goal } from "../engine/engine";
import { unknownValue } from "../engine/sdk";
import { stackConfig, USERS } from "./support/fixtures";
import { plan, stackForStories } from "./support/stack";

/**
 * Promises about writes, through the real provider host: a version conflict on every attempt
 * stops at the write cap with a clear message, and a value not known in preview (Pulumi's
 * UUID-shaped placeholder) never reaches the API and never counts against acronis:maxEmailChanges.
 */

/** The provider's cap on writes per step (provider/resource/converge.ts MAX_WRITE_ATTEMPTS). */
const MAX_WRITES = 4;

const stack = stackForStories({ name: "engine-write-safety", eachStoryFresh: true });

/** The platform's answer to a PUT carrying a stale version (README "Errors": code 1001). */
const versionMismatch = {
  error: {
    code: 1001,
    domain: "PlatformAccountServer",
    message: "Version mismatch",
    details: { info: "the object was changed by another request" },
    context: {},
  },
};

describe("a version conflict on every attempt", () => {
  it(`stops after ${MAX_WRITES} writes, each after a fresh read, and says so`, async () => {
    await stack.emulator.control.faults({
      method: "PUT",
      path: USER_PATH,
      always: true,
      action: { type: "status", status: 409, body: versionMismatch },
    });
    const goal = stack.userEmail("fresh", { userId: USERS.fresh, email: "fresh@new.example.com" });
    const result = await stack.up([goal], { skipPreview: true });
    const [step] = result.steps;
    expect(step?.ok).toBe(false);
    expect(step?.error).toContain(`UserEmail create account ${USERS.fresh}: `);
    expect(step?.error).toContain(`gave up after ${MAX_WRITES} writes`);
    expect(step?.error).toContain("HTTP 409 (code 1001, PlatformAccountServer): Version mismatch");
    const arrivals = await stack.emulator.control.holds.arrivals();
    const keys = arrivals.map((a) => a.key).filter((k) => k === PUT || k === READ);
    // Read, write; then a re-read before each further write: never a write on a stale version.
    expect(keys).toEqual(Array.from({ length: MAX_WRITES }, () => [READ, PUT]).flat());
    expect((await stack.emulator.control.getUser(USERS.fresh)).version).toBe(1);
  });
});

describe("values not known in preview", () => {
  it("never reach the API and never count against acronis:maxEmailChanges", async () => {
    const adopt = [
      stack.userEmail("fresh", { userId: USERS.fresh, email: "fresh@old.example.com" }),
      stack.userEmail("fresh2", { userId: USERS.fresh2, email: "fresh2@old.example.com" }),
    ];
    expect(failures(await stack.up(adopt, { skipPreview: true }))).toEqual([]);
    stack.configure({
      config: { ...stackConfig(stack.emulator.baseUrl), "acronis:maxEmailChanges": "1" },
    });
    await stack.emulator.control.resetRequests();

    // As a program passes another resource's output that is not known yet.
    const unknown = (goal: Goal, key: "userId" | "email"): Goal => ({
      ...goal,
      inputs: { ...goal.inputs, [key]: unknownValue },
    });
    const goals = [
      // In the stack: its Diff gets the placeholder as email.
      unknown(
        stack.userEmail("fresh", { userId: USERS.fresh, email: "x@new.example.com" }),
        "email",
      ),
      // One known change: exactly the limit.
      stack.userEmail("fresh2", { userId: USERS.fresh2, email: "fresh2@new.example.com" }),
      // New to the stack: its Check gets the placeholder as userId.
      unknown(
        stack.userEmail("later", { userId: USERS.active, email: "a@new.example.com" }),
        "userId",
      ),
    ];
    const result = await stack.preview(goals);
    expect(plan(result)).toEqual({ fresh: "update", fresh2: "update", later: "create" });

    const arrivals = await stack.emulator.control.holds.arrivals();
    expect(arrivals.filter((a) => `${a.path}?${a.query}`.includes(unknownValue))).toEqual([]);
    expect(arrivals.filter((a) => a.method !== "GET" && a.key !== POST_TOKEN)).toEqual([]);
    // Only the known accounts were read.
    const read = arrivals.filter((a) => a.key === READ).map((a) => a.path.split("/").pop());
    expect(new Set(read)).toEqual(new Set([USERS.fresh2]));
  });
});
