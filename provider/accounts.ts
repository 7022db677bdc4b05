import { LineCounter, parseDocument, type Document as YamlDocument } from "yaml";
import { z } from "zod";
import { validateBaseUrl } from "./api/url";
import { parseDuration } from "./duration";
import { normalizeEmail } from "./email";
import { UUID } from "./inputs";
import { STACK_NAME, splitProblems } from "./stacks";

/**
 * The accounts file: a YAML list of desired emails, each naming its account by `id` or by
 * `login` + `tenant`. Parsing is pure and reports every problem at once with file:line:col, so a
 * bad file is rejected before anything is sent to the platform. Login entries are then resolved
 * to ids through an injected search function. Pure apart from that function: declaring the
 * resources is accountsStack.ts.
 *
 *   accounts:
 *     - id: 20000000-0000-4000-8000-000000000002
 *       email: alice@example.com
 *     - login: bob
 *       tenant: 10000000-0000-4000-8000-000000000002
 *       email: bob@example.com
 *       resendAfter: 48h
 *
 * An entry may name a `connection`: a datacenter and API client of the file's `connections:` map
 * (their secrets stay in stack config or the environment). Without one, the stack's own settings
 * apply.
 *
 *   connections:
 *     us5:
 *       baseUrl: https://us5-cloud.acronis.com/api/2
 *       clientId: 6e1a2f0c-de70-4c1e-b000-000000000002
 *       clientSecretEnv: ACRONIS_US5_CLIENT_SECRET   # optional
 *   accounts:
 *     - id: 50000000-0000-4000-8000-000000000001
 *       email: grace@example.com
 *       connection: us5
 */

export interface Location {
  file: string;
  line: number;
  col: number;
}

export type AccountRef = { by: "id"; id: string } | { by: "login"; login: string; tenant: string };

/** A named datacenter and API client of the file's `connections:` map. */
export interface Connection {
  name: string;
  /** Validated as the provider validates `acronis:baseUrl`, without a trailing slash. */
  baseUrl: string;
  clientId: string;
  /** The environment variable holding the client secret, when the file names one. */
  clientSecretEnv?: string;
  location: Location;
}

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

/** An entry whose account is known by id. */
export interface ResolvedAccount {
  userId: string;
  email: string;
  resendAfter?: string;
  entry: AccountEntry;
}

