import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSeed, type RunningEmulator, startEmulator, TENANTS, USERS } from "../../emulator";
import { countOps, Engine, failures } from "../../engine/engine";
import { ProviderHost } from "../../engine/host";
import {
  demoStackConfig,
  evaluateProgram,
  ProgramError,
  type ProjectFile,
  prepareProgram,
} from "../../engine/program";
import { REPO_ROOT, USER_EMAIL_TYPE, type Workspace } from "../../engine/workspace";
import { recordIssuedTokens } from "../support/stack";

/**
 * The root program (index.ts + Pulumi.yaml + accounts.yaml) as `pulumi up` runs it: evaluated in
 * its own process under the SDK's mocks, its resources driven through the real provider host
 * against the emulator. Needs dist/ (npm test builds it first).
 */

let emulator: RunningEmulator;
let workspace: Workspace;
let project: ProjectFile;

beforeAll(async () => {
  emulator = await startEmulator({ seed: defaultSeed });
  ({ workspace, project } = await prepareProgram("program-root", REPO_ROOT, [
    "index.ts",
    "Pulumi.yaml",
    "accounts.yaml",
  ]));
});

afterAll(async () => {
  if (emulator) recordIssuedTokens(emulator);
  await emulator?.close();
});

function stackConfig(extra: Record<string, string> = {}): Record<string, string> {
  return { ...demoStackConfig(project, emulator.baseUrl), ...extra };
}

function evaluate(config: Record<string, string>) {
  return evaluateProgram(workspace.dir, {
    project: project.name,
    stack: "test",
    config,
    secretKeys: ["acronis:clientSecret"],
  });
}

async function searches(): Promise<number> {
  return (await emulator.control.requests()).counts["GET /api/2/search"] ?? 0;
}

describe("root program", () => {
  it("declares Pulumi.yaml's config as the CLI accepts it", () => {
    expect(project.name).toBe("acronis-user-emails");
    expect(project.config).toEqual({
      "acronis-user-emails:accountsFile": "accounts.yaml",
      "acronis:maxConcurrentRequests": "8",
      "acronis:batchReads": "true",
    });
  });

  it("runs accounts.yaml through preview and up", async () => {
    await emulator.control.reset();
    const goals = await evaluate(stackConfig());
    expect(await searches()).toBe(3);
    expect(goals.map((g) => g.name).sort()).toEqual(
      [USERS.alice, USERS.bob, USERS.carol, USERS.dave, USERS.erin].map((id) => `user-${id}`),
    );
    expect(goals.every((g) => g.type === USER_EMAIL_TYPE)).toBe(true);
    // The serialized provider is the short require() of the installed package, not a copy.
    expect(String(goals[0]?.inputs.__provider).length).toBeLessThan(1000);

    {
      const startHost = ProviderHost.starter({
        cwd: workspace.dir,
        project: project.name,
        config: stackConfig(),
      });
      const engine = new Engine({ project: project.name, stack: "test", startHost });
      const preview = await engine.preview(goals);
      expect(failures(preview)).toEqual([]);
      expect(countOps(preview).create).toBe(5);
      const up = await engine.up(goals);
      expect(failures(up)).toEqual([]);
      const status = (id: string) => engine.resource(`user-${id}`)?.outputs.status;
      expect(status(USERS.alice)).toBe("pendingConfirmation");
      expect(status(USERS.carol)).toBe("pendingConfirmation");
      expect(status(USERS.bob)).toBe("synced");
      expect(status(USERS.dave)).toBe("synced");
      expect(status(USERS.erin)).toBe("synced");
      expect((await emulator.control.outbox()).length).toBe(2);
    }
  });

  it("names resources after the account, so reordering the file changes nothing", async () => {
    const file = (order: string[]) => `accounts:\n${order.join("")}`;
    const alice = `  - id: ${USERS.alice}\n    email: alice@alpha.example\n`;
    const bob = `  - login: bob\n    tenant: ${TENANTS.alpha}\n    email: bob@alpha.example\n`;
    writeFileSync(path.join(workspace.dir, "order-a.yaml"), file([alice, bob]));
    writeFileSync(path.join(workspace.dir, "order-b.yaml"), file([bob, alice]));
    const key = `${project.name}:accountsFile`;
    const a = await evaluate(stackConfig({ [key]: "order-a.yaml" }));
    const b = await evaluate(stackConfig({ [key]: "order-b.yaml" }));
    const byName = (goals: typeof a) =>
      Object.fromEntries(goals.map((g) => [g.name, [g.inputs.userId, g.inputs.email]]));
    expect(byName(b)).toEqual(byName(a));
  });

  it("makes no API call for a file of ids, even without credentials", async () => {
    writeFileSync(
      path.join(workspace.dir, "ids.yaml"),
      `accounts:\n  - id: ${USERS.dave}\n    email: dave@beta.example\n`,
    );
    await emulator.control.resetRequests();
    const goals = await evaluate({ [`${project.name}:accountsFile`]: "ids.yaml" });
    expect(goals.map((g) => g.name)).toEqual([`user-${USERS.dave}`]);
    expect((await emulator.control.requests()).total).toBe(0);
  });

  it("rejects an invalid file with every problem located, before any call", async () => {
    writeFileSync(
      path.join(workspace.dir, "bad.yaml"),
      [
        "accounts:",
        `  - id: ${USERS.alice}`,
        "    email: not-an-address",
        "  - login: bob",
        `    tenant: ${TENANTS.alpha}`,
        "    email: bob@alpha.example",
        "    colour: blue",
        `  - id: ${USERS.alice}`,
        "    email: alice@alpha.example",
      ].join("\n"),
    );
    await emulator.control.resetRequests();
    const run = evaluate(stackConfig({ [`${project.name}:accountsFile`]: "bad.yaml" }));
    await expect(run).rejects.toBeInstanceOf(ProgramError);
    const message = await run.catch((e: Error) => e.message);
    expect(message).toContain("bad.yaml: 3 problems; nothing was sent to the platform");
    expect(message).toContain(
      `bad.yaml:3:12: entry ${USERS.alice}: email: expected an email address`,
    );
    expect(message).toContain("bad.yaml:7:5: entry bob: colour: unknown key");
    expect(message).toContain(
      `bad.yaml:8:9: entry ${USERS.alice}: id: duplicate account: already listed at line 2`,
    );
    expect((await emulator.control.requests()).total).toBe(0);
  });

  it("names an unresolvable login and its tenant", async () => {
    writeFileSync(
      path.join(workspace.dir, "ghost.yaml"),
      `accounts:\n  - login: ghost\n    tenant: ${TENANTS.alpha}\n    email: ghost@alpha.example\n`,
    );
    const run = evaluate(stackConfig({ [`${project.name}:accountsFile`]: "ghost.yaml" }));
    await expect(run).rejects.toThrow(
      `ghost.yaml:2:5: entry ghost: login: no user with login "ghost" in tenant ${TENANTS.alpha} or below`,
    );
  });

  it("says which setting is missing when a login needs the API", async () => {
    const run = evaluate({});
    await expect(run).rejects.toThrow(/acronis:baseUrl is not set/);
  });
});
