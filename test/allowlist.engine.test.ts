import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PUT_USER } from "../emulator/request-keys";
import type { Goal, RunResult } from "../engine/engine";
import { declareGoals, type ProgramBody } from "./support/declare";
import { CLIENT_ID, CLIENT_SECRET, stackConfig, USERS } from "./support/fixtures";
import { stackForStories } from "./support/stack";

/**
 * The account takeover guard and the change limit through the real provider host, for each way a
 * stack configures a provider: stack config, environment, an AcronisProvider instance, and an
 * accounts-file connection. An allowlist that is set but names no domain fails closed.
 */

const PROJECT = "engine-allowlist";
const SECRET_KEY = `${PROJECT}:secret`;
const NO_DOMAIN = "is set but names no domain";
const HOW_TO_SET =
  "set it with `pulumi config set acronis:allowedEmailDomains <value>` or the environment variable ACRONIS_ALLOWED_EMAIL_DOMAINS";

const stack = stackForStories({ name: PROJECT, eachStoryFresh: true });

const attacker = () =>
  stack.userEmail("ann", { userId: USERS.fresh, email: "ann@attacker.example" });

/** Each account's step as `name: op` or `name: error` (provider resources left out). */
function errors(result: RunResult): string[] {
  return result.steps
    .filter((s) => s.name !== "dc")
    .map((s) => (s.ok ? `${s.name}: ${s.op}` : `${s.name}: ${s.error}`));
}

function declare(body: ProgramBody, config: Record<string, string> = {}): Promise<Goal[]> {
  return declareGoals(
    stack.workspace,
    { project: PROJECT, stack: "test", config, secretKeys: [SECRET_KEY] },
    body,
  );
}

async function requests(): Promise<number> {
  return (await stack.emulator.control.requests()).total;
}

describe("a set allowlist naming no domain is refused in check", () => {
  it.each([
    ["a comma", ","],
    ["an empty JSON list", "[]"],
    ["a JSON list of one empty entry", '[""]'],
    ["a comma between spaces", " , "],
  ])("stack config %s", async (_name, value) => {
    stack.configure({
      config: { ...stackConfig(stack.emulator.baseUrl), "acronis:allowedEmailDomains": value },
    });
    const [line] = errors(await stack.preview([attacker()]));
    expect(line).toContain(
      `ann: UserEmail check account ${USERS.fresh}: acronis:allowedEmailDomains (or ACRONIS_ALLOWED_EMAIL_DOMAINS): is set but names no domain`,
    );
    expect(line).toContain(HOW_TO_SET);
    expect(await requests()).toBe(0);
  });

  it("ACRONIS_ALLOWED_EMAIL_DOMAINS=,", async () => {
    stack.configure({ env: { ACRONIS_ALLOWED_EMAIL_DOMAINS: "," } });
    const [line] = errors(await stack.preview([attacker()]));
    expect(line).toContain(
      `ann: UserEmail check account ${USERS.fresh}: acronis:allowedEmailDomains (or ACRONIS_ALLOWED_EMAIL_DOMAINS): ${NO_DOMAIN}`,
    );
    expect(line).toContain(HOW_TO_SET);
    expect(await requests()).toBe(0);
  });

  it('unset, or "", stays "no allowlist"', async () => {
    stack.configure({
      config: { ...stackConfig(stack.emulator.baseUrl), "acronis:allowedEmailDomains": "" },
    });
    expect(errors(await stack.preview([attacker()]))).toEqual(["ann: create"]);
  });
});

/** One AcronisProvider on the test platform, with extra arguments, and `goals` under it. */
function instanceProgram(
  extra: Record<string, unknown>,
  accounts: { name: string; userId: string; email: string }[],
): Promise<Goal[]> {
  return declare(
    (pkg, pulumi) => {
      const provider = new pkg.AcronisProvider("dc", {
        baseUrl: stack.emulator.baseUrl,
        clientId: CLIENT_ID,
        clientSecret: new pulumi.Config().requireSecret("secret"),
        ...extra,
      });
      return accounts.map(
        (a) => new pkg.UserEmail(a.name, { userId: a.userId, email: a.email }, { provider }),
      );
    },
    { [SECRET_KEY]: CLIENT_SECRET },
  );
}

