import { mkdirSync, rmSync } from "node:fs";
import * as path from "node:path";

/**
 * Starts the suite-wide transcript that test/secret-guard.check.ts scans at the end of the run
 * (see test/engine/transcript.ts). Runs once per project, so only the first call starts afresh.
 */
export function setup(): void {
  if (process.env.ACRONIS_TEST_TRANSCRIPT_DIR) return;
  const dir = path.resolve(__dirname, "..", ".tmp", "transcript");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.env.ACRONIS_TEST_TRANSCRIPT_DIR = dir;
}
