import { mkdirSync, rmSync } from "node:fs";
import * as path from "node:path";

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
  return () => rmSync(dir, { recursive: true, force: true });
}