/**
 * `pulumi config set acronis:<setting> ""` clears the stack's value: the environment's guard then
 * applies (README "Configure credentials"), in Check for a new account and Diff for an existing one.
 */
describe("an empty stack config value never hides the environment's guard", () => {
  const emptied = (key: string, value: string) => ({
    ...stackConfig(stack.emulator.baseUrl),
    [key]: value,
  });

  it.each([
    ["empty", ""],
    ["blank", " "],
  ])("allowlist: %s in stack config, ACRONIS_ALLOWED_EMAIL_DOMAINS set", async (_n, value) => {
    stack.configure({
      config: emptied("acronis:allowedEmailDomains", value),
      env: { ACRONIS_ALLOWED_EMAIL_DOMAINS: "corp.example.com" },
    });
    const [line] = errors(await stack.preview([attacker()]));
    expect(line).toBe(
      `ann: email: email of account ${USERS.fresh}: domain "attacker.example" is not in acronis:allowedEmailDomains (corp.example.com); pointing an account at an outside domain hands its password resets to that domain`,
    );
    expect(await requests()).toBe(0);
  });

  it("limit: empty in stack config, ACRONIS_MAX_EMAIL_CHANGES=0, refused in Check and Diff", async () => {
    const fresh = (email: string) => stack.userEmail("fresh", { userId: USERS.fresh, email });
    // Adopted unchanged first, with no limit anywhere: nothing written.
    expect(errors(await stack.up([fresh("fresh@old.example.com")]))).toEqual(["fresh: create"]);
    stack.configure({
      config: emptied("acronis:maxEmailChanges", ""),
      env: { ACRONIS_MAX_EMAIL_CHANGES: "0" },
    });
    const moved = stack.userEmail("fresh2", { userId: USERS.fresh2, email: "f2@new.example.com" });
    const refused = (step: string, id: string) =>
      `UserEmail ${step} account ${id}: refused by acronis:maxEmailChanges: this run would change the email of at least 1 account, the limit is 0`;
    // A new account is counted in Check.
    const [created] = errors(await stack.up([fresh("fresh@old.example.com"), moved])).filter(
      (line) => line.startsWith("fresh2"),
    );
    expect(created).toContain(`fresh2: ${refused("check", USERS.fresh2)}`);
    // An existing one in Diff.
    const [changed] = errors(await stack.up([fresh("fresh@new.example.com")]));
    expect(changed).toContain(`fresh: ${refused("diff", USERS.fresh)}`);
    expect((await stack.emulator.control.requests()).counts[PUT_USER]).toBe(undefined);
  });
});

describe("an AcronisProvider instance", () => {
  it.each([
    ["an empty list", []],
    ["a list of one empty entry", [""]],
    ["a comma", ","],
  ])("given %s as allowedEmailDomains fails closed", async (_name, allowed) => {
    const goals = await instanceProgram({ allowedEmailDomains: allowed }, [
      { name: "ann", userId: USERS.fresh, email: "ann@attacker.example" },
    ]);
    const [line] = errors(await stack.preview(goals));
    expect(line).toContain(
      `ann: UserEmail check account ${USERS.fresh}: AcronisProvider "dc": allowedEmailDomains: ${NO_DOMAIN}`,
    );
    expect(await requests()).toBe(0);
  });

  it("refuses an outside domain with its own allowlist", async () => {
    const goals = await instanceProgram({ allowedEmailDomains: ["corp.example.com"] }, [
      { name: "ann", userId: USERS.fresh, email: "ann@attacker.example" },
    ]);
    const [line] = errors(await stack.preview(goals));
    expect(line).toContain(
      `email of account ${USERS.fresh}: domain "attacker.example" is not in acronis:allowedEmailDomains (corp.example.com)`,
    );
    expect(await requests()).toBe(0);
  });

  it("refuses a run over its own maxEmailChanges and writes nothing", async () => {
    const goals = await instanceProgram({ maxEmailChanges: 1 }, [
      { name: "one", userId: USERS.fresh, email: "one@new.example.com" },
      { name: "two", userId: USERS.fresh2, email: "two@new.example.com" },
    ]);
    const result = await stack.up(goals);
    expect(errors(result).join("\n")).toContain("refused by acronis:maxEmailChanges");
    expect((await stack.emulator.control.requests()).counts[PUT_USER]).toBe(undefined);
  });
});

