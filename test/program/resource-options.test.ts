import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { USERS } from "../../emulator";
import { ProgramError, runProgram } from "../../engine/language-host";
import type { Goal as Registration } from "../../engine/model";
import { createWorkspace } from "../../engine/workspace";

/**
 * Resource options as a real program sends them in RegisterResourceRequest, read by the local
 * engine's monitor (engine/options.ts): the modeled ones reach the engine, any other fails the
 * run naming the option, so none is dropped silently.
 */

async function runWith(name: string, options: string) {
  const { dir } = await createWorkspace(`lh-options-${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "Pulumi.yaml"), `name: lh-options\nruntime: nodejs\n`);
  writeFileSync(
    path.join(dir, "index.ts"),
    [
      'import { UserEmail } from "pulumi-acronis-user-email";',
      `const first = new UserEmail("first", { userId: "${USERS.alice}", email: "alice@alpha.example" });`,
      `new UserEmail("second", { userId: "${USERS.bob}", email: "bob@alpha.example" }, ${options});`,
    ].join("\n"),
  );
  const registrations: Registration[] = [];
  await runProgram(
    {
      dir,
      project: "lh-options",
      stack: "test",
      dryRun: true,
      parallel: 4,
      config: {},
      secretKeys: [],
    },
    async (reg) => {
      registrations.push(reg);
      return { id: "", outputs: reg.inputs };
    },
  );
  return registrations;
}

describe("resource options from the program", () => {
  it("the modeled ones reach the engine", async () => {
    const registrations = await runWith(
      "modeled",
      [
        "{ dependsOn: [first], protect: true, retainOnDelete: true, deleteBeforeReplace: true,",
        '  ignoreChanges: ["email"], replaceOnChanges: ["userId"], import: "imported-id" }',
      ].join("\n"),
    );
    const [first, second] = registrations;
    // The SDK always sends protect and retainOnDelete, false when not set.
    expect(first?.options).toEqual({ protect: false, retainOnDelete: false });
    expect(second?.options).toEqual({
      protect: true,
      retainOnDelete: true,
      deleteBeforeReplace: true,
      ignoreChanges: ["email"],
      replaceOnChanges: ["userId"],
      importId: "imported-id",
      dependencies: [first?.urn],
    });
  });

  it.each([
    ["customTimeouts", '{ customTimeouts: { create: "5m" } }'],
    ["aliases", '{ aliases: [{ name: "old-name" }] }'],
    ["version", '{ version: "1.2.3" }'],
  ])("%s, not modeled, fails the run naming it", async (option, options) => {
    const failed = await runWith(option, options).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ProgramError);
    expect((failed as ProgramError).message).toContain(
      `second: resource option ${option} is not modeled by the local engine`,
    );
  });
});
