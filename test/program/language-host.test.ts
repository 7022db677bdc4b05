import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { defaultSeed, USERS } from "../../emulator";
import { demoStackConfig } from "../../emulator/demo-stack-config";
import { ProgramError, runProgram } from "../../engine/language-host";
import type { Registered, Goal as Registration } from "../../engine/model";
import { readProjectFile } from "../../engine/program";
import { type ProgramRunOptions, programLaunch } from "../../engine/program-launch";
import { SECRET_OUTPUT, UNKNOWN_OUTPUT } from "../../engine/wire-values";
import { createWorkspace, REPO_ROOT, USER_EMAIL_TYPE } from "../../engine/workspace";
import { CLIENT_SECRET } from "../support/fixtures";
import { emulatorForStories } from "../support/stack";

/**
 * The language host: programs started as `pulumi preview` / `pulumi up` start them, through the
 * SDK's own runner (`@pulumi/pulumi/cmd/run`, its ts-node included) talking gRPC to the local
 * engine's monitor. `register` stands in for the engine here; the engine's own tests drive the
 * provider. Needs dist/ (npm test builds it first): the root program imports the package by name.
 */

const emulator = emulatorForStories({ seed: defaultSeed });
const ROOT = readProjectFile(path.join(REPO_ROOT, "Pulumi.yaml"));

type Answer = (reg: Registration) => Registered | Promise<Registered>;

/** The engine's answer for a resource created with these inputs and a "synced" status. */
const created: Answer = (reg) => ({
  id: String(reg.inputs.userId),
  outputs: { ...reg.inputs, status: "synced", version: 7 },
});

async function run(options: Partial<ProgramRunOptions> & { dir: string }, answer = created) {
  const registrations: Registration[] = [];
  const result = await runProgram(
    {
      project: ROOT.name,
      stack: "test",
      dryRun: false,
      parallel: 8,
      config: {},
      secretKeys: [],
      ...options,
    },
    async (reg) => {
      registrations.push(reg);
      return answer(reg);
    },
  );
  return { registrations, result };
}

function rootConfig(extra: Record<string, string> = {}) {
  return { ...demoStackConfig(ROOT, emulator.baseUrl), ...extra };
}

