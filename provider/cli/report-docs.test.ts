import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runCli } from "./run";

/**
 * docs/report.md shows what `report` prints: every `<!-- sample: report ... -->` is run here on
 * the page's fixture (testdata/stack-export.json, in the shape `pulumi stack export` writes) and
 * its output compared with the fenced block after it, so the page cannot drift from the code.
 */

const ROOT = path.join(__dirname, "..", "..");
const PAGE = readFileSync(path.join(ROOT, "docs", "report.md"), "utf8");
const TESTDATA = path.join(__dirname, "testdata");

async function run(argv: string[], stdin = "") {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env: {},
    cwd: TESTDATA,
    stdin: Readable.from([stdin]),
  });
  return { code, stdout, stderr };
}

const SAMPLE = /<!-- sample: (report [^\n]*?) -->\n\n```[a-z]*\n([\s\S]*?)```\n/g;
const samples = [...PAGE.matchAll(SAMPLE)].map((m) => [m[1] as string, m[2] as string] as const);

describe("docs/report.md", () => {
  it("has a sample of each format", () => {
    const commands = samples.map(([command]) => command);
    expect(commands.some((c) => !c.includes("--format"))).toBe(true);
    expect(commands.some((c) => c.includes("--format markdown"))).toBe(true);
    expect(commands.some((c) => c.includes("--format json"))).toBe(true);
  });

  it.each(samples)("`%s` prints what the page shows", async (command, shown) => {
    const result = await run(command.split(" "));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(shown);
  });

  it("shows the error lines `report` prints", async () => {
    const notJson = await run(["report"], '{"version": 3 "deployment": {}}');
    const empty = await run(["report", "empty-stack.json"]);
    expect(notJson.code).toBe(1);
    expect(empty.code).toBe(1);
    const block = /<!-- output of: report errors -->\n```text\n([\s\S]*?)```/.exec(PAGE)?.[1];
    expect(block).toBe(notJson.stderr + empty.stderr);
  });
});
