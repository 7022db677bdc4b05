import { parseArgs } from "node:util";
import { UUID } from "../decision/inputs";

/**
 * The command line of `pulumi-acronis-user-email export`, parsed and checked without I/O. The
 * client secret is never an option: it would land in shell history and process listings.
 */

export const COMMAND = "pulumi-acronis-user-email";

export interface ExportArgs {
  tenant: string;
  output: string;
  /** How entries name their account. */
  by: "id" | "login";
  force: boolean;
  /** Append the accounts the file lacks instead of writing a new file. */
  merge: boolean;
  /** Entries get `connection:` and the file a `connections:` block with this name. */
  connection?: string;
  /** Credentials as flags; the environment (ACRONIS_*) fills the rest. */
  baseUrl?: string;
  clientId?: string;
}

export type Parsed =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "export"; args: ExportArgs }
  | { kind: "error"; message: string };

export const HELP = `Usage: ${COMMAND} export --tenant <uuid> [--output accounts.yaml] [options]
       ${COMMAND} report [state.json] [options]   (\`${COMMAND} report --help\`)

Lists the users of a tenant and its sub-tenants (GET /users?subtree_root_tenant_id=) and writes an
accounts file the Pulumi program accepts as it is: one entry per account with its current address,
so applying it adopts every account without changing any. Deleted users and users without an
address are left out; the file's header says how many. Entries keep the platform's listing order.

Options:
  --tenant <uuid>        The tenant whose users (and its sub-tenants' users) to list. Required.
  -o, --output <file>    The accounts file to write (default: accounts.yaml).
  --by <id|login>        Name each account by its id (default), or by login + tenant (resolved
                         with one GET /search per entry each time the program runs).
  --merge                Add the accounts the file does not have yet to an existing accounts
                         file; its entries, order, comments and layout are kept, and an existing
                         entry's email is never changed.
  -f, --force            Replace the output file if it exists (without --merge).
  --connection <name>    Give entries "connection: <name>" and write the connection (base URL
                         and client id, never the secret) under "connections:".
  --base-url <url>       The datacenter's API URL (default: $ACRONIS_BASE_URL),
                         e.g. https://eu2-cloud.acronis.com/api/2.
  --client-id <id>       The API client's id (default: $ACRONIS_CLIENT_ID).
  -h, --help             Show this help.
  -v, --version          Show the package version.

The client secret is read from $ACRONIS_CLIENT_SECRET only (never a flag). Retries, timeouts and
limits follow the provider's ACRONIS_* variables. Addresses are written to the file only: the
progress line (on stderr, when it is a terminal) and every message name counts and ids.

Examples:
  export ACRONIS_BASE_URL=https://eu2-cloud.acronis.com/api/2 ACRONIS_CLIENT_ID=<id>
  read -rsp 'API client secret: ' ACRONIS_CLIENT_SECRET && echo && export ACRONIS_CLIENT_SECRET
  ${COMMAND} export --tenant 10000000-0000-4000-8000-000000000002 -o accounts.yaml
  ${COMMAND} export --tenant 10000000-0000-4000-8000-000000000002 -o accounts.yaml --merge
  ${COMMAND} export --tenant 40000000-0000-4000-8000-000000000002 --by login \\
    --connection us5 --base-url https://us5-cloud.acronis.com/api/2 -o us5.yaml
`;

const CONNECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

const usage = (message: string): Parsed => ({
  kind: "error",
  message: `${message}\nRun \`${COMMAND} --help\` for the options.`,
});

