import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from "../emulator";
import { REPO_ROOT } from "../engine/workspace";
import {
  type DocBlock,
  docBlocks,
  documentationFiles,
  markedBlocks,
  outputOf,
  readDoc,
} from "./support/doc-blocks";
import { type EmulatorProcess, pastedExports, startEmulatorCli } from "./support/emulator-cli";

/**
 * The README and docs/ show only what runs: each shell block marked `tested` is run here as
 * written against the emulator (started as the README starts it), and each output shown is
 * compared with what that run printed. A block that is neither run nor plainly a Pulumi CLI
 * command must say why (`not run`), and those are listed below. Also: links resolve, and the
 * README stays a front door.
 */

const BIN = path.join(REPO_ROOT, "dist", "provider", "cli", "main.js");
/** The command users type, and the same bin as this checkout builds it. */
const NPX = "npx pulumi-acronis-user-email";

/** Who runs each `tested` block: this file, or the test file named. */
const RUNNERS: Record<string, string> = {
  emulator: "test/docs.test.ts",
  credentials: "test/docs.test.ts",
  export: "test/docs.test.ts",
  "export-mistakes": "test/docs.test.ts",
  install: "test/packaging.engine.test.ts",
  ci: ".ci/run",
};

/** Outputs that another test file produces and compares, each read there by its marker. */
const OUTPUT_RUNNERS: Record<string, string> = {
  "report errors": "provider/cli/report-docs.test.ts",
  layout: "test/provider-parts.test.ts",
};

/**
 * The blocks shown but not run here, by file and first command, each for the reason its marker
 * gives (a new one is a deliberate change).
 */
const NOT_RUN = [
  ["README.md", "npm install pulumi-acronis-user-email @pulumi/pulumi"],
  ["README.md", "npm ci && npm start"],
  ["docs/contract.md", "export ACRONIS_BASE_URL=https://eu2-cloud.acronis.com/api/2"],
  ["docs/contract.md", "npm run emulator -- --port 8080 &"],
  ["docs/development.md", "npm ci && npm start"],
  ["docs/report.md", "pulumi stack export | npx pulumi-acronis-user-email report"],
  [
    "docs/report.md",
    'pulumi stack export --stack "$STACK" | npx pulumi-acronis-user-email report \\',
  ],
  ["docs/report.md", 'pulumi refresh --yes --stack "$STACK"'],
];

function commands(block: DocBlock): string[] {
  return block.text
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

const shellBlocks = () =>
  documentationFiles()
    .flatMap(docBlocks)
    .filter((b) => b.lang === "sh");

describe("every shell block", () => {
  it("is run by a test, is a Pulumi CLI command, or is listed as not run", () => {
    const notRun: string[][] = [];
    for (const block of shellBlocks()) {
      const where = `${block.file}:${block.line}`;
      if (block.marker?.kind === "tested") {
        expect(
          RUNNERS[block.marker.name],
          `${where}: who runs "${block.marker.name}"?`,
        ).toBeDefined();
      } else if (block.marker?.kind === "not run") {
        notRun.push([block.file, commands(block)[0] ?? ""]);
      } else {
        for (const command of commands(block)) expect(command, where).toMatch(/^pulumi /);
      }
    }
    expect(notRun).toEqual(NOT_RUN);
  });

  it("that another file runs is read there by its name", () => {
    for (const [name, runner] of Object.entries(RUNNERS)) {
      if (runner === "test/docs.test.ts") continue;
      expect(markedBlocks("tested", name).length, name).toBeGreaterThan(0);
      const source = readFileSync(path.join(REPO_ROOT, runner), "utf8");
      if (runner === ".ci/run") {
        // `npm ci && npm test` is exactly what CI runs.
        for (const block of markedBlocks("tested", name)) {
          for (const command of commands(block).flatMap((c) => c.split(" && "))) {
            expect(source.split("\n").some((l) => l.trim().startsWith(command))).toBe(true);
          }
        }
      } else {
        expect(source).toContain(`markedBlocks("tested", "${name}")`);
      }
    }
  });

  it("shown as output is the output of a run this file knows", () => {
    const outputs = documentationFiles()
      .flatMap(docBlocks)
      .filter((b) => b.lang === "text" || b.marker?.kind === "output of");
    for (const block of outputs) {
      const where = `${block.file}:${block.line}`;
      if (block.marker?.kind === "sample") {
        // docs/report.md's samples: report-docs.test.ts runs each marked command and compares.
        expect(block.file, where).toBe("docs/report.md");
        continue;
      }
      expect(block.marker?.kind, where).toBe("output of");
      const run = (block.marker?.name ?? "").replace(/ accounts\.yaml$/, "");
      const other = OUTPUT_RUNNERS[run];
      if (other) {
        const source = readFileSync(path.join(REPO_ROOT, other), "utf8");
        expect(source, where).toContain(`<!-- output of: ${run} -->`);
        continue;
      }
      expect(RUNNERS[run], where).toBe("test/docs.test.ts");
    }
  });
});

/** `npm run emulator`, as the package script runs it after its build, on a free port. */
let emulator: EmulatorProcess | undefined;
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "acronis-docs-"));
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
  expect(pkg.scripts.emulator).toBe("npm run build --silent && node dist/emulator/cli.js");
  emulator = await startEmulatorCli(["--port", "0"]);
});

