import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";

/** The file test/secret-guard.check.ts leaves in the transcript folder when it runs. */
export const GUARD_RAN_MARKER = "secret-guard-ran";

/**
 * Starts the suite-wide transcript that test/secret-guard.check.ts scans at the end of the run
 * (see engine/transcript.ts). One folder per run, so two runs in one checkout do not mix;
 * it runs once per project, so only the first call creates it.
 */
export function setup(): (() => void) | undefined {
  if (process.env.ACRONIS_TEST_TRANSCRIPT_DIR) return undefined;
  const dir = path.resolve(__dirname, "..", ".tmp", `transcript-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.env.ACRONIS_TEST_TRANSCRIPT_DIR = dir;
  return () => {
    warnIfUnchecked(dir);
    rmSync(dir, { recursive: true, force: true });
  };
}

/**
 * A run of some files (`npx vitest run test/x.engine.test.ts`) does not select the secret guard:
 * say so after the summary, with the lines it left unscanned, instead of passing in silence.
 */
function warnIfUnchecked(dir: string): void {
  if (existsSync(path.join(dir, GUARD_RAN_MARKER))) return;
  const lines = readdirSync(dir)
    .map((file) => readFileSync(path.join(dir, file), "utf8").split("\n").length - 1)
    .reduce((a, b) => a + b, 0);
  if (lines === 0) return;
  process.stderr.write(
    `\nSECRET GUARD NOT RUN: this run's ${lines} transcript lines (host output, steps, state) ` +
      "were not scanned for leaked secrets or addresses. Add it to the files: " +
      "npx vitest run <files> test/secret-guard.check.ts\n",
  );
}
