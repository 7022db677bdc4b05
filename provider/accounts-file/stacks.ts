import type { AccountEntry } from "./account-entry";
import type { Problem } from "./accounts-file-problems";

/**
 * One accounts file split into several Pulumi stacks, run side by side (a stack per datacenter,
 * per tenant, or per slice of a large fleet). Each entry names its stack with `stack:`; a stack
 * declares only its own entries.
 *
 * Why no account can belong to two stacks: the whole file is validated by every stack, the same
 * id twice is already an error, and a split file names every account by id. A login is resolved
 * by the platform only, so two logins (or a login and an id) in different stacks could name one
 * account without either stack seeing the other's answer; ids rule that out before any call.
 * Pure: the file's problems are reported with the others, at their place.
 */

/** Pulumi's stack names, as an entry's `stack:` is checked (account-entry.ts). */
export { STACK_NAME } from "./account-entry";

/** The stacks a file is split into, sorted; empty when it is not split. */
export function stacksOf(entries: readonly Pick<AccountEntry, "stack">[]): string[] {
  return [...new Set(entries.flatMap((e) => (e.stack === undefined ? [] : [e.stack])))].sort();
}

/** A split file's own rules: every entry names its stack, and every account is named by id. */
export function splitProblems(entries: readonly AccountEntry[]): Problem[] {
  const stacks = stacksOf(entries);
  if (stacks.length === 0) return [];
  const split = `the file is split into stacks (${stacks.join(", ")})`;
  const problems: Problem[] = [];
  for (const entry of entries) {
    if (entry.stack === undefined) {
      problems.push({
        where: entry.location,
        text: `entry ${entry.label}: stack: is required: ${split}, so every account names the stack that manages it`,
      });
    }
    if (entry.account.by === "login") {
      problems.push({
        where: entry.location,
        text:
          `entry ${entry.label}: login: ${split}: name the account by id, so that no two stacks ` +
          "can claim one account (a login is resolved by the platform, out of sight of the other stacks)",
      });
    }
  }
  return problems;
}

/** What a stack's program declares of the file: everything, or its own part of a split file. */
export type StackSelection = { ok: true; entries: AccountEntry[] } | { ok: false; reason: string };

export function selectStack(entries: readonly AccountEntry[], stack: string): StackSelection {
  const stacks = stacksOf(entries);
  if (stacks.length === 0) return { ok: true, entries: [...entries] };
  const own = entries.filter((e) => e.stack === stack);
  if (own.length > 0) return { ok: true, entries: own };
  // Declaring nothing would make `up` release every account the stack holds: refuse instead.
  return {
    ok: false,
    reason:
      `no entry names stack "${stack}" (the file's stacks: ${stacks.join(", ")}); select one of ` +
      "them (`pulumi stack select <name>`), or give entries `stack: " +
      `${stack}\``,
  };
}
