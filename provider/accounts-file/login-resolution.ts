import type { AccountEntry } from "./account-entry";
import type { Connection } from "./accounts-connections";
import { AccountsFileError, type Problem, sortedProblems } from "./accounts-file-problems";

/**
 * Login entries of the accounts file become account ids: one search each, through an injected
 * function (the API client's GET /search, through the entry's connection). Pure apart from it.
 */

/** An entry whose account is known by id. */
export interface ResolvedAccount {
  userId: string;
  email: string;
  resendAfter?: string;
  entry: AccountEntry;
}

/**
 * What resolution needs from the API: GET /search, users only, through the entry's connection
 * (undefined: the stack's own settings).
 */
export type FindUsers = (
  tenantId: string,
  text: string,
  connection: Connection | undefined,
) => Promise<readonly { id: string; login: string }[]>;

/** How many search results to ask for: the platform matches by word prefix ("bob" finds "bobby"). */
export const SEARCH_LIMIT = 50;

/**
 * Turns login entries into ids: exactly one user in the tenant's subtree whose login equals the
 * entry's, case-insensitively. Id entries pass through without a call. All entries are resolved
 * before any error is thrown, so one run reports every unresolvable login.
 */
export async function resolveAccounts(
  entries: readonly AccountEntry[],
  findUsers?: FindUsers,
): Promise<ResolvedAccount[]> {
  const problems: Problem[] = [];
  const resolved = await Promise.all(
    entries.map(async (entry): Promise<ResolvedAccount | null> => {
      const base = {
        email: entry.email,
        entry,
        ...(entry.resendAfter !== undefined ? { resendAfter: entry.resendAfter } : {}),
      };
      if (entry.account.by === "id") return { userId: entry.account.id, ...base };
      const { login, tenant } = entry.account;
      const through = entry.connection ? ` (connection ${entry.connection.name})` : "";
      const fail = (what: string) => {
        problems.push({ where: entry.location, text: `entry ${entry.label}: login: ${what}` });
        return null;
      };
      if (!findUsers) return fail("cannot be resolved: no API client was given");
      let found: readonly { id: string; login: string }[];
      try {
        found = await findUsers(tenant, login, entry.connection);
      } catch (error) {
        return fail(
          `searching tenant ${tenant}${through} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      const matches = found.filter((u) => u.login.toLowerCase() === login.toLowerCase());
      const [only] = matches;
      if (matches.length === 1 && only) return { userId: only.id.toLowerCase(), ...base };
      if (matches.length === 0) {
        const cut =
          found.length >= SEARCH_LIMIT ? ` (the search hit its limit of ${SEARCH_LIMIT})` : "";
        return fail(
          `no user with login "${login}" in tenant ${tenant} or below${through}${cut}; check the login and tenant, or name the account by id`,
        );
      }
      return fail(
        `${matches.length} users have login "${login}" under tenant ${tenant} (${matches.map((m) => m.id).join(", ")}); name the account by id`,
      );
    }),
  );

  // A login and an id (or two logins in different tenants) may name the same account.
  const byId = new Map<string, ResolvedAccount>();
  for (const account of resolved) {
    if (account === null) continue;
    const first = byId.get(account.userId);
    if (first) {
      problems.push({
        where: account.entry.location,
        text: `entry ${account.entry.label}: ${account.entry.account.by}: duplicate account: ${account.userId} is already listed at line ${first.entry.location.line}`,
      });
    } else byId.set(account.userId, account);
  }
  const file = entries[0]?.location.file ?? "accounts";
  if (problems.length > 0) throw new AccountsFileError(file, sortedProblems(problems));
  return resolved as ResolvedAccount[];
}
