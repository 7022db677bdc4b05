import { describe, expect, it } from "vitest";
import type { Steps } from "../entry";
import * as steps from "./steps";

describe("the steps module entry.ts loads by name", () => {
  it("exports every step of the SDK's contract, as the contract types it", () => {
    // A type check first (`npm test` type-checks tests): a missing or mistyped step fails it.
    const contract: Steps = steps;
    const names = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;
    for (const name of names) expect(typeof contract[name], name).toBe("function");
  });
});
