import { describe, expect, it } from "vitest";
import { applyReplaceOnChanges, diffOutcome, processIgnoreChanges } from "../engine/options";

/** The engine's pure option rules (step_generator.go `processIgnoreChanges`, `applyReplaceOnChanges`). */

describe("processIgnoreChanges", () => {
  const olds = { email: "old@x", userId: "u", tags: { a: 1 } };
  const news = () => ({ email: "new@x", userId: "u", resendAfter: "1h", tags: { a: 2, b: 3 } });
  it.each([
    [
      "a top-level key takes the old value",
      ["email"],
      { email: "old@x", userId: "u", resendAfter: "1h", tags: { a: 2, b: 3 } },
    ],
    [
      "a key the old inputs lack is removed",
      ["resendAfter"],
      { email: "new@x", userId: "u", tags: { a: 2, b: 3 } },
    ],
    [
      "a nested path resets only its leaf",
      ["tags.a"],
      { email: "new@x", userId: "u", resendAfter: "1h", tags: { a: 1, b: 3 } },
    ],
    ["no paths: the new inputs as they are", [], news()],
  ])("%s", (_name, paths, expected) => {
    const given = news();
    expect(processIgnoreChanges(given, olds, paths)).toEqual(expected);
    expect(given).toEqual(news()); // the program's inputs are not changed in place
  });
});

describe("applyReplaceOnChanges", () => {
  const diff = { changes: true, replaces: [], changed: ["email"], deleteBeforeReplace: false };
  it.each([
    ["a changed key under a path becomes a replace key", ["email"], diff, ["email"]],
    ["'*' covers every changed key", ["*"], diff, ["email"]],
    ["a path no changed key is under changes nothing", ["userId"], diff, []],
    [
      "no changed keys reported (the dynamic host): nothing",
      ["email"],
      { ...diff, changed: [] },
      [],
    ],
    ["no changes: nothing", ["email"], { ...diff, changes: false }, []],
  ])("%s", (_name, paths, input, replaces) => {
    expect(applyReplaceOnChanges(input, paths).replaces).toEqual(replaces);
  });
});

describe("diffOutcome", () => {
  it("an unknown answer compares the inputs, ignored paths reset", () => {
    const resp = { changes: "unknown" as const, replaces: [], changed: [] };
    expect(diffOutcome(resp, { a: 1 }, { a: 1 }, undefined).changes).toBe(false);
    expect(diffOutcome(resp, { a: 1 }, { a: 2 }, undefined).changes).toBe(true);
    expect(diffOutcome(resp, { a: 1 }, { a: 2 }, ["a"]).changes).toBe(false);
  });
});