describe("an accounts-file connection", () => {
  function accountsFile(email: string): string {
    const file = path.join(stack.workspace.dir, "accounts.allowlist.yaml");
    writeFileSync(
      file,
      [
        "connections:",
        "  dc:",
        `    baseUrl: ${stack.emulator.baseUrl}`,
        `    clientId: ${CLIENT_ID}`,
        "accounts:",
        `  - id: ${USERS.fresh}`,
        `    email: ${email}`,
        "    connection: dc",
        `  - id: ${USERS.fresh2}`,
        "    email: fresh2@new.example.com",
        "    connection: dc",
      ].join("\n"),
    );
    return file;
  }

  const connectionConfig = (extra: Record<string, string>) => ({
    ...stackConfig(stack.emulator.baseUrl),
    "acronis:connections": JSON.stringify({ dc: { clientSecret: CLIENT_SECRET } }),
    ...extra,
  });

  /** The program's and the provider hosts' environment is `env`. */
  async function fileGoals(
    file: string,
    config: Record<string, string>,
    env: NodeJS.ProcessEnv = {},
  ): Promise<Goal[]> {
    stack.configure({ config, env });
    return declare(async (pkg) => {
      const declared = await pkg.userEmailsFromFile(file, { env });
      return declared.map((d) => d.resource);
    }, config);
  }

  it("refuses an outside domain with the stack's allowlist", async () => {
    const config = connectionConfig({ "acronis:allowedEmailDomains": "new.example.com" });
    const goals = await fileGoals(accountsFile("ann@attacker.example"), config);
    const result = await stack.preview(goals);
    expect(errors(result).join("\n")).toContain(
      `email of account ${USERS.fresh}: domain "attacker.example" is not in acronis:allowedEmailDomains (new.example.com)`,
    );
    expect(await requests()).toBe(0);
  });

  it.each([
    ["unset", {}],
    ["empty", { "acronis:allowedEmailDomains": "" }],
  ])(
    "refuses an outside domain with the environment's allowlist, stack config %s",
    async (_name, extra: Record<string, string>) => {
      const goals = await fileGoals(accountsFile("ann@attacker.example"), connectionConfig(extra), {
        ACRONIS_ALLOWED_EMAIL_DOMAINS: "new.example.com",
      });
      const result = await stack.preview(goals);
      expect(errors(result).join("\n")).toContain(
        `email of account ${USERS.fresh}: domain "attacker.example" is not in acronis:allowedEmailDomains (new.example.com)`,
      );
      expect(await requests()).toBe(0);
    },
  );

  it("refuses a run over the stack's maxEmailChanges and writes nothing", async () => {
    const config = connectionConfig({ "acronis:maxEmailChanges": "1" });
    const goals = await fileGoals(accountsFile("fresh@new.example.com"), config);
    const result = await stack.up(goals);
    expect(errors(result).join("\n")).toContain("refused by acronis:maxEmailChanges");
    expect((await stack.emulator.control.requests()).counts[PUT_USER]).toBe(undefined);
  });

  it("with the stack's allowlist naming no domain, the program fails naming the setting", async () => {
    const config = connectionConfig({ "acronis:allowedEmailDomains": " , " });
    const declaring = fileGoals(accountsFile("ann@attacker.example"), config);
    await expect(declaring).rejects.toThrow(
      /acronis:allowedEmailDomains \(or ACRONIS_ALLOWED_EMAIL_DOMAINS\): is set but names no domain/,
    );
    await expect(declaring).rejects.toThrow(HOW_TO_SET);
  });
});