/** A user's program directory with the package installed, and the given files. */
async function program(name: string, files: Record<string, string>): Promise<string> {
  const { dir } = await createWorkspace(`lh-${name}`);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const pulumiYaml = (name: string, main?: string) =>
  `name: ${name}\nruntime: nodejs\n${main ? `main: ${main}\n` : ""}`;

describe("starting the program", () => {
  it("uses the arguments and environment pulumi-language-nodejs gives the SDK's runner", () => {
    const launch = programLaunch(
      {
        dir: REPO_ROOT,
        project: ROOT.name,
        stack: "dev",
        dryRun: true,
        parallel: 16,
        config: { "acronis:baseUrl": "https://x.example/api/2", "acronis:clientSecret": "s" },
        secretKeys: ["acronis:clientSecret"],
      },
      { monitor: "127.0.0.1:1", engine: "127.0.0.1:2" },
    );
    expect(launch.command).toBe("node");
    expect(launch.runPath).toBe(
      path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run", "index.js"),
    );
    expect(launch.args).toEqual([
      launch.runPath,
      ...["--monitor", "127.0.0.1:1", "--engine", "127.0.0.1:2"],
      ...["--organization", "organization", "--project", ROOT.name],
      ...["--root-directory", REPO_ROOT, "--stack", "dev", "--pwd", REPO_ROOT],
      ...["--dry-run", "--parallel", "16"],
      // Pulumi.yaml's `main`, which the CLI passes as the entry point.
      "index.ts",
    ]);
    expect(launch.cwd).toBe(REPO_ROOT);
    expect(launch.env).toEqual({
      PULUMI_CONFIG: JSON.stringify({
        "acronis:config:baseUrl": "https://x.example/api/2",
        "acronis:config:clientSecret": "s",
      }),
      PULUMI_CONFIG_SECRET_KEYS: '["acronis:clientSecret"]',
      PULUMI_NODEJS_TYPESCRIPT: "true",
    });
  });

  it("the program sees them: names, directories, config, dry run, monitor features", async () => {
    const facts = [
      'import * as pulumi from "@pulumi/pulumi";',
      'import * as proto from "@pulumi/pulumi/proto/resource_pb";',
      "const supports = (id: string) =>",
      "  new Promise<boolean>((resolve, reject) => {",
      "    const req = new proto.SupportsFeatureRequest();",
      "    req.setId(id);",
      "    pulumi.runtime.getMonitor()?.supportsFeature(req, (err, res) =>",
      "      err ? reject(err) : resolve(res.getHassupport()));",
      "  });",
      "const env = process.env;",
      "export const facts = {",
      "  cwd: process.cwd(),",
      "  project: pulumi.getProject(),",
      "  stack: pulumi.getStack(),",
      "  organization: pulumi.getOrganization(),",
      "  rootDirectory: pulumi.getRootDirectory(),",
      "  dryRun: pulumi.runtime.isDryRun(),",
      "  parallel: env.PULUMI_NODEJS_PARALLEL,",
      "  typescript: env.PULUMI_NODEJS_TYPESCRIPT,",
      '  configKeys: Object.keys(JSON.parse(env.PULUMI_CONFIG ?? "{}")).sort(),',
      '  secretKeys: JSON.parse(env.PULUMI_CONFIG_SECRET_KEYS ?? "[]"),',
      '  baseUrl: new pulumi.Config("acronis").get("baseUrl"),',
      '  secrets: supports("secrets"),',
      '  resourceReferences: supports("resourceReferences"),',
      "};",
    ].join("\n");
    const dir = await program("facts", {
      "Pulumi.yaml": pulumiYaml("lh-facts", "src/index.ts"),
      "src/index.ts": facts,
    });
    const { result, registrations } = await run({
      dir,
      project: "lh-facts",
      stack: "facts",
      dryRun: true,
      parallel: 3,
      config: { "acronis:baseUrl": "https://eu2-cloud.acronis.com/api/2", "lh-facts:x": "1" },
      secretKeys: ["lh-facts:x"],
    });
    expect(registrations).toEqual([]);
    expect(result.outputs.facts).toEqual({
      // getPwdMain: `main` names a file, so its directory is the program's working directory.
      cwd: path.join(dir, "src"),
      project: "lh-facts",
      stack: "facts",
      organization: "organization",
      rootDirectory: dir,
      dryRun: true,
      parallel: "3",
      typescript: "true",
      configKeys: ["acronis:config:baseUrl", "lh-facts:config:x"],
      secretKeys: ["lh-facts:x"],
      baseUrl: "https://eu2-cloud.acronis.com/api/2",
      secrets: true,
      resourceReferences: false,
    });
  });
});

describe("the root project", () => {
  it("runs index.ts under the real runner: one UserEmail per entry of accounts.yaml", async () => {
    const { registrations, result } = await run({ dir: REPO_ROOT, config: rootConfig() });
    const ids = [USERS.alice, USERS.bob, USERS.carol, USERS.dave, USERS.erin];
    expect(registrations.map((r) => r.name).sort()).toEqual(ids.map((id) => `user-${id}`).sort());
    for (const reg of registrations) {
      expect(reg.type).toBe(USER_EMAIL_TYPE);
      expect(reg.urn).toBe(`urn:pulumi:test::${ROOT.name}::${USER_EMAIL_TYPE}::${reg.name}`);
      expect(reg.parent).toBe(
        `urn:pulumi:test::${ROOT.name}::pulumi:pulumi:Stack::${ROOT.name}-test`,
      );
      // From a clone, the entry is copied by value and resolves the package by name when it runs.
      expect(String(reg.inputs.__provider)).toContain("pulumi-acronis-user-email/provider/dynamic");
    }
    // The stack outputs come from the engine's answers: every account's status.
    expect(Object.values(result.outputs.accounts as object)).toEqual(Array(5).fill("synced"));
  });

  it("without `main` in Pulumi.yaml, runs package.json's library instead and declares nothing", async () => {
    // A copy of what a clone holds after `npm install`, with Pulumi.yaml as it was before `main`.
    const clone = path.join(REPO_ROOT, ".tmp", "lh-root-without-main");
    rmSync(clone, { recursive: true, force: true });
    mkdirSync(clone, { recursive: true });
    const cloned = ["package.json", "tsconfig.json", "index.ts", "accounts.yaml"];
    for (const file of [...cloned, "provider", "dist/provider"]) {
      cpSync(path.join(REPO_ROOT, file), path.join(clone, file), { recursive: true });
    }
    const withMain = readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8");
    expect(withMain).toMatch(/^main: index\.ts$/m);
    writeFileSync(path.join(clone, "Pulumi.yaml"), withMain.replace(/^main: .*\n/m, ""));

    const before = await run({ dir: clone, config: rootConfig() });
    expect(before.registrations).toEqual([]);
    // What ran was the library: its exports became the stack's outputs.
    expect(Object.keys(before.result.outputs)).toEqual(
      expect.arrayContaining(["UserEmail", "userEmailProvider", "userEmailsFromFile"]),
    );

    // The same copy with the fix declares the five accounts.
    writeFileSync(path.join(clone, "Pulumi.yaml"), withMain);
    const after = await run({ dir: clone, config: rootConfig() });
    expect(after.registrations).toHaveLength(5);
  });

  it("fails the run with the accounts file's own message, and declares nothing", async () => {
    const dir = path.join(REPO_ROOT, ".tmp", "lh-accounts");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, "broken.yaml"),
      `accounts:\n  - id: ${USERS.alice}\n    email: alice@alpha.example\n    colour: blue\n`,
    );
    const registrations: Registration[] = [];
    const failed = await runProgram(
      {
        dir: REPO_ROOT,
        project: ROOT.name,
        stack: "test",
        dryRun: true,
        parallel: 8,
        config: rootConfig({ [`${ROOT.name}:accountsFile`]: ".tmp/lh-accounts/broken.yaml" }),
        secretKeys: ["acronis:clientSecret"],
      },
      async (reg) => {
        registrations.push(reg);
        return created(reg);
      },
    ).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(ProgramError);
    const error = failed as ProgramError;
    expect(error.message).toContain(`program ${REPO_ROOT} failed`);
    expect(error.message).toContain(
      ".tmp/lh-accounts/broken.yaml: 1 problem; nothing was sent to the platform",
    );
    expect(error.message).toContain("broken.yaml:4:5: entry");
    expect(error.message).toContain("colour: unknown key");
    expect(stripVTControlCharacters(error.message)).toBe(error.message);
    expect(registrations).toEqual([]);
  });
});

