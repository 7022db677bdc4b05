import {
  accountName,
  formatAge,
  REPORT_STATUSES,
  type Report,
  type ReportRow,
  type ReportStatus,
  type StatusCounts,
} from "./report-rows";

/**
 * The report's three formats, pure functions of the report: Markdown (GitHub's job summary and
 * pull-request comments), JSON (scripts; the shape below is stable, `schemaVersion` changes only
 * when a field is removed or changes meaning) and plain text (a terminal). Addresses appear only
 * with `showEmails`; without it no format holds any.
 */

export const REPORT_FORMATS = ["text", "markdown", "json"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface FormatOptions {
  showEmails: boolean;
}

/** The JSON shape's version: docs/report.md describes version 1. */
export const REPORT_SCHEMA_VERSION = 1;

const LABEL: Record<ReportStatus, string> = {
  pendingConfirmation: "pending",
  drifted: "drifted",
  synced: "synced",
  unknown: "unknown",
};

const COUNT_WORDS: Record<ReportStatus, string> = {
  pendingConfirmation: "pending confirmation",
  drifted: "drifted",
  synced: "synced",
  unknown: "status unknown",
};

/** "3 accounts: 1 pending confirmation, 1 drifted, 1 synced" (statuses with none left out). */
export function countsSentence(counts: StatusCounts): string {
  const parts = REPORT_STATUSES.filter((s) => counts[s] > 0).map(
    (s) => `${counts[s]} ${COUNT_WORDS[s]}`,
  );
  return `${counts.total} account${counts.total === 1 ? "" : "s"}: ${parts.join(", ")}`;
}

/** "2026-12-05 09:30 UTC": minutes are enough for a person; JSON keeps the full time. */
export function shortTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function nextLink(row: ReportRow): string {
  if (row.status !== "pendingConfirmation") return "";
  if (row.nextLinkAt === null) return "unknown";
  if (row.nextLinkDue) return "due: the next `up` sends it";
  // nextLinkAt - now, where now = requestedAt + waiting.
  const requestedMs = Date.parse(row.requestedAt ?? row.nextLinkAt);
  const inMs = Date.parse(row.nextLinkAt) - requestedMs - (row.waitingMs ?? 0);
  return `in ${formatAge(inMs)} (${shortTime(row.nextLinkAt)})`;
}

const ADDRESSES = new Set(["email", "liveEmail", "pendingEmail"]);

function notes(row: ReportRow, options: FormatOptions): string {
  const out: string[] = [];
  if (row.status === "drifted") {
    out.push(
      options.showEmails
        ? `the platform holds ${row.liveEmail ?? "(hidden)"}, not ${row.email ?? "(hidden)"}`
        : "the platform holds another address",
    );
  }
  if (row.status === "pendingConfirmation" && options.showEmails) {
    out.push(`waits for ${row.pendingEmail ?? "(hidden)"}; holds ${row.liveEmail ?? "(hidden)"}`);
  }
  if (row.status === "synced" && options.showEmails) out.push(row.liveEmail ?? "(hidden)");
  // Without --show-emails no address is printed, so a hidden one is no news.
  const hidden = options.showEmails ? row.hidden : row.hidden.filter((k) => !ADDRESSES.has(k));
  if (hidden.length > 0) out.push(`hidden (secret): ${hidden.join(", ")}`);
  if (row.missing.length > 0) out.push(`not in state: ${row.missing.join(", ")}`);
  return out.join("; ");
}

/** The cells of one row, shared by the Markdown and text tables. */
function cells(row: ReportRow, options: FormatOptions): string[] {
  const pending = row.status === "pendingConfirmation";
  return [
    LABEL[row.status],
    accountName(row),
    row.tenantId ?? "-",
    pending ? (row.requestedAt ? shortTime(row.requestedAt) : "unknown") : "",
    pending ? (row.waitingMs === null ? "unknown" : formatAge(row.waitingMs)) : "",
    nextLink(row),
    notes(row, options),
  ];
}

const HEADERS = ["Status", "Account", "Tenant", "Requested", "Waiting", "Next link", "Notes"];

function providerCells(report: Report): string[][] {
  return report.providers.map(({ provider, counts }) => [
    provider === "default" ? "default (the stack's settings)" : provider,
    String(counts.total),
    ...REPORT_STATUSES.map((s) => String(counts[s])),
  ]);
}

const PROVIDER_HEADERS = ["Provider", "Accounts", "Pending", "Drifted", "Synced", "Unknown"];

/** A table cell: a `|` would end the cell and a newline the row. */
const MD_SPECIAL = /[\\|\n]/;
const mdCell = (text: string) =>
  MD_SPECIAL.test(text)
    ? text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ")
    : text;

function mdTable(headers: string[], rows: string[][]): string[] {
  return [
    `| ${headers.join(" | ")} |`,
    `| ${headers.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(mdCell).join(" | ")} |`),
  ];
}

export function formatMarkdown(report: Report, options: FormatOptions): string {
  const lines = [
    `### Account emails of ${report.stack}`,
    "",
    `${countsSentence(report.counts)} (as of ${shortTime(report.now)}).`,
    "",
  ];
  if (report.providers.length > 1) {
    lines.push(...mdTable(PROVIDER_HEADERS, providerCells(report)), "");
  }
  if (report.rows.length === 0) lines.push("No account to list.");
  else
    lines.push(
      ...mdTable(
        HEADERS,
        report.rows.map((row) => cells(row, options)),
      ),
    );
  return `${lines.join("\n")}\n`;
}

function textTable(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)];
}

export function formatText(report: Report, options: FormatOptions): string {
  const lines = [
    `Account emails of ${report.stack}, as of ${shortTime(report.now)}`,
    `${countsSentence(report.counts)}`,
    "",
  ];
  if (report.providers.length > 1) {
    lines.push(...textTable(PROVIDER_HEADERS, providerCells(report)), "");
  }
  if (report.rows.length === 0) lines.push("No account to list.");
  else
    lines.push(
      ...textTable(
        HEADERS,
        report.rows.map((row) => cells(row, options)),
      ),
    );
  return `${lines.join("\n")}\n`;
}

/** One account in the JSON shape (docs/report.md). */
function jsonAccount(row: ReportRow, options: FormatOptions) {
  return {
    name: row.name,
    provider: row.provider,
    status: row.status,
    userId: row.userId,
    login: row.login,
    tenantId: row.tenantId,
    requestedAt: row.requestedAt,
    waitingSeconds: row.waitingMs === null ? null : Math.floor(row.waitingMs / 1000),
    resendAfter: row.resendAfter,
    nextLinkAt: row.nextLinkAt,
    nextLinkDue: row.nextLinkDue,
    ...(options.showEmails
      ? { email: row.email, liveEmail: row.liveEmail, pendingEmail: row.pendingEmail }
      : {}),
    hidden: row.hidden,
    missing: row.missing,
  };
}

export function formatJson(report: Report, options: FormatOptions): string {
  const shape = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    stack: report.stack,
    now: report.now,
    counts: report.counts,
    providers: report.providers,
    accounts: report.rows.map((row) => jsonAccount(row, options)),
  };
  return `${JSON.stringify(shape, null, 2)}\n`;
}

export function formatReport(report: Report, format: ReportFormat, options: FormatOptions): string {
  switch (format) {
    case "markdown":
      return formatMarkdown(report, options);
    case "json":
      return formatJson(report, options);
    case "text":
      return formatText(report, options);
  }
}
