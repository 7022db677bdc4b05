import { spawn } from "node:child_process";
import * as path from "node:path";
import { expect, it } from "vitest";
import { REPO_ROOT } from "../engine/workspace";

/**
 * `npm start`'s output, pinned: what it says at each step (plans, diagnostics, summaries, what
 * was sent) must not drift unnoticed. What varies from run to run is normalised: ports, times,
 * durations, the id the platform gives the account created through the API, and the progress
 * lines (how many appear depends on the machine's speed). Needs `npm run build` (dist/).
 */

function runDemo(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "dist", "scripts", "demo.js")], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

function normalise(out: string): string {
  const grace = /user-([0-9a-f-]{36})\s+us5\s+grace/.exec(out)?.[1];
  let text = grace ? out.split(grace).join("<grace's id>") : out;
  text = text
    .split("\n")
    .filter((line) => !line.startsWith("  ... "))
    .join("\n")
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "<time>")
    .replace(/\d+\.\d+s\b/g, "<s>");
  // Columns are padded after the durations, whose width varies: one gap of two spaces.
  return text.replace(/(\S) {2,}/g, "$1  ").replace(/ +$/gm, "");
}

it("npm start prints what it printed when this file was last reviewed", async () => {
  const { code, out } = await runDemo();
  expect(code).toBe(0);
  // Each deployment counts its own steps: never past the total (an `up` is two deployments).
  for (const [, done, total] of out.matchAll(/^ {2}\.\.\. .*: (\d+)\/(\d+) resources done/gm)) {
    expect(Number(done)).toBeLessThanOrEqual(Number(total));
  }
  await expect(normalise(out)).toMatchFileSnapshot("demo-output.txt");
});