describe("a program", () => {
  it("with a type error fails with the compiler's message, before registering anything", async () => {
    const dir = await program("type-error", {
      "Pulumi.yaml": pulumiYaml("lh-type-error"),
      "index.ts": [
        'import { UserEmail } from "pulumi-acronis-user-email";',
        'new UserEmail("alice", { userId: 42, email: "alice@alpha.example" });',
      ].join("\n"),
    });
    const failed = await run({ dir, project: "lh-type-error" }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ProgramError);
    const { message } = failed as ProgramError;
    expect(message).toContain(`program ${dir} failed`);
    expect(message).toContain("Unable to compile TypeScript");
    expect(message).toMatch(/index\.ts\(2,\d+\): error TS2322: Type 'number' is not assignable/);
  });

  const outputsProgram = [
    'import * as pulumi from "@pulumi/pulumi";',
    'import { UserEmail } from "pulumi-acronis-user-email";',
    `const alice = new UserEmail("alice", { userId: "${USERS.alice}", email: "alice@alpha.example" });`,
    'export const greeting = "hello";',
    "export const status = alice.status;",
    "export const nested = { id: alice.id, version: alice.version, three: Promise.resolve(3) };",
  ].join("\n");

  it("that exports stack outputs has them, from the engine's answers", async () => {
    const dir = await program("outputs", {
      "Pulumi.yaml": pulumiYaml("lh-outputs"),
      "index.ts": outputsProgram,
    });
    const { result, registrations } = await run({ dir, project: "lh-outputs" });
    expect(registrations.map((r) => r.name)).toEqual(["alice"]);
    expect(result.outputs).toEqual({
      greeting: "hello",
      status: "synced",
      nested: { id: USERS.alice, version: 7, three: 3 },
    });
  });

  it("previewed, sees the outputs the engine does not know yet as unknown", async () => {
    const dir = await program("outputs", {
      "Pulumi.yaml": pulumiYaml("lh-outputs"),
      "index.ts": outputsProgram,
    });
    // What the engine answers a resource to be created: no id, the inputs as outputs.
    const { result } = await run({ dir, project: "lh-outputs", dryRun: true }, (reg) => ({
      id: "",
      outputs: reg.inputs,
    }));
    expect(result.outputs).toEqual({
      greeting: "hello",
      status: UNKNOWN_OUTPUT,
      nested: { id: UNKNOWN_OUTPUT, version: UNKNOWN_OUTPUT, three: 3 },
    });
  });

  it("gets config secrets as the CLI passes them, and keeps every secret out of plain text", async () => {
    const dir = await program("secrets", {
      "Pulumi.yaml": pulumiYaml("lh-secrets"),
      "index.ts": [
        'import * as pulumi from "@pulumi/pulumi";',
        'import { UserEmail } from "pulumi-acronis-user-email";',
        "const runtime = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };",
        'const acronis = new pulumi.Config("acronis");',
        "const alice = new UserEmail(",
        '  "alice",',
        `  { userId: "${USERS.alice}", email: pulumi.secret("alice@alpha.example") },`,
        ");",
        'export const clientSecretIsSecret = runtime.isConfigSecret("acronis:clientSecret");',
        'export const clientIdIsSecret = runtime.isConfigSecret("acronis:clientId");',
        'export const clientSecret = acronis.requireSecret("clientSecret");',
        "export const email = alice.email;",
        "export const status = alice.status;",
      ].join("\n"),
    });
    const { result, registrations } = await run({
      dir,
      project: "lh-secrets",
      config: { "acronis:clientId": "client-1", "acronis:clientSecret": CLIENT_SECRET },
      secretKeys: ["acronis:clientSecret"],
    });
    // The engine gets the input in plain text (for the provider), knowing it is secret.
    expect(registrations[0]?.inputs.email).toBe("alice@alpha.example");
    expect(registrations[0]?.secretInputs).toEqual(["email"]);
    expect(result.outputs).toEqual({
      clientSecretIsSecret: true,
      clientIdIsSecret: false,
      clientSecret: SECRET_OUTPUT,
      // The output of a secret input comes back to the program as a secret.
      email: SECRET_OUTPUT,
      status: "synced",
    });
    const seen = JSON.stringify([result.outputs, result.logs, result.output]);
    expect(seen).not.toContain(CLIENT_SECRET);
    expect(seen).not.toContain("alice@alpha.example");
  });

  it("has its registrations handed over as they arrive, none waiting for another's answer", async () => {
    const dir = await program("concurrent", {
      "Pulumi.yaml": pulumiYaml("lh-concurrent"),
      "index.ts": [
        'import { UserEmail } from "pulumi-acronis-user-email";',
        `for (const name of ["a", "b", "c"]) new UserEmail(name, { userId: "${USERS.alice}", email: "x@alpha.example" });`,
      ].join("\n"),
    });
    // No answer until all three are in: a host that waited for each answer would never get there.
    const pending: (() => void)[] = [];
    const { registrations } = await run({ dir, project: "lh-concurrent" }, (reg) => {
      const answered = new Promise<Registered>((resolve, reject) => {
        // A safety net so a broken host fails rather than hangs; never reached by a working one.
        const timer = setTimeout(() => reject(new Error(`${reg.name} alone for 300 s`)), 300_000);
        pending.push(() => {
          clearTimeout(timer);
          resolve(created(reg) as Registered);
        });
      });
      if (pending.length === 3) for (const release of pending) release();
      return answered;
    });
    expect(registrations.map((r) => r.name).sort()).toEqual(["a", "b", "c"]);
  });

  it("stops with the engine's message when a registration is refused", async () => {
    const dir = await program("refused", {
      "Pulumi.yaml": pulumiYaml("lh-refused"),
      "index.ts": [
        'import { UserEmail } from "pulumi-acronis-user-email";',
        `new UserEmail("alice", { userId: "${USERS.alice}", email: "x@alpha.example" });`,
      ].join("\n"),
    });
    const failed = await run({ dir, project: "lh-refused" }, () => {
      throw new Error("check failed: email: domain not allowed");
    }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ProgramError);
    expect((failed as Error).message).toContain(
      "failed to register new resource alice [pulumi-nodejs:dynamic/acronis:UserEmail]",
    );
    expect((failed as Error).message).toContain("check failed: email: domain not allowed");
  });
});
