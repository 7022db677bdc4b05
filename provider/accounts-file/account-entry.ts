import { z } from "zod";
import { parseDuration } from "../decision/duration";
import { normalizeEmail } from "../decision/email";
import { UUID } from "../decision/inputs";
import type { Connection } from "./accounts-connections";
import { expected, inFile, type Problem, reporter } from "./accounts-file-problems";
import type { Location, Locator } from "./yaml-locator";

/**
 * One entry of the accounts file: which account (`id`, or `login` + `tenant`), its email, and
 * optionally `resendAfter`, `connection` and `stack`. Checked on its own and against the entries
 * before it (the same account twice); every problem is reported, at its property.
 */

/**
 * Pulumi's stack names (sdk/go/common/tokens: letters, digits, "-", "_", "."): what an entry's
 * `stack:` may be. Declared here, where the entry is parsed; stacks.ts re-exports it.
 */
export const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export type AccountRef = { by: "id"; id: string } | { by: "login"; login: string; tenant: string };

/** One valid entry of the file, normalised (lower-case ids, normalised email, canonical duration). */
export interface AccountEntry {
  account: AccountRef;
  email: string;
  resendAfter?: string;
  /** The entry's connection; absent: the stack's own settings. */
  connection?: Connection;
  /** The Pulumi stack that manages the account, in a file split into stacks (stacks.ts). */
  stack?: string;
  /** How messages name the entry: its id or its login. */
  label: string;
  location: Location;
}

const uuidField = (what: string) =>
  z
    .string({ error: expected(what) })
    .trim()
    .toLowerCase()
    .regex(UUID, { error: (issue) => `expected ${what}, got ${inFile(issue.input, true)}` });

const entrySchema = z.strictObject({
  id: uuidField("the account's UUID (8-4-4-4-12 hex digits)").optional(),
  login: z
    .string({ error: expected("the account's login, a string") })
    .trim()
    .min(1, "must not be empty")
    .optional(),
  tenant: uuidField("the UUID of the tenant to search the login in").optional(),
  email: z.string({ error: expected("an email address") }).transform((raw, ctx) => {
    const result = normalizeEmail(raw);
    if (result.ok) return result.email;
    ctx.addIssue({ code: "custom", message: `expected an email address: ${result.reason}` });
    return z.NEVER;
  }),
  resendAfter: z
    .string({ error: expected('a duration such as "24h" or "1h30m"') })
    .transform((raw, ctx) => {
      const result = parseDuration(raw);
      if (result.ok) return result.text;
      ctx.addIssue({ code: "custom", message: result.reason });
      return z.NEVER;
    })
    .optional(),
  connection: z
    .string({ error: expected("the name of a connection of the file's connections:") })
    .trim()
    .min(1, "must not be empty")
    .optional(),
  stack: z
    .string({ error: expected("the name of the Pulumi stack that manages the account") })
    .trim()
    .regex(STACK_NAME, {
      error: (issue) =>
        `expected a Pulumi stack name (letters, digits, "-", "_", "."), got ${inFile(issue.input, true)}`,
    })
    .optional(),
});
const ENTRY_KEYS = Object.keys(entrySchema.shape);

function entryLabel(raw: unknown, index: number): string {
  const record = (raw ?? {}) as Record<string, unknown>;
  if (typeof record.id === "string" && record.id.trim() !== "") return record.id.trim();
  if (typeof record.login === "string" && record.login.trim() !== "") return record.login.trim();
  return `#${index + 1}`;
}

/** What reading one entry needs from the file around it. */
export interface EntryContext {
  locate: Locator;
  /** The file's connections by name; null: one with problems of its own. */
  connections: ReadonlyMap<string, Connection | null>;
  /** The accounts of the entries before, by id and by connection/tenant/login. */
  seenIds: Map<string, Location>;
  seenLogins: Map<string, Location>;
  problems: Problem[];
}

/** The entry at `index` of `accounts:`, or undefined with its problems added to the context's. */
export function readEntry(raw: unknown, index: number, context: EntryContext) {
  const { locate, connections, seenIds, seenLogins, problems } = context;
  const path = ["accounts", index];
  const problemsBefore = problems.length;
  const label = entryLabel(raw, index);
  const report = reporter(problems, locate, path, `entry ${label}`);

  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    problems.push({
      where: locate.node(path),
      text: `entry ${label}: expected a mapping with id or login + tenant, and email; got ${inFile(raw)}`,
    });
    return undefined;
  }
  const record = raw as Record<string, unknown>;
  const parsed = entrySchema.safeParse(record);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) {
          report(key, `unknown key (expected ${ENTRY_KEYS.join(", ")})`, locate.key(path, key));
        }
      } else {
        report(String(issue.path[0] ?? "entry"), issue.message);
      }
    }
  }

  // Which account the entry names: checked on the raw keys, so these are reported even when a
  // value above is malformed.
  const has = (key: string) => record[key] !== undefined;
  if (!has("id") && !has("login")) {
    report("id", "one of id or login (+ tenant) is required", locate.node(path));
  } else if (has("id") && has("login")) {
    report("login", "give either id or login, not both");
  } else if (has("login") && !has("tenant")) {
    report(
      "tenant",
      "is required with login (the UUID of the tenant to search)",
      locate.node(path),
    );
  } else if (has("id") && has("tenant")) {
    report("tenant", "is only used with login; remove it, the id names the account already");
  }
  // Duplicates are found from the naming keys alone, so an entry with another problem still
  // counts: the file's problems are all reported in one run.
  const location = locate.node(path);
  const id = typeof record.id === "string" ? record.id.trim().toLowerCase() : undefined;
  const login = typeof record.login === "string" ? record.login.trim() : undefined;
  const tenant = typeof record.tenant === "string" ? record.tenant.trim().toLowerCase() : "";
  if (id !== undefined && UUID.test(id)) {
    const first = seenIds.get(id);
    if (first) report("id", `duplicate account: already listed at line ${first.line}`);
    else seenIds.set(id, location);
  } else if (id === undefined && login && UUID.test(tenant)) {
    const via = typeof record.connection === "string" ? record.connection.trim() : "";
    const key = `${via}/${tenant}/${login.toLowerCase()}`;
    const first = seenLogins.get(key);
    if (first) {
      report("login", `duplicate account: already listed at line ${first.line} for this tenant`);
    } else seenLogins.set(key, location);
  }
  const named = parsed.success ? parsed.data.connection : undefined;
  // A connection with problems of its own is reported there, not again here.
  if (named !== undefined && !connections.has(named)) {
    const known = [...connections.keys()];
    report(
      "connection",
      `unknown connection "${named}" (${known.length > 0 ? `the file's connections: ${known.join(", ")}` : "the file has no connections:"})`,
    );
  }
  const connection = named === undefined ? undefined : connections.get(named);
  if (!parsed.success || problems.length > problemsBefore) return undefined;

  const data = parsed.data;
  const account: AccountRef =
    data.id !== undefined
      ? { by: "id", id: data.id }
      : { by: "login", login: data.login as string, tenant: data.tenant as string };
  const entry: AccountEntry = {
    account,
    email: data.email,
    ...(data.resendAfter !== undefined ? { resendAfter: data.resendAfter } : {}),
    ...(connection ? { connection } : {}),
    ...(data.stack !== undefined ? { stack: data.stack } : {}),
    label,
    location,
  };
  return entry;
}
