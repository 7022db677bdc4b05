import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultSeed, TENANTS, USERS } from "../../emulator";
import { demoStackConfig } from "../../emulator/demo-stack-config";
import { GET_SEARCH } from "../../emulator/request-keys";
import { collectGoals } from "../../engine/declarations";
import { countOps, Engine, failures } from "../../engine/engine";
import { ProviderHost } from "../../engine/host";
import { ProgramError } from "../../engine/language-host";
import { languageHostProgram, readProjectFile } from "../../engine/program";
import { REPO_ROOT, USER_EMAIL_TYPE } from "../../engine/workspace";
import { emulatorForStories } from "../support/stack";

/**
 * The root program (index.ts + Pulumi.yaml + accounts.yaml) as `pulumi up` runs it in a clone of
 * this repository: in place, through the SDK's own runner (Pulumi.yaml's `main`, ts-node), its
 * resources driven through the real provider host, started in the same directory, against the
 * emulator. Needs dist/ (npm test builds it first): the program imports the package by its name.
 */

const emulator = emulatorForStories({ seed: defaultSeed });
const project = readProjectFile(path.join(REPO_ROOT, "Pulumi.yaml"));
/** Other accounts files, relative to the program directory as `accountsFile` is. */
const FILES = path.join(".tmp", "root-accounts");

beforeAll(() => {
  mkdirSync(path.join(REPO_ROOT, FILES), { recursive: true });
});

function stackConfig(extra: Record<string, string> = {}): Record<string, string> {
  return { ...demoStackConfig(project, emulator.baseUrl), ...extra };
}

/** Writes an accounts file and returns the stack config naming it. */
function accountsFile(name: string, text: string): Record<string, string> {
  writeFileSync(path.join(REPO_ROOT, FILES, name), text);
  return { [`${project.name}:accountsFile`]: path.join(FILES, name) };
}

async function evaluate(config: Record<string, string>, stack = "test") {
  const { goals } = await collectGoals({
    dir: REPO_ROOT,
    project: project.name,
    stack,
    config,
    secretKeys: ["acronis:clientSecret"],
  });
  return goals;
}

async function searches(): Promise<number> {
  return (await emulator.control.requests()).counts[GET_SEARCH] ?? 0;
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
    // From a clone the small entry is copied by value; it resolves the package by name.
    expect(String(goals[0]?.inputs.__provider)).toContain("pulumi-acronis-user-email/provider/");
    expect(String(goals[0]?.inputs.__provider).length).toBeLessThan(4096);

    // The same program, run by the engine once per deployment (preview, then up's two).
    const engine = new Engine({
      project: project.name,
      stack: "test",
      startHost: ProviderHost.starter({
        cwd: REPO_ROOT,
        project: project.name,
        config: stackConfig(),
      }),
    });
    const program = languageHostProgram({
      dir: REPO_ROOT,
      project: project.name,
      stack: "test",
      config: stackConfig(),
      secretKeys: ["acronis:clientSecret"],
    });
    const preview = await engine.preview(program);
    expect(failures(preview)).toEqual([]);
    expect(countOps(preview).create).toBe(5);
    const up = await engine.up(program);
    expect(failures(up)).toEqual([]);
    expect(up.hosts).toBe(2);
    const status = (id: string) => engine.resource(`user-${id}`)?.outputs.status;
    expect(status(USERS.alice)).toBe("pendingConfirmation");
    expect(status(USERS.carol)).toBe("pendingConfirmation");
    expect(status(USERS.bob)).toBe("synced");
    expect(status(USERS.dave)).toBe("synced");
    expect(status(USERS.erin)).toBe("synced");
    expect((await emulator.control.outbox()).length).toBe(2);
  });

  it("names resources after the account, so reordering the file changes nothing", async () => {
    const file = (order: string[]) => `accounts:\n${order.join("")}`;
    const alice = `  - id: ${USERS.alice}\n    email: alice@alpha.example\n`;
    const bob = `  - login: bob\n    tenant: ${TENANTS.alpha}\n    email: bob@alpha.example\n`;
    const a = await evaluate(stackConfig(accountsFile("order-a.yaml", file([alice, bob]))));
    const b = await evaluate(stackConfig(accountsFile("order-b.yaml", file([bob, alice]))));
    const byName = (goals: typeof a) =>
      Object.fromEntries(goals.map((g) => [g.name, [g.inputs.userId, g.inputs.email]]));
    expect(byName(b)).toEqual(byName(a));
  });

  it("makes no API call for a file of ids, even without credentials", async () => {
    const ids = accountsFile(
      "ids.yaml",
      `accounts:\n  - id: ${USERS.dave}\n    email: dave@beta.example\n`,
    );
    await emulator.control.resetRequests();
    const goals = await evaluate(ids);
    expect(goals.map((g) => g.name)).toEqual([`user-${USERS.dave}`]);
    expect((await emulator.control.requests()).total).toBe(0);
  });

  it("rejects an invalid file with every problem located, before any call", async () => {
    const bad = accountsFile(
      "bad.yaml",
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
    const run = evaluate(stackConfig(bad));
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
    const ghost = accountsFile(
      "ghost.yaml",
      `accounts:\n  - login: ghost\n    tenant: ${TENANTS.alpha}\n    email: ghost@alpha.example\n`,
    );
    const run = evaluate(stackConfig(ghost));
    await expect(run).rejects.toThrow(
      `ghost.yaml:2:5: entry ghost: login: no user with login "ghost" in tenant ${TENANTS.alpha} or below`,
    );
  });

  it("says which setting is missing when a login needs the API", async () => {
    const run = evaluate({});
    await expect(run).rejects.toThrow(/acronis:baseUrl is not set/);
  });

  it("splits one accounts file into stacks that apply side by side, no account in two", async () => {
    const entry = (id: string, email: string, stack: string) =>
      `  - id: ${id}\n    email: ${email}\n    stack: ${stack}\n`;
    const split = accountsFile(
      "split.yaml",
      `accounts:\n${[
        entry(USERS.alice, "alice@alpha.example", "alpha"),
        entry(USERS.bob, "bob@alpha.example", "alpha"),
        entry(USERS.dave, "dave@beta.example", "beta"),
        entry(USERS.erin, "erin@beta.example", "beta"),
      ].join("")}`,
    );
    await emulator.control.reset();
    // Two stacks of one project, as a CI matrix runs them: each its own engine, state and hosts.
    const stacks = ["alpha", "beta"].map((stack) => {
      const config = stackConfig(split);
      const engine = new Engine({
        project: project.name,
        stack,
        startHost: ProviderHost.starter({ cwd: REPO_ROOT, project: project.name, config }),
      });
      const program = languageHostProgram({
        dir: REPO_ROOT,
        project: project.name,
        stack,
        config,
        secretKeys: ["acronis:clientSecret"],
      });
      return { engine, program };
    });
    const ups = await Promise.all(stacks.map(({ engine, program }) => engine.up(program)));
    for (const up of ups) expect(failures(up)).toEqual([]);
    const held = stacks.map(({ engine }) =>
      engine
        .resources()
        .filter((r) => r.type === USER_EMAIL_TYPE)
        .map((r) => r.id)
        .sort(),
    );
    expect(held).toEqual([[USERS.alice, USERS.bob].sort(), [USERS.dave, USERS.erin].sort()]);
    // A stack the file does not name declares nothing rather than releasing what it holds.
    await expect(evaluate(stackConfig(split), "gamma")).rejects.toThrow(
      'no entry names stack "gamma" (the file\'s stacks: alpha, beta)',
    );
  });
});
