import { describe, expect, it } from "vitest";
import { Engine, type EngineOptions, type Goal } from "../engine/engine";
import { USERS } from "./support/fixtures";
import { plan, stackForStories } from "./support/stack";

/**
 * Failures as the engine handles them (pulumi/pulumi at 1b5949891b3c): --continue-on-error
 * covers failed steps only (step_executor.go `cancelDueToError`), a failed Check still stops the
 * deployment (deployment_executor.go `handleSingleEvent`), steps that depend on a failed one are
 * skipped (`doesStepDependOn`), and a step waiting for a worker after a failure is dropped
 * (step_executor.go `ExecuteSerial`).
 */

const stack = stackForStories({
  name: "engine-failures",
  eachStoryFresh: "destroy must succeed",
});

/** An engine on the stack's state with other flags (its state is then copied back for destroy). */
async function withEngine(
  options: Partial<EngineOptions>,
  run: (engine: Engine) => Promise<void>,
): Promise<void> {
  const engine = new Engine({ ...stack.engine.options, ...options, state: { resources: [] } });
  try {
    await run(engine);
  } finally {
    for (const res of engine.resources()) stack.engine.put(res);
  }
}

/** Its create fails: the account is in a tenant the API client may not see (403). */
const foreign = () =>
  stack.userEmail("foreign", { userId: USERS.foreign, email: "foreign@new.example.org" });
const fresh2 = () =>
  stack.userEmail("fresh2", { userId: USERS.fresh2, email: "fresh2@old.example.com" });

function createdUrns(): string[] {
  return stack.calls.filter((c) => c.method === "create").map((c) => c.urn);
}

describe("--continue-on-error", () => {
  it("a failed Check still stops the deployment", async () => {
    await withEngine({ continueOnError: true, parallel: 1 }, async (engine) => {
      const bad = stack.userEmail("bad", { userId: USERS.fresh, email: "not an address" });
      const result = await engine.up([bad, fresh2()], { skipPreview: true });
      expect(Object.keys(plan(result))).toEqual(["bad"]);
      expect(plan(result).bad).toMatch(/^failed create: /);
      expect(createdUrns()).toEqual([]);
      expect(engine.resource("fresh2")).toBeUndefined();
    });
  });

  it("a failed step does not stop the others; the steps that depend on it are skipped", async () => {
    await withEngine({ continueOnError: true }, async (engine) => {
      const failing = foreign();
      const failingUrn = engine.urn(failing);
      const dependent: Goal = {
        ...stack.userEmail("dependent", {
          userId: USERS.active2,
          email: "active2@old.example.com",
        }),
        options: { dependencies: [failingUrn] },
      };
      const result = await engine.up(
        async (register) => {
          const independent = register(fresh2());
          // As the SDK does: a resource that depends on another registers once that one is done.
          await register(failing).catch(() => undefined);
          await register(dependent).catch(() => undefined);
          await independent;
          return undefined;
        },
        { skipPreview: true },
      );
      expect(plan(result)).toEqual({
        fresh2: "create",
        foreign: expect.stringMatching(/^failed create: UserEmail create account .*403/),
        dependent: `failed create: skipped: it depends on ${failingUrn}, which failed`,
      });
      expect(createdUrns()).not.toContain(engine.urn(dependent));
      expect(engine.resource("dependent")).toBeUndefined();
      expect(engine.resource("fresh2")).toBeDefined();
    });
  });
});

describe("PULUMI_PARALLEL_DIFF with --continue-on-error", () => {
  it("a failed Diff (a maxEmailChanges refusal) still stops the deployment: nothing is deleted", async () => {
    await withEngine({ continueOnError: true, parallelDiff: true }, async (engine) => {
      const fresh = (email: string) => stack.userEmail("fresh", { userId: USERS.fresh, email });
      const created = await engine.up([fresh("fresh@old.example.com"), fresh2()]);
      expect(plan(created)).toEqual({ fresh: "create", fresh2: "create" });

      // The limit refuses the Diff of the one change; fresh2 is no longer declared.
      stack.configure({ config: { ...stack.config, "acronis:maxEmailChanges": "0" } });
      const result = await engine.up([fresh("fresh@new.example.com")], { skipPreview: true });
      expect(Object.keys(plan(result))).toEqual(["fresh"]);
      expect(plan(result).fresh).toMatch(/^failed update: .*refused by acronis:maxEmailChanges/);
      expect(engine.resource("fresh2")).toBeDefined();
      expect(stack.calls.filter((c) => c.method === "delete")).toEqual([]);
    });
  });
});

describe("without --continue-on-error", () => {
  it("a step waiting for a worker when another fails is dropped, not started", async () => {
    await withEngine({ parallel: 1 }, async (engine) => {
      const result = await engine.up([foreign(), fresh2()], { skipPreview: true });
      expect(Object.keys(plan(result))).toEqual(["foreign"]);
      expect(createdUrns()).toEqual([engine.urn(foreign())]);
      expect(engine.resource("fresh2")).toBeUndefined();
    });
  });
});
