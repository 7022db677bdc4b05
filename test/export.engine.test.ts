import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  defaultSeed,
  generateSeed,
  type RunningEmulator,
  TENANTS,
  USERS,
} from "../emulator";
import { demoStackConfig } from "../emulator/demo-stack-config";
import { GET_USERS, PUT_USER } from "../emulator/request-keys";
import { countOps, Engine, failures } from "../engine/engine";
import { ProviderHost } from "../engine/host";
import { languageHostProgram, readProjectFile } from "../engine/program";
import { REPO_ROOT } from "../engine/workspace";
import { parseAccountsYaml } from "../provider/accounts-file/accounts";
import { runCli } from "../provider/cli/run";
import { emulatorForStories, waitFor } from "./support/stack";

/**
 * `pulumi-acronis-user-email export` against the emulator: the file it writes is adopted by the
 * root program without a single write, merging keeps a managed file as it was, every bad input
 * says what is wrong and writes nothing, and a 50,000-user tenant is exported with memory bounded
 * by a page. The command runs in this process (runCli) or, where a process matters (memory,
 * Ctrl-C), as the built bin in a child.
 */

const DIR = path.join(REPO_ROOT, ".tmp", "export");
const BIN = path.join(REPO_ROOT, "dist", "provider", "cli", "main.js");
const project = readProjectFile(path.join(REPO_ROOT, "Pulumi.yaml"));
const emulator = emulatorForStories({ seed: defaultSeed });

function credentials(platform = emulator): NodeJS.ProcessEnv {
  return {
    ACRONIS_BASE_URL: platform.baseUrl,
    ACRONIS_CLIENT_ID: DEMO_CLIENT_ID,
    ACRONIS_CLIENT_SECRET: DEMO_CLIENT_SECRET,
  };
}

/** A fresh directory for one test's files. */
function scratch(name: string): string {
  const dir = path.join(DIR, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function exportCli(
  argv: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; tty?: boolean },
) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t), isTTY: options.tty ?? false },
    env: options.env ?? credentials(),
    cwd: options.cwd,
  });
  return { code, stdout, stderr };
}

