import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderHost } from "../engine/host";
import { transcribe } from "../engine/transcript";
import { REPO_ROOT, serializeProvider, USER_EMAIL_TYPE } from "../engine/workspace";
import { type DocBlock, markedBlocks } from "./support/doc-blocks";
import { CLIENT_SECRET, seed, stackConfig, USERS } from "./support/fixtures";
import { emulatorForStories } from "./support/stack";

/**
 * The serialized provider works where users have it: in a program directory where the package
 * was installed from its published tarball (npm pack + npm install, no symlink), and in a clone
 * of this repository where the root program imports the package by its own name.
 */

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "acronis-pack-"));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});
const emulator = emulatorForStories({ seed: seed as never });

/**
 * A user's project that depends on @pulumi/pulumi, with a lock file pinning it as this
 * repository's lock does. `npm ci` put exactly those packages in npm's cache, so `npm install
 * --offline` of the tarball works on a machine whose cache holds nothing else: the test needs no
 * registry and nothing left in ~/.npm by earlier work.
 */
function writeUserProject(dir: string): void {
  const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8"));
  const dependencies = { "@pulumi/pulumi": lock.packages["node_modules/@pulumi/pulumi"].version };
  const manifest = { name: "app", private: true, dependencies };
  writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  lock.name = "app";
  lock.packages[""] = { name: "app", dependencies };
  writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify(lock, null, 2));
}

/** Check + Create of one account in a fresh host started in `cwd`. */
async function createThrough(cwd: string, providerText: string, email: string) {
  const host = await ProviderHost.start({ cwd, project: "packaging" });
  try {
    await host.configure(stackConfig(emulator.baseUrl));
    const urn = `urn:pulumi:test::packaging::${USER_EMAIL_TYPE}::acct`;
    const news = { userId: USERS.fresh, email, __provider: providerText };
    const checked = await host.check(urn, {}, news);
    expect(checked.failures).toEqual([]);
    return await host.create(urn, checked.inputs);
  } finally {
    await host.stop();
  }
}

/**
 * The README's install block, as its lines: `cd <clone>`, `npm ci && npm pack`, `cd <project>`,
 * `npm install <tarball> @pulumi/pulumi`. Each is checked against what this test runs.
 */
function readmeInstall() {
  const [block, ...more] = markedBlocks("tested", "install");
  expect(more).toEqual([]);
  const lines = (block as DocBlock).text
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l !== "");
  const [cdClone, build, cdProject, install, ...rest] = lines;
  expect(rest).toEqual([]);
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
  const clone = /^cd (\S+)$/.exec(cdClone ?? "")?.[1];
  const project = /^cd \.\.\/(\S+)$/.exec(cdProject ?? "")?.[1];
  // The tarball npm pack writes, named from package.json: a version bump must update the README.
  const tarball = `${pkg.name}-${pkg.version}.tgz`;
  expect(clone).toBe(pkg.name);
  expect(project).toBeDefined();
  expect(build).toBe("npm ci && npm pack");
  expect(install).toBe(`npm install ../${clone}/${tarball} @pulumi/pulumi`);
  return {
    clone: clone as string,
    project: project as string,
    tarball,
    install: install as string,
  };
}

/** The modules 0.1.0 had side by side under provider/, before its parts became folders. */
const FLAT_MODULES_OF_0_1_0 = [
  "account-entry",
  "accounts",
  "accounts-connections",
  "accounts-file-problems",
  "accounts-stack",
  "accounts-yaml",
  "acronis-provider",
  "adoption-notes",
  "client-options",
  "describe-value",
  "duration",
  "dynamic",
  "email",
  "inputs",
  "login-resolution",
  "provider-session",
  "reconcile",
  "refresh-credentials",
  "resource-name",
  "setting-catalogue",
  "setting-kinds",
  "settings",
  "stacks",
  "step-error",
  "user-email",
  "yaml-locator",
];

