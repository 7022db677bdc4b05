import { stringify } from "yaml";
import type { AcronisUser } from "../api";
import { normalizeEmail } from "../decision/email";

/**
 * What the export makes of each listed user, and the text it writes: pure, so the rules read as
 * a table in entries.test.ts. The file must load as it is (`parseAccountsYaml`), so a user whose
 * address the file would reject is left out like one without an address, and counted.
 */

export type Naming = "id" | "login";

/** Why a listed user is not an entry. */
export type LeftOut = "deleted" | "noAddress" | "badAddress";

export const LEFT_OUT_REASONS: Record<LeftOut, string> = {
  deleted: "deleted",
  noAddress: "without an address",
  badAddress: "with an address the accounts file would reject",
};

export function leftOutReason(user: AcronisUser): LeftOut | undefined {
  if (user.deletedAt !== null) return "deleted";
  if (user.email.trim() === "") return "noAddress";
  if (!normalizeEmail(user.email).ok) return "badAddress";
  return undefined;
}

const PLAIN_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PLAIN_ADDRESS = /^[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9][A-Za-z0-9.-]*$/;

/** A YAML scalar on one line, quoted only when YAML needs it ("123", "true", "a: b"). */
export function scalar(value: string): string {
  // Ids and ordinary addresses are plain as they are (never a number, boolean or null, no
  // indicator): skipping the YAML library for them makes a 50,000-entry file several times faster.
  if (PLAIN_UUID.test(value) || PLAIN_ADDRESS.test(value)) return value;
  // A line break would make a block scalar over several lines; JSON is a valid YAML double-quoted one.
  if (/\p{Cc}/u.test(value)) return JSON.stringify(value);
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** Comment text on one line: control characters would end the comment. */
function commentText(text: string): string {
  return text.replace(/\p{Cc}/gu, " ");
}

/** The reader's note on an entry: login (in id entries), activation, and a disabled account. */
export function entryNote(user: AcronisUser, by: Naming): string {
  const parts = by === "id" ? [user.login] : [];
  parts.push(
    user.activated ? "activated: a change mails a link" : "not activated: a change applies at once",
  );
  if (!user.enabled) parts.push("disabled");
  return commentText(parts.join(", "));
}

/** The entry's fields in file order, as `parseAccountsYaml` reads them. */
export function entryFields(
  user: AcronisUser,
  by: Naming,
  connection?: string,
): [key: string, value: string][] {
  const fields: [string, string][] =
    by === "id"
      ? [["id", user.id.toLowerCase()]]
      : [
          ["login", user.login],
          // The user's own tenant: the search covers it and below, and logins are unique.
          ["tenant", user.tenantId.toLowerCase()],
        ];
  fields.push(["email", user.email]);
  if (connection !== undefined) fields.push(["connection", connection]);
  return fields;
}

/** One entry of the `accounts:` list, indented as a block sequence under it. */
export function renderEntry(user: AcronisUser, by: Naming, connection?: string): string {
  const [first, ...rest] = entryFields(user, by, connection);
  const lines = [`  - ${first?.[0]}: ${scalar(first?.[1] ?? "")} # ${entryNote(user, by)}`];
  for (const [key, value] of rest) lines.push(`    ${key}: ${scalar(value)}`);
  return `${lines.join("\n")}\n`;
}

export interface ExportCounts {
  entries: number;
  leftOut: Record<LeftOut, number>;
}

export function emptyCounts(): ExportCounts {
  return { entries: 0, leftOut: { deleted: 0, noAddress: 0, badAddress: 0 } };
}

const count = (n: number) => n.toLocaleString("en-US");

/** "3 deleted, 2 without an address", or "none". */
export function leftOutSummary(counts: ExportCounts): string {
  const parts = (Object.keys(LEFT_OUT_REASONS) as LeftOut[])
    .filter((reason) => counts.leftOut[reason] > 0)
    .map((reason) => `${count(counts.leftOut[reason])} ${LEFT_OUT_REASONS[reason]}`);
  return parts.length > 0 ? parts.join(", ") : "none";
}

export interface HeaderFacts {
  tenant: string;
  by: Naming;
  counts: ExportCounts;
  connection?: { name: string; baseUrl: string; clientId: string };
}

/** The file's head: what it is, the counts, the connection if any, and the `accounts:` key. */
export function renderHeader(facts: HeaderFacts): string {
  const { counts } = facts;
  const lines = [
    `# Accounts of tenant ${facts.tenant} and its sub-tenants,`,
    "# written by `pulumi-acronis-user-email export`.",
    "# Each email is the address the platform holds now: applying this file adopts every account",
    "# without changing it. Edit an entry's email to change that account's address.",
    `# ${count(counts.entries)} account${counts.entries === 1 ? "" : "s"} by ${facts.by === "id" ? "id" : "login + tenant"}, in the platform's listing order. Left out: ${leftOutSummary(counts)}.`,
  ];
  if (facts.connection) {
    const { name, baseUrl, clientId } = facts.connection;
    lines.push(
      "connections:",
      `  ${name}:`,
      `    baseUrl: ${scalar(baseUrl)}`,
      `    clientId: ${scalar(clientId)}`,
      `    # secret: pulumi config set --secret --path 'acronis:connections.${name}.clientSecret' <secret>`,
    );
  }
  // An empty list must still be a list: `accounts:` alone is null, which the program rejects.
  lines.push(counts.entries === 0 ? "accounts: []" : "accounts:");
  return `${lines.join("\n")}\n`;
}