/** Names and contents of a directory: "nothing written" is this staying equal. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((f) => [
      f,
      createHash("sha256")
        .update(readFileSync(path.join(dir, f)))
        .digest("hex"),
    ]),
  );
}

async function requestsOf(platform: RunningEmulator, key: string): Promise<number> {
  return (await platform.control.requests()).counts[key] ?? 0;
}
const requests = (key: string) => requestsOf(emulator, key);

describe("the written file, applied to an empty stack", () => {
  it.each(["id", "login"] as const)(
    "by %s: previews as adoptions, up writes nothing, all synced, next preview clean",
    async (by) => {
      await emulator.control.reset();
      // Left out: a deleted account and one without an address.
      await emulator.control.deleteUser(USERS.frank);
      await emulator.control.patchUser(USERS.dave, { email: "" });
      const dir = scratch(`roundtrip-${by}`);
      const run = await exportCli(["export", "--tenant", TENANTS.partner, "--by", by], {
        cwd: dir,
      });
      expect(run).toEqual({
        code: 0,
        stdout: `wrote 5 accounts of tenant ${TENANTS.partner} to accounts.yaml (left out: 1 deleted, 1 without an address)\n`,
        stderr: "",
      });
      const text = readFileSync(path.join(dir, "accounts.yaml"), "utf8");
      expect(text).toContain(
        `# 5 accounts by ${by === "id" ? "id" : "login + tenant"}, in the platform's listing order. Left out: 1 deleted, 1 without an address.\n`,
      );
      const entries = parseAccountsYaml(text, "accounts.yaml");
      expect(entries.map((e) => e.label)).toEqual(
        by === "id"
          ? [USERS.partnerAdmin, USERS.alice, USERS.bob, USERS.carol, USERS.erin]
          : ["partner.admin", "alice", "bob", "carol", "erin"],
      );

      // The repository's root program, with the written file as its accountsFile.
      const config = {
        ...demoStackConfig(project, emulator.baseUrl),
        [`${project.name}:accountsFile`]: path.relative(REPO_ROOT, path.join(dir, "accounts.yaml")),
      };
      const engine = new Engine({
        project: project.name,
        stack: `export-${by}`,
        startHost: ProviderHost.starter({ cwd: REPO_ROOT, project: project.name, config }),
      });
      const program = languageHostProgram({
        dir: REPO_ROOT,
        project: project.name,
        stack: `export-${by}`,
        config,
        secretKeys: ["acronis:clientSecret"],
      });
      await emulator.control.resetRequests();
      const preview = await engine.preview(program);
      expect(failures(preview)).toEqual([]);
      expect(countOps(preview)).toMatchObject({ create: 5, update: 0, same: 0 });
      const up = await engine.up(program);
      expect(failures(up)).toEqual([]);
      expect(await requests(PUT_USER)).toBe(0);
      const ids = [USERS.partnerAdmin, USERS.alice, USERS.bob, USERS.carol, USERS.erin];
      expect(ids.map((id) => engine.resource(`user-${id}`)?.outputs.status)).toEqual(
        ids.map(() => "synced"),
      );
      expect(await emulator.control.outbox()).toEqual([]);
      const again = await engine.preview(program);
      expect(failures(again)).toEqual([]);
      expect(countOps(again)).toMatchObject({ create: 0, update: 0, same: 5 });
    },
  );
});

describe("merging into a file under management", () => {
  it("appends the accounts it lacks and keeps every line of the file", async () => {
    await emulator.control.reset();
    const dir = scratch("merge");
    const original = readFileSync(path.join(REPO_ROOT, "accounts.yaml"), "utf8");
    writeFileSync(path.join(dir, "accounts.yaml"), original);
    const run = await exportCli(["export", "--tenant", TENANTS.partner, "--merge"], { cwd: dir });
    expect(run).toEqual({
      code: 0,
      stdout: `added 2 accounts of tenant ${TENANTS.partner} to accounts.yaml (5 already in it; left out: none)\n`,
      stderr: "",
    });
    const merged = readFileSync(path.join(dir, "accounts.yaml"), "utf8");
    expect(merged.startsWith(original)).toBe(true);
    const entries = parseAccountsYaml(merged, "accounts.yaml");
    // The file's own addresses, not the platform's (alice's there is alice@alpha.example).
    expect(entries.find((e) => e.label === USERS.alice)?.email).toBe(
      "alice.anders@alpha-corp.example",
    );
    expect(entries.slice(5).map((e) => e.label)).toEqual([USERS.partnerAdmin, USERS.frank]);

    const twice = await exportCli(["export", "--tenant", TENANTS.partner, "--merge"], { cwd: dir });
    expect(twice.stdout).toContain("added 0 accounts");
    expect(readFileSync(path.join(dir, "accounts.yaml"), "utf8")).toBe(merged);
  });
});

describe("bad input: a clear message, and nothing written", () => {
  const existing = "accounts: []\n";
  const invalid = `accounts:\n  - id: ${USERS.alice}\n    email: alice@alpha.example\n    colour: blue\n`;
  it.each([
    {
      what: "an unknown tenant",
      argv: ["--tenant", "10000000-0000-4000-8000-0000000000ff"],
      message: `listing the users of tenant 10000000-0000-4000-8000-0000000000ff failed: Acronis API GET /users failed: HTTP 404 (code 404, PlatformAccountServer): Not found (tenant 10000000-0000-4000-8000-0000000000ff not found). No such tenant: check --tenant, and that ACRONIS_BASE_URL is its datacenter; nothing was written`,
    },
    {
      what: "a tenant outside the API client",
      argv: ["--tenant", TENANTS.unrelated],
      message: `listing the users of tenant ${TENANTS.unrelated} failed: Acronis API GET /users failed: HTTP 403 (code 1002, PlatformAccountServer): Access denied (tenant ${TENANTS.unrelated} is outside the caller's tenant subtree). The tenant is outside the API client's tenant, or the client lacks tenant_viewer; nothing was written`,
    },
    {
      what: "wrong credentials",
      argv: ["--tenant", TENANTS.partner],
      env: { ACRONIS_CLIENT_SECRET: "not-the-secret" },
      message: `listing the users of tenant ${TENANTS.partner} failed: Acronis API POST /idp/token failed: HTTP 401: could not obtain a token for API client ${DEMO_CLIENT_ID} (invalid_client: invalid client credentials); check the client id and secret; nothing was written`,
    },
    {
      what: "no secret in the environment",
      argv: ["--tenant", TENANTS.partner],
      env: { ACRONIS_CLIENT_SECRET: "" },
      message:
        "ACRONIS_CLIENT_SECRET is not set: export the API client's secret in the environment (it is never a command-line option); nothing was written",
    },
    {
      what: "an existing output without --force",
      argv: ["--tenant", TENANTS.partner, "-o", "accounts.yaml"],
      file: existing,
      message:
        "accounts.yaml exists: pass --force to replace it, or --merge to add the accounts it lacks; nothing was written",
    },
    {
      what: "an output in a directory that does not exist",
      argv: ["--tenant", TENANTS.partner, "-o", "missing/accounts.yaml"],
      message:
        "--output: the directory of missing/accounts.yaml does not exist; nothing was written",
    },
    {
      what: "a merge target that is not a valid accounts file",
      argv: ["--tenant", TENANTS.partner, "--merge"],
      file: invalid,
      message: `accounts.yaml: 1 problem; nothing was sent to the platform:\n  accounts.yaml:4:5: entry ${USERS.alice}: colour: unknown key (expected id, login, tenant, email, resendAfter, connection, stack)`,
    },
  ])("$what", async ({ argv, env, file, message }) => {
    await emulator.control.reset();
    const dir = scratch("bad-input");
    if (file !== undefined) writeFileSync(path.join(dir, "accounts.yaml"), file);
    const before = snapshot(dir);
    const run = await exportCli(["export", ...argv], {
      cwd: dir,
      env: { ...credentials(), ...env },
    });
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: `pulumi-acronis-user-email export: ${message}\n`,
    });
    expect(snapshot(dir)).toEqual(before);
    if (file !== undefined) expect((await emulator.control.requests()).total).toBe(0);
  });
});

describe("progress and personal data", () => {
  it("shows a progress line of counts on a terminal's stderr, and nothing elsewhere", async () => {
    await emulator.control.reset();
    const dir = scratch("progress");
    const tty = await exportCli(["export", "--tenant", TENANTS.partner], { cwd: dir, tty: true });
    expect(tty.code).toBe(0);
    const ERASE = "\r\u001b[2K";
    expect(tty.stderr.startsWith(`${ERASE}export: 7 users, 1 page, `)).toBe(true);
    expect(tty.stderr.slice(ERASE.length)).toMatch(/^export: 7 users, 1 page, [\d,]+ users\/s\n$/);
    rmSync(path.join(dir, "accounts.yaml"));
    const piped = await exportCli(["export", "--tenant", TENANTS.partner], { cwd: dir });
    expect(piped.stderr).toBe("");
    // Addresses go into the file only.
    const file = readFileSync(path.join(dir, "accounts.yaml"), "utf8");
    expect(file).toContain("alice@alpha.example");
    for (const out of [tty.stdout, tty.stderr, piped.stdout]) expect(out).not.toContain("@");
  });
});

/** Runs `node <args>` and collects its output; `onSpawn` may signal it. */
function child(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  onSpawn?: (c: ChildProcess) => void,
) {
  return new Promise<{
    code: number | null;
    signal: string | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const proc = spawn(process.execPath, args, {
      cwd,
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => (stdout += d));
    proc.stderr.on("data", (d) => (stderr += d));
    proc.on("error", reject);
    proc.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    onSpawn?.(proc);
  });
}