/** Every problem found in an accounts file, one line each: `file:line:col: entry x: property: ...`. */
export class AccountsFileError extends Error {
  override name = "AccountsFileError";
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was sent to the platform:\n  ${problems.join("\n  ")}`,
    );
  }
}

const ROOT_KEYS = ["accounts", "connections"] as const;
const ENTRY_KEYS = [
  "id",
  "login",
  "tenant",
  "email",
  "resendAfter",
  "connection",
  "stack",
] as const;
const CONNECTION_KEYS = ["baseUrl", "clientId", "clientSecretEnv"] as const;

/** Describes a wrong value; strings are echoed only when asked, as they may be addresses. */
function kindOf(value: unknown, echo = false): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return echo ? `"${value}"` : "a string";
  return `${typeof value} ${String(value)}`;
}

/** zod's own messages name JS types; these say what the file should contain instead. */
function expected(what: string) {
  return (issue: { input: unknown }) =>
    issue.input === undefined
      ? `is required (${what})`
      : `expected ${what}, got ${kindOf(issue.input)}`;
}

const uuidField = (what: string) =>
  z
    .string({ error: expected(what) })
    .trim()
    .toLowerCase()
    .regex(UUID, { error: (issue) => `expected ${what}, got ${kindOf(issue.input, true)}` });

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
        `expected a Pulumi stack name (letters, digits, "-", "_", "."), got ${kindOf(issue.input, true)}`,
    })
    .optional(),
});

/** Usable in resource names and in `pulumi config set --path 'acronis:connections.<name>...'`. */
const CONNECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

const connectionSchema = z.strictObject({
  baseUrl: z
    .string({
      error: expected("the datacenter's API URL, e.g. https://eu2-cloud.acronis.com/api/2"),
    })
    .transform((raw, ctx) => {
      try {
        return validateBaseUrl(raw.trim()).toString().replace(/\/$/, "");
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  clientId: z
    .string({ error: expected("the API client's id, a string") })
    .trim()
    .min(1, "must not be empty"),
  clientSecretEnv: z
    .string({ error: expected("the name of an environment variable, a string") })
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
      error: (issue) =>
        `expected the name of an environment variable, got ${kindOf(issue.input, true)}`,
    })
    .optional(),
});

type Path = readonly (string | number)[];

/** Positions of nodes in the parsed document, for messages. */
class Locator {
  constructor(
    readonly file: string,
    private readonly doc: YamlDocument,
    private readonly lines: LineCounter,
  ) {}

  at(offset: number): Location {
    const pos = this.lines.linePos(offset);
    return { file: this.file, line: pos.line, col: pos.col };
  }

  /** The node at `path`, or its closest existing ancestor (a missing key has no node). */
  node(path: Path): Location {
    for (let p = [...path]; ; p = p.slice(0, -1)) {
      const node =
        p.length === 0 ? this.doc.contents : (this.doc.getIn(p, true) as unknown as YamlNodeLike);
      const range = (node as YamlNodeLike | null | undefined)?.range;
      if (range) return this.at(range[0]);
      if (p.length === 0) return { file: this.file, line: 1, col: 1 };
    }
  }

  /** The key of `key` in the mapping at `path` (where an unknown key is). */
  key(path: Path, key: string): Location {
    const map = (path.length === 0 ? this.doc.contents : this.doc.getIn(path, true)) as
      | { items?: { key?: YamlNodeLike & { value?: unknown } }[] }
      | undefined;
    const pair = map?.items?.find((item) => item.key?.value === key);
    const range = pair?.key?.range;
    return range ? this.at(range[0]) : this.node(path);
  }
}

interface YamlNodeLike {
  range?: [number, number, number];
}

/** One problem of an accounts file, at its place. */
export interface Problem {
  where: Location;
  text: string;
}

function format(p: Problem): string {
  return `${p.where.file}:${p.where.line}:${p.where.col}: ${p.text}`;
}

function sorted(problems: Problem[]): string[] {
  return problems
    .sort((a, b) => a.where.line - b.where.line || a.where.col - b.where.col)
    .map(format);
}

/** The error listing `problems` of one file, in file order, each as `file:line:col: ...`. */
export function accountsFileError(file: string, problems: readonly Problem[]): AccountsFileError {
  return new AccountsFileError(file, sorted([...problems]));
}

function entryLabel(raw: unknown, index: number): string {
  const record = (raw ?? {}) as Record<string, unknown>;
  if (typeof record.id === "string" && record.id.trim() !== "") return record.id.trim();
  if (typeof record.login === "string" && record.login.trim() !== "") return record.login.trim();
  return `#${index + 1}`;
}

/**
 * Parses and validates an accounts file. Returns its entries in file order, or throws one
 * AccountsFileError listing every problem (YAML syntax, types, missing or unknown keys, bad emails
 * and durations, duplicate accounts), each as `file:line:col: entry <id|login>: <property>: ...`.
 */
