import type { Engine } from "../engine/engine";

/**
 * What `npm start` prints and checks: each step's outcome is set against what the seed and
 * accounts.yaml imply, and a miss stops the story with a `DemoFailure` (no stack trace).
 */

export class DemoFailure extends Error {
  override name = "DemoFailure";
}

export function expect(condition: boolean, what: string): void {
  if (!condition) throw new DemoFailure(what);
}

export function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export const print = (line = "") => process.stdout.write(`${line}\n`);

export function banner(text: string): void {
  print();
  print(`━━ ${text} ${"━".repeat(Math.max(3, 92 - text.length))}`);
}

/** What the checks read of a demo account (demo-platform.ts `DemoAccount`, which uses `expect`). */
type CheckedAccount = { name: string; login: string; datacenter: string };

export function printStatus(engine: Engine, accounts: CheckedAccount[]): void {
  print();
  print("Accounts:");
  for (const a of accounts) {
    const out = engine.resource(a.name)?.outputs ?? {};
    const status = String(out.status ?? "unknown");
    const detail =
      status === "pendingConfirmation"
        ? `link sent ${String(out.confirmationRequestedAt)}; the user has not opened it`
        : status === "synced"
          ? `platform holds the desired address (version ${String(out.version)})`
          : "the platform holds another address";
    print(`    ${a.login.padEnd(8)} ${a.datacenter}  ${status.padEnd(20)} ${detail}`);
  }
}

export function expectStatuses(
  engine: Engine,
  accounts: CheckedAccount[],
  pendingNames: Set<string>,
): void {
  for (const a of accounts) {
    const status = engine.resource(a.name)?.outputs.status;
    const want = pendingNames.has(a.name) ? "pendingConfirmation" : "synced";
    expect(status === want, `${a.login} should be ${want}, is ${String(status)}`);
  }
}