afterAll(() => {
  emulator?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function pasted(): string {
  return pastedExports(emulator?.banner ?? "");
}

/** Runs a block with bash in a fresh directory; stdout and stderr as a terminal interleaves them. */
function bash(script: string, options: { cwd: string; input?: string }): string {
  try {
    return execFileSync("bash", ["-c", `${script}\n`], {
      cwd: options.cwd,
      encoding: "utf8",
      input: options.input ?? "",
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`${script}\nfailed: ${failed.stdout ?? ""}${failed.stderr ?? ""}`);
  }
}

/** The user's `npx pulumi-acronis-user-email`, as the bin this checkout builds. */
function withBin(block: DocBlock): string {
  expect(block.text).toContain(NPX);
  return block.text.replaceAll(NPX, `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`);
}

function freshDir(name: string): string {
  const dir = path.join(scratch, name);
  execFileSync("mkdir", ["-p", dir]);
  return dir;
}

describe("the quickstart, run as written", () => {
  it("emulator: `npm run emulator` prints the lines the README shows, on its own port", () => {
    const [block, ...more] = markedBlocks("tested", "emulator");
    expect(more).toEqual([]);
    expect(commands(block as DocBlock)).toEqual(["npm run emulator"]);
    const shown = outputOf(block as DocBlock, "emulator").text;
    expect(emulator?.banner.replaceAll(`127.0.0.1:${emulator?.port}`, "127.0.0.1:8080")).toBe(
      shown,
    );
    expect(shown).toContain(`ACRONIS_CLIENT_SECRET=${DEMO_CLIENT_SECRET}`);
  });

  it("credentials: the secret is read from a prompt into the environment, never a flag", () => {
    const [block] = markedBlocks("tested", "credentials");
    const text = (block as DocBlock).text;
    // A prompt says what is being read (bash shows it when stdin is a terminal).
    expect(text).toMatch(/read -rsp '[^']+' ACRONIS_CLIENT_SECRET/);
    // The placeholders, filled in with the emulator's values; the rest runs as written.
    const filled = text
      .replace("https://eu2-cloud.acronis.com/api/2", `http://127.0.0.1:${emulator?.port}/api/2`)
      .replace("<API client id>", DEMO_CLIENT_ID);
    const out = bash(
      `${filled}node -p 'JSON.stringify([process.env.ACRONIS_BASE_URL, process.env.ACRONIS_CLIENT_ID, process.env.ACRONIS_CLIENT_SECRET])'`,
      { cwd: freshDir("credentials"), input: `${DEMO_CLIENT_SECRET}\n` },
    );
    expect(JSON.parse(out.trim().split("\n").pop() as string)).toEqual([
      `http://127.0.0.1:${emulator?.port}/api/2`,
      DEMO_CLIENT_ID,
      DEMO_CLIENT_SECRET,
    ]);
  });

  it.each(markedBlocks("tested", "export").map((b) => [`${b.file}:${b.line}`, b]))(
    "export (%s): writes the file and prints the line the page shows",
    async (_, block) => {
      const dir = freshDir(`export-${block.file.replace(/\W/g, "-")}`);
      const out = bash(`${pasted()}${withBin(block)}`, { cwd: dir });
      expect(out).toBe(outputOf(block, "export").text);
      // The file's head as shown, up to the `...` that stands for the rest.
      const shown = outputOf(block, "export accounts.yaml").text.split("\n");
      const cut = shown.findIndex((l) => l.trim() === "...");
      expect(cut).toBeGreaterThan(0);
      const written = readFileSync(path.join(dir, "accounts.yaml"), "utf8").split("\n");
      expect(written.slice(0, cut)).toEqual(shown.slice(0, cut));
      expect(written.length).toBeGreaterThan(cut);
    },
  );

  it("export-mistakes: a mistyped option, a bad URL, a bad merge target: said as shown", () => {
    const [block, ...more] = markedBlocks("tested", "export-mistakes");
    expect(more).toEqual([]);
    const dir = freshDir("export-mistakes");
    // Each command fails on purpose; `|| true` keeps going, stderr joins stdout as on a terminal.
    const script = withBin(block as DocBlock)
      .replace(/\\\n\s*/g, "")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => `${l} 2>&1 || true`)
      .join("\n");
    const out = bash(`${pasted()}${script}`, { cwd: dir });
    expect(out).toBe(outputOf(block as DocBlock, "export-mistakes").text);
    expect(existsSync(path.join(dir, "accounts.yaml"))).toBe(false);
    // The merge target is left as the block wrote it.
    expect(readFileSync(path.join(dir, "managed.yaml"), "utf8")).toBe(
      "accounts:\n  - id: nope\n    email: someone\n",
    );
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

describe("the pages", () => {
  it("link only to files and headings that exist", () => {
    const examples = readdirSync(path.join(REPO_ROOT, "examples")).map(
      (name) => `examples/${name}/README.md`,
    );
    for (const file of [...documentationFiles(), "emulator/README.md", ...examples]) {
      // Link slots for pages still to come are comments, not links.
      const text = readDoc(file).replace(/<!--[\s\S]*?-->/g, "");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target as string)) continue;
        const [relative, hash] = (target as string).split("#");
        const resolved = relative ? path.join(path.dirname(file), relative) : file;
        expect(existsSync(path.join(REPO_ROOT, resolved)), `${file}: ${target}`).toBe(true);
        if (hash === undefined || !resolved.endsWith(".md")) continue;
        const headings = readDoc(resolved)
          .split("\n")
          .filter((l) => /^#{1,6} /.test(l))
          .map((l) => anchor(l.replace(/^#+ /, "")));
        expect(headings, `${file}: ${target}`).toContain(hash);
      }
    }
  });

  it("cite nothing outside the repository", () => {
    for (const file of [...documentationFiles(), "emulator/README.md", "engine/README.md"]) {
      expect(readDoc(file), file).not.toMatch(/\.\.\/shared\/|\/work\//);
    }
  });

  it("README: a front door of about 200 lines, every line of prose within 100 characters", () => {
    const lines = readDoc("README.md").split("\n");
    // About 200, plus the layout tree of the Development section (a line per folder).
    expect(lines.length).toBeLessThanOrEqual(235);
    const outputs = docBlocks("README.md").filter((b) => b.marker?.kind === "output of");
    const long = lines
      .map((l, i) => [i + 1, l] as const)
      .filter(([, l]) => l.length > 100 && !l.startsWith("|"))
      .filter(([n]) => !outputs.some((b) => n > b.line && n <= b.line + b.text.split("\n").length));
    expect(long).toEqual([]);
  });

  it("docs/README.md lists every page", () => {
    const index = readDoc("docs/README.md").replace(/<!--[\s\S]*?-->/g, "");
    for (const file of documentationFiles().filter((f) => f.startsWith("docs/"))) {
      if (file === "docs/README.md") continue;
      expect(index, file).toContain(`](${path.basename(file)})`);
    }
  });
});