describe("installed from the packed tarball, as the README says", () => {
  it("serializes to one small require() and runs in a host started in the user's project", async () => {
    const npm = (args: string[], cwd: string) =>
      execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const readme = readmeInstall();
    // `cd <clone>` is this checkout. Its `npm ci` is CI's first step (.ci/run); run inside the
    // suite it would replace the node_modules every other test is using. `npm pack` runs as
    // written, with the build (`prepare`) already done by `npm test` and the tarball written
    // into the scratch copy of the clone's directory.
    const clone = path.join(scratch, readme.clone);
    mkdirSync(clone);
    npm(["pack", "--ignore-scripts", "--silent", "--pack-destination", clone], REPO_ROOT);
    expect(readdirSync(clone)).toEqual([readme.tarball]);
    // What the release workflow publishes, as `npm publish --dry-run` of that tarball (CI runs
    // the same): npm accepts it as it is, with the metadata a registry page shows.
    const publish = spawnSync(
      "npm",
      ["publish", "--dry-run", "--offline", "--json", path.join(clone, readme.tarball)],
      { cwd: scratch, encoding: "utf8" },
    );
    expect(publish.status, publish.stderr).toBe(0);
    expect(publish.stderr).not.toMatch(/auto-corrected|invalid|npm error/i);
    const dryRun = JSON.parse(publish.stdout)[readme.clone] ?? JSON.parse(publish.stdout);
    expect(dryRun).toMatchObject({ name: readme.clone, filename: readme.tarball });
    const files = (dryRun.files as { path: string }[]).map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE"]));
    expect(files.filter((f) => f.startsWith("dist/provider/") && f.endsWith(".test.js"))).toEqual(
      [],
    );
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    const repo = String(pkg.repository?.url)
      .replace(/^git\+/, "")
      .replace(/\.git$/, "");
    expect(repo).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    expect(pkg.homepage).toBe(`${repo}#readme`);
    expect(pkg.bugs?.url).toBe(`${repo}/issues`);
    expect(pkg.keywords).toEqual(expect.arrayContaining(["pulumi", "acronis"]));

    // `cd ../my-stack`: a user's project beside the clone.
    const app = path.join(scratch, readme.project);
    mkdirSync(app);
    writeUserProject(app);
    const [command, ...args] = readme.install.split(" ");
    expect(command).toBe("npm");
    // The README's `@pulumi/pulumi` asks the registry for its `latest`; offline, with a cache that
    // holds only what `npm ci` put there (CI's empty cache), that metadata is not to be had. The
    // app already depends on @pulumi/pulumi, pinned by its lock as this repository's is (what
    // that argument adds), so the tarball is installed beside it as the README installs it.
    expect(args.at(-1)).toBe("@pulumi/pulumi");
    npm(
      [
        ...args.slice(0, -1),
        // Test-only: no registry (the lock pins @pulumi/pulumi, `npm ci` put it in the cache),
        // the peer as the app's own pinned dependency, no audit, no install scripts.
        "--offline",
        "--legacy-peer-deps",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
      ],
      app,
    );
    const manifest = JSON.parse(readFileSync(path.join(app, "package.json"), "utf8"));
    expect(manifest.dependencies["pulumi-acronis-user-email"]).toBe(
      `file:../${readme.clone}/${readme.tarball}`,
    );
    const installed = path.join(app, "node_modules", "pulumi-acronis-user-email");
    // What users get: compiled JavaScript with its types, no TypeScript sources or tests.
    const shipped = readdirSync(path.join(installed, "dist", "provider"));
    expect(shipped).toContain("entry.js");
    expect(shipped.some((f) => f.endsWith(".test.js"))).toBe(false);
    expect(readdirSync(installed)).not.toContain("provider");
    // The export command is linked as npm links a bin, and runs as CommonJS from the tarball.
    const help = execFileSync(
      process.execPath,
      [path.join(app, "node_modules", ".bin", "pulumi-acronis-user-email"), "--help"],
      { cwd: app, encoding: "utf8" },
    );
    expect(help).toMatch(/^Usage: pulumi-acronis-user-email export --tenant <uuid>/);

    // The flat deep imports of 0.1.0 (`pulumi-acronis-user-email/provider/<module>`) still load
    // the same modules from their part folders (deprecated aliases in package.json's exports).
    const userRequire = createRequire(path.join(app, "package.json"));
    for (const name of FLAT_MODULES_OF_0_1_0) {
      const spec = `pulumi-acronis-user-email/provider/${name}`;
      const target = path.relative(installed, userRequire.resolve(spec));
      expect(target, spec).toMatch(/^dist\/provider\/(decision|settings|resource|accounts-file)\//);
      expect(Object.keys(userRequire(spec)).length, spec).toBeGreaterThan(0);
    }

    // Serialize from the user's directory, as the Pulumi program does.
    const previous = process.cwd();
    process.chdir(app);
    let text: string;
    try {
      // The program's own SDK and package copy, as in `pulumi up` run from that directory.
      const load = createRequire(path.join(app, "package.json"));
      const provider = load("pulumi-acronis-user-email").userEmailProvider;
      const { runtime } = load("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
      text = (await runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
    } finally {
      process.chdir(previous);
    }
    expect(text).toMatch(
      /\nconst provider = require\("pulumi-acronis-user-email\/[a-z/]*entry(\.js)?"\);\n/,
    );
    transcribe("provider", text);
    expect(text.length).toBeLessThanOrEqual(512);
    expect(text).not.toContain(CLIENT_SECRET);

    const created = await createThrough(app, text, "packed@new.example.com");
    expect(created.id).toBe(USERS.fresh);
    expect(created.properties).toMatchObject({
      status: "synced",
      liveEmail: "packed@new.example.com",
    });
  });
});

describe("run from a clone of this repository", () => {
  it("copies only the tiny entry by value, which resolves the package by name", async () => {
    const pkg = createRequire(path.join(REPO_ROOT, "package.json"))(
      path.join(REPO_ROOT, "dist", "provider", "index.js"),
    );
    const text = await serializeProvider(pkg.userEmailProvider);
    // No implementation inside: the steps are loaded from the package when they run.
    expect(text).toContain("pulumi-acronis-user-email/provider/dynamic");
    expect(text).not.toMatch(/AcronisClient|decideUpdate|undici/);
    expect(text.length).toBeLessThan(4_096);

    const created = await createThrough(REPO_ROOT, text, "clone@new.example.com");
    expect(created.properties).toMatchObject({
      status: "synced",
      liveEmail: "clone@new.example.com",
    });
  });
});