describe("a large tenant", () => {
  const big = emulatorForStories(() => ({
    seed: generateSeed({ users: 50_000, usersPerTenant: 5_000 }),
  }));

  it("exports 50,000 users page by page, its live heap bounded by a page", async () => {
    const dir = scratch("large");
    // The command as a library in a child with a GC we can call: after each page, the heap that
    // is still reachable is measured. Holding the users would grow it by every page.
    const script = `
      const { runCli } = require(${JSON.stringify(path.join(REPO_ROOT, "dist", "provider", "cli", "run.js"))});
      const heaps = [];
      runCli(process.argv.slice(1), {
        stdout: { write() {} }, stderr: process.stderr, env: process.env, cwd: process.cwd(),
        onPage() { global.gc(); heaps.push(process.memoryUsage().heapUsed); },
      }).then((code) => {
        process.stdout.write(JSON.stringify({ code, heaps, maxRssKb: process.resourceUsage().maxRSS }));
      });`;
    const run = await child(
      ["--expose-gc", "-e", script, "--", "export", "--tenant", TENANTS.partner],
      credentials(big),
      dir,
    );
    expect(run.stderr).toBe("");
    const { code, heaps, maxRssKb } = JSON.parse(run.stdout) as {
      code: number;
      heaps: number[];
      maxRssKb: number;
    };
    expect(code).toBe(0);
    // The platform's page is 2,000 users: 25 pages, one request each, plus the token.
    expect(heaps).toHaveLength(25);
    const counts = (await big.control.requests()).counts;
    expect(counts[GET_USERS]).toBe(25);
    const mb = (bytes: number) => bytes / 2 ** 20;
    const growthMb = mb(Math.max(...heaps) - (heaps[0] as number));
    // Flat per page: once the first 5 pages have warmed the code and the connection, the last 20
    // pages (40,000 users) together add under 0.5 MB. Holding anything per user, even only a Set
    // of the ids (about 170 KB a page), grows it by several MB.
    const lastTwentyMb = mb(Math.max(...heaps.slice(5)) - (heaps[4] as number));
    console.log(
      `export of 50,000 users: live heap after page 1 ${mb(heaps[0] as number).toFixed(1)} MB, growth to the last page ${growthMb.toFixed(1)} MB, over the last 20 pages ${lastTwentyMb.toFixed(2)} MB, peak RSS ${(maxRssKb / 1024).toFixed(0)} MB`,
    );
    expect(lastTwentyMb).toBeLessThan(0.5);
    // 50,000 users held as objects would add well over 10 MB; a page's worth stays flat.
    expect(growthMb).toBeLessThan(4);

    const text = readFileSync(path.join(dir, "accounts.yaml"), "utf8");
    expect(text).toContain(
      "# 50,000 accounts by id, in the platform's listing order. Left out: none.",
    );
    expect(text.match(/^ {2}- id: /gm)).toHaveLength(50_000);
  });

  it("leaves no file, whole or half, when interrupted with Ctrl-C", async () => {
    const dir = scratch("interrupt");
    await big.control.reset();
    // The first page answers; the second (asked for as the first arrives) never does.
    await big.control.faults([
      { method: "GET", path: "^/api/2/users$", times: 1, action: { type: "latency", ms: 0 } },
      { method: "GET", path: "^/api/2/users$", always: true, action: { type: "hang" } },
    ]);
    try {
      let interrupted: Promise<void> = Promise.resolve();
      const run = await child(
        [BIN, "export", "--tenant", TENANTS.partner],
        credentials(big),
        dir,
        (proc) => {
          interrupted = (async () => {
            // Signalled once the first page is in the temporary file and the second page, asked
            // for, hangs: the command is mid-file.
            const written = () =>
              readdirSync(dir).some(
                (f) => f.endsWith(".tmp") && statSync(path.join(dir, f)).size > 0,
              );
            await waitFor(async () => written() && (await requestsOf(big, GET_USERS)) >= 2);
            proc.kill("SIGINT");
          })();
          // Never leave the child behind when the wait fails; the failure is reported below.
          interrupted.catch(() => proc.kill("SIGKILL"));
        },
      );
      await interrupted;
      expect(run.code).toBe(130);
      expect(run.stderr).toBe("\ninterrupted (SIGINT): nothing was written\n");
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await big.control.clearFaults();
    }
  });
});
