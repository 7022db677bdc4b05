import { appendFileSync } from "node:fs";
import * as path from "node:path";

/**
 * When the test suite sets ACRONIS_TEST_TRANSCRIPT_DIR, everything the user would see or Pulumi
 * would store (host output lines, step errors, outputs, state) is appended here, so one check at
 * the end of the run can prove no secret or token leaked anywhere (test/global-setup.ts).
 * Elsewhere (npm start, the benchmark) it does nothing.
 */

export type TranscriptKind = "output" | "step" | "state" | "provider" | "token" | "secret";

/** `text` may be a function, so nothing is serialised when no transcript is being kept. */
export function transcribe(kind: TranscriptKind, text: string | (() => string)): void {
  const dir = process.env.ACRONIS_TEST_TRANSCRIPT_DIR;
  if (!dir) return;
  const line = (typeof text === "function" ? text() : text).replaceAll("\n", "\\n");
  appendFileSync(path.join(dir, `${process.pid}.log`), `${kind}\t${line}\n`);
}
