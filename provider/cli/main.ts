#!/usr/bin/env node
/**
 * The command line: `export` (write an accounts file from the platform's accounts) and `report`
 * (who has not confirmed, from a stack export). Built on the API client and the accounts file;
 * runs without Pulumi. run.ts dispatches the commands; this file is the package's `bin`.
 *
 * May import: decision, settings, accounts-file, api.
 */
import { removeAllPending } from "./atomic-file";
import { runCli } from "./run";

/**
 * The package's command (`bin`): `npx pulumi-acronis-user-email export ...`. Ctrl-C (or a
 * SIGTERM) deletes the temporary files before exiting, so no half-written file is left; the
 * target is only ever replaced by a rename of a complete file.
 */

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    removeAllPending();
    process.stderr.write(`\ninterrupted (${signal}): nothing was written\n`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  });
}

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
}).then((code) => {
  process.exitCode = code;
});