export function parseCommandLine(argv: readonly string[]): Parsed {
  const unknown = unknownOption(argv);
  if (unknown !== undefined) return usage(unknown);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    // parseArgs names the option; its messages never hold a value of ours.
    return usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const [verb, ...extra] = positionals;
  if (verb === undefined) return usage("a command is required: export or report");
  if (verb !== "export") return usage(`unknown command "${verb}" (expected: export or report)`);
  if (extra.length > 0) return usage(`unexpected argument "${extra[0]}"`);
  if (values["client-secret"] !== undefined) {
    return usage(
      "--client-secret is not an option: a secret on the command line lands in shell history; set ACRONIS_CLIENT_SECRET",
    );
  }
  const tenant = values.tenant?.trim().toLowerCase();
  if (tenant === undefined || tenant === "") return usage("--tenant is required (a tenant UUID)");
  if (!UUID.test(tenant)) {
    return usage(
      `--tenant: expected a tenant UUID (8-4-4-4-12 hex digits), got "${values.tenant}"`,
    );
  }
  const by = values.by ?? "id";
  if (by !== "id" && by !== "login") return usage(`--by: expected id or login, got "${by}"`);
  if (values.merge && values.force) {
    return usage(
      "--merge and --force exclude each other: --merge keeps the file, --force replaces it",
    );
  }
  const connection = values.connection?.trim();
  if (connection !== undefined && !CONNECTION_NAME.test(connection)) {
    return usage(
      `--connection: "${connection}" is not a connection name (letters, digits, "-" or "_", at most 63, starting with a letter or digit)`,
    );
  }
  const output = values.output ?? "accounts.yaml";
  if (output.trim() === "") return usage("--output must name a file");
  return {
    kind: "export",
    args: {
      tenant,
      output,
      by,
      force: values.force ?? false,
      merge: values.merge ?? false,
      ...(connection !== undefined ? { connection } : {}),
      ...(values["base-url"] !== undefined ? { baseUrl: values["base-url"] } : {}),
      ...(values["client-id"] !== undefined ? { clientId: values["client-id"] } : {}),
    },
  };
}

/** The options, as parseArgs takes them. */
const OPTIONS = {
  tenant: { type: "string" },
  output: { type: "string", short: "o" },
  by: { type: "string" },
  merge: { type: "boolean" },
  force: { type: "boolean", short: "f" },
  connection: { type: "string" },
  "base-url": { type: "string" },
  "client-id": { type: "string" },
  // Accepted only to refuse it with a reason rather than "unknown option".
  "client-secret": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
}

/**
 * The first option the command does not have, as a message naming the closest one it has: Node's
 * own text for it ("To specify a positional argument starting with a '-' ...") answers a
 * question nobody asked. `--` ends the options, as for parseArgs.
 */
export function unknownOption(
  argv: readonly string[],
  options: Readonly<Record<string, { type: string; short?: string }>> = OPTIONS,
): string | undefined {
  // --client-secret is accepted but never suggested: a secret belongs in the environment.
  const names = Object.keys(options).filter((name) => name !== "client-secret");
  const shorts = Object.values(options).flatMap((o) => (o.short === undefined ? [] : [o.short]));
  for (const arg of argv) {
    if (arg === "--") return undefined;
    if (arg.startsWith("--")) {
      const name = arg.slice(2).split("=")[0] ?? "";
      if (name in options) continue;
      const closest = closestName(name, names);
      return closest === undefined
        ? `unknown option --${name} (the options: ${names.map((n) => `--${n}`).join(", ")})`
        : `unknown option --${name}; did you mean --${closest}?`;
    }
    // Short options may be grouped (-fo file): only the first letter must be one of ours.
    if (/^-[^-]/.test(arg) && !shorts.includes(arg.slice(1, 2))) {
      // `-t`: the one long option starting with that letter; `-tenant`: the closest name.
      const letter = arg.slice(1, 2);
      const starting = names.filter((name) => name.startsWith(letter));
      const closest =
        arg.length === 2
          ? starting.length === 1
            ? starting[0]
            : undefined
          : closestName(arg.slice(1), names);
      return `unknown option ${arg}${closest === undefined ? "" : `; did you mean --${closest}?`}`;
    }
  }
  return undefined;
}

/** The option a mistyped name most likely meant: fewest edits, and few enough for its length. */
export function closestName(typed: string, names: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(typed.toLowerCase(), name);
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(best.name.length / 3));
  return best.distance <= allowed ? best.name : undefined;
}

/** Levenshtein distance, with a swap of two neighbouring letters counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, at(i - 2, j - 2) + 1);
      }
      (rows[i] as number[])[j] = d;
    }
  }
  return at(a.length, b.length);
}