export function parseAccountsYaml(text: string, fileName: string): AccountEntry[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const locate = new Locator(fileName, doc, lines);
  const problems: Problem[] = [];

  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      // The first line only: the rest quotes the file back, which may hold addresses.
      problems.push({
        where: locate.at(error.pos[0]),
        text: `YAML: ${error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")}`,
      });
    }
    throw new AccountsFileError(fileName, sorted(problems));
  }

  const root: unknown = doc.toJS();
  const rootIsMap = root !== null && typeof root === "object" && !Array.isArray(root);
  if (!rootIsMap || !Array.isArray((root as { accounts?: unknown }).accounts)) {
    const got = rootIsMap ? (root as { accounts?: unknown }).accounts : root;
    problems.push({
      where: locate.node(rootIsMap ? ["accounts"] : []),
      text:
        got === undefined || got === null
          ? "accounts: is required (a list of entries with id or login + tenant, and email)"
          : `accounts: expected a list of entries, got ${kindOf(got)}`,
    });
  }
  if (rootIsMap) {
    for (const key of Object.keys(root as object)) {
      if (!(ROOT_KEYS as readonly string[]).includes(key)) {
        problems.push({
          where: locate.key([], key),
          text: `${key}: unknown key (expected ${ROOT_KEYS.join(", ")})`,
        });
      }
    }
  }
  if (problems.length > 0) throw new AccountsFileError(fileName, sorted(problems));

  const connections = parseConnections(
    (root as { connections?: unknown }).connections,
    locate,
    problems,
  );
  const rawEntries = (root as { accounts: unknown[] }).accounts;
  const entries: AccountEntry[] = [];
  const seenIds = new Map<string, Location>();
  const seenLogins = new Map<string, Location>();

  rawEntries.forEach((raw, index) => {
    const path = ["accounts", index];
    const problemsBefore = problems.length;
    const label = entryLabel(raw, index);
    const report = (property: string, what: string, where?: Location) =>
      problems.push({
        where: where ?? locate.node([...path, property]),
        text: `entry ${label}: ${property}: ${what}`,
      });

    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      problems.push({
        where: locate.node(path),
        text: `entry ${label}: expected a mapping with id or login + tenant, and email; got ${kindOf(raw)}`,
      });
      return;
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
    if (!parsed.success || problems.length > problemsBefore) return;

    const data = parsed.data;
    const account: AccountRef =
      data.id !== undefined
        ? { by: "id", id: data.id }
        : { by: "login", login: data.login as string, tenant: data.tenant as string };
    entries.push({
      account,
      email: data.email,
      ...(data.resendAfter !== undefined ? { resendAfter: data.resendAfter } : {}),
      ...(connection ? { connection } : {}),
      ...(data.stack !== undefined ? { stack: data.stack } : {}),
      label,
      location,
    });
  });

  problems.push(...splitProblems(entries));
  if (problems.length > 0) throw new AccountsFileError(fileName, sorted(problems));
  return entries;
}

/**
 * The file's `connections:` map. Problems are added to `problems`, each at its node. Every name
 * the file defines is returned: with its connection, or null when that has problems.
 */
function parseConnections(
  raw: unknown,
  locate: Locator,
  problems: Problem[],
): Map<string, Connection | null> {
  const connections = new Map<string, Connection | null>();
  if (raw === undefined) return connections;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    problems.push({
      where: locate.node(["connections"]),
      text: `connections: expected a mapping of connection names to baseUrl and clientId, got ${kindOf(raw)}`,
    });
    return connections;
  }
  for (const [name, value] of Object.entries(raw)) {
    const path = ["connections", name];
    const report = (property: string, what: string, where?: Location) =>
      problems.push({
        where: where ?? locate.node([...path, property]),
        text: `connection ${name}: ${property}: ${what}`,
      });
    if (!CONNECTION_NAME.test(name)) {
      problems.push({
        where: locate.key(["connections"], name),
        text: `connection ${name}: the name must be letters, digits, "-" or "_" (at most 63), starting with a letter or digit`,
      });
      connections.set(name, null);
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      problems.push({
        where: locate.node(path),
        text: `connection ${name}: expected a mapping with baseUrl and clientId, got ${kindOf(value)}`,
      });
      connections.set(name, null);
      continue;
    }
    const parsed = connectionSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        if (issue.code !== "unrecognized_keys") {
          report(String(issue.path[0] ?? "connection"), issue.message);
          continue;
        }
        for (const key of issue.keys) {
          // A secret in the file would end up in version control: say where it belongs instead.
          const what =
            key === "clientSecret"
              ? `not allowed in the file: set it with \`pulumi config set --secret --path 'acronis:connections.${name}.clientSecret' <secret>\`, or name an environment variable with clientSecretEnv`
              : `unknown key (expected ${CONNECTION_KEYS.join(", ")})`;
          report(key, what, locate.key(path, key));
        }
      }
      connections.set(name, null);
      continue;
    }
    connections.set(name, {
      name,
      baseUrl: parsed.data.baseUrl,
      clientId: parsed.data.clientId,
      ...(parsed.data.clientSecretEnv !== undefined
        ? { clientSecretEnv: parsed.data.clientSecretEnv }
        : {}),
      location: locate.node(path),
    });
  }
  return connections;
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
  if (problems.length > 0) throw new AccountsFileError(file, sorted(problems));
  return resolved as ResolvedAccount[];
}

/**
 * The resource name of an account: derived from its id alone, so reordering the file, or switching
 * an entry from login to id, changes nothing in the stack.
 */
export function resourceName(userId: string, prefix = "user-"): string {
  return `${prefix}${userId.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`;
}
