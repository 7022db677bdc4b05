import { parseArgs } from "node:util";
import { parseDuration } from "../decision/duration";
import { COMMAND, unknownOption } from "./args";
import { REPORT_FORMATS, type ReportFormat } from "./report-format";
import { REPORT_STATUSES, type ReportStatus } from "./report-rows";

/** The command line of `pulumi-acronis-user-email report`, parsed and checked without I/O. */

export interface ReportArgs {
  /** The state file; undefined or "-": standard input. */
  file?: string;
  format: ReportFormat;
  showEmails: boolean;
  only?: ReportStatus[];
  /** Exit 3 when an account has been pending longer than this. */
  failIfPendingOverMs?: number;
  /** Exit 3 when an account is drifted. */
  failIfDrifted: boolean;
  /** The time to report for; default: the clock. */
  now?: Date;
}

export type ParsedReport =
  | { kind: "help" }
  | { kind: "report"; args: ReportArgs }
  | { kind: "error"; message: string };

export const REPORT_HELP = `Usage: pulumi stack export | ${COMMAND} report [options]
       ${COMMAND} report <state.json> [options]

Reports every UserEmail of a stack's state (what \`pulumi stack export\` writes, or a
self-managed backend's checkpoint file): its status, account (login and id) and tenant; for a
pending account when the link was requested, how long ago, and when \`up\` sends the next one;
for a drifted one that the platform holds another address. Counts per status, and per provider
when the stack has several. Pending accounts come first, the oldest first.

Options:
  --format <text|markdown|json>  Plain text (default), a Markdown table (GitHub job summaries and
                                 pull-request comments), or JSON for scripts (docs/report.md).
  --show-emails                  Print addresses too (they are personal data: left out unless
                                 asked for).
  --only <statuses>              List only these statuses, comma-separated: pendingConfirmation,
                                 drifted, synced, unknown (the counts stay whole).
  --fail-if-pending-over <duration>
                                 Exit 3 when an account has waited longer than this for its user
                                 to confirm, e.g. 14d, 36h.
  --fail-if-drifted              Exit 3 when an account is drifted.
  --now <time>                   Report as of this ISO 8601 time (default: now).
  -h, --help                     Show this help.

Exit codes: 0 reported; 1 the state could not be read; 2 bad command line; 3 a --fail-if-...
condition holds (the report is printed first, the reason on stderr).

Examples:
  pulumi stack export | ${COMMAND} report
  pulumi stack export | ${COMMAND} report --format markdown >> "$GITHUB_STEP_SUMMARY"
  pulumi stack export > state.json && ${COMMAND} report state.json --fail-if-pending-over 14d
`;

const usage = (message: string): ParsedReport => ({
  kind: "error",
  message: `report: ${message}\nRun \`${COMMAND} report --help\` for the options.`,
});

/** `argv` after the word `report`. */
export function parseReportLine(argv: readonly string[]): ParsedReport {
  const unknown = unknownOption(argv, REPORT_OPTIONS);
  if (unknown !== undefined) return usage(unknown);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (positionals.length > 1) return usage(`unexpected argument "${positionals[1]}"`);
  const format = values.format ?? "text";
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    return usage(`--format: expected text, markdown or json, got "${format}"`);
  }
  const args: ReportArgs = {
    format: format as ReportFormat,
    showEmails: values["show-emails"] ?? false,
    failIfDrifted: values["fail-if-drifted"] ?? false,
  };
  const file = positionals[0];
  if (file !== undefined && file !== "-") args.file = file;
  if (values.only !== undefined) {
    const only = values.only.split(",").map((s) => s.trim());
    const wrong = only.find((s) => !(REPORT_STATUSES as readonly string[]).includes(s));
    if (wrong !== undefined) {
      return usage(`--only: "${wrong}" is not a status (${REPORT_STATUSES.join(", ")})`);
    }
    args.only = only as ReportStatus[];
  }
  const over = values["fail-if-pending-over"];
  if (over !== undefined) {
    const duration = parseDuration(over);
    if (!duration.ok) return usage(`--fail-if-pending-over: ${duration.reason}`);
    args.failIfPendingOverMs = duration.ms;
  }
  if (values.now !== undefined) {
    const now = new Date(values.now);
    if (!/^\d{4}-\d\d-\d\dT/.test(values.now) || Number.isNaN(now.getTime())) {
      return usage(
        `--now: expected an ISO 8601 time such as 2026-12-08T09:00:00Z, got "${values.now}"`,
      );
    }
    args.now = now;
  }
  return { kind: "report", args };
}

const REPORT_OPTIONS = {
  format: { type: "string" },
  "show-emails": { type: "boolean" },
  only: { type: "string" },
  "fail-if-pending-over": { type: "string" },
  "fail-if-drifted": { type: "boolean" },
  now: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: REPORT_OPTIONS,
  });
}
