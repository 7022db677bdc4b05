import { z } from "zod";
import { formatDuration } from "../decision/duration";
import { resendAfterMsOf } from "../decision/reconcile";
import type { StateAccount, StateAccounts } from "./report-state";
import { stateValue } from "./report-state";

/**
 * The report's rows and counts: a pure function of the accounts read from state and the time
 * the report is made. What each account's outputs hold is the provider's (decision/reconcile.ts
 * `UserEmailOutputs`, written by create, update and refresh): the status, the account, and for
 * a pending one when the link was requested. When `up` sends the next link is the provider's
 * rule too (decision/reconcile.ts `resendAtOf`: requestedAt + resendAfter).
 */

/** Statuses in report order; "unknown": the state does not say (an older or hidden output). */
export const REPORT_STATUSES = ["pendingConfirmation", "drifted", "synced", "unknown"] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export interface ReportRow {
  /** The resource's name in the stack. */
  name: string;
  /** The provider instance it is managed under ("default": the stack's own settings). */
  provider: string;
  status: ReportStatus;
  userId: string | null;
  login: string | null;
  tenantId: string | null;
  /** Pending accounts: when the link was requested (ISO 8601), how long ago, and the next one. */
  requestedAt: string | null;
  waitingMs: number | null;
  resendAfter: string | null;
  nextLinkAt: string | null;
  /** The next `up` sends a new link (now >= nextLinkAt). */
  nextLinkDue: boolean | null;
  /** Addresses: printed only when asked for (`--show-emails`). */
  email: string | null;
  liveEmail: string | null;
  pendingEmail: string | null;
  /** Outputs the state holds encrypted (secrets): reported as hidden. */
  hidden: string[];
  /** Outputs the state lacks or holds in another shape (an older version of this package). */
  missing: string[];
}

export type StatusCounts = { total: number } & Record<ReportStatus, number>;

export interface Report {
  stack: string;
  /** The time the report was made for (ISO 8601). */
  now: string;
  counts: StatusCounts;
  /** Counts per provider instance, in order of name ("default" first). */
  providers: { provider: string; counts: StatusCounts }[];
  /** The rows, pending oldest first, then drifted, unknown and synced. */
  rows: ReportRow[];
}

export const emptyCounts = (): StatusCounts => ({
  total: 0,
  pendingConfirmation: 0,
  drifted: 0,
  synced: 0,
  unknown: 0,
});

const text = z.string().min(1);
const status = z.enum(["synced", "pendingConfirmation", "drifted"]);
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)));

/** Reads one property, noting it as hidden or missing when it cannot be read. */
function reader(account: StateAccount, hidden: string[], missing: string[]) {
  return <T>(key: string, schema: z.ZodType<T>, from: "outputs" | "inputs" = "outputs") => {
    const value = stateValue(account[from][key]);
    if (value.hidden) {
      hidden.push(key);
      return null;
    }
    const parsed = schema.safeParse(value.value);
    if (parsed.success) return parsed.data;
    missing.push(key);
    return null;
  };
}

/** One account's row at `now`. */
export function rowOf(account: StateAccount, now: Date): ReportRow {
  const hidden: string[] = [];
  const missing: string[] = [];
  const read = reader(account, hidden, missing);
  const state = read("status", status) ?? "unknown";
  const userId = read("userId", text) ?? inputUserId(account);
  const login = read("login", text);
  const tenantId = read("tenantId", text);
  const quietly = (key: string) => {
    const value = stateValue(account.outputs[key]);
    if (value.hidden) hidden.push(key);
    return !value.hidden && typeof value.value === "string" ? value.value : null;
  };
  const email = quietly("email");
  const liveEmail = quietly("liveEmail");
  const pendingEmail = quietly("pendingEmail");

  let requestedAt: string | null = null;
  let waitingMs: number | null = null;
  let resendAfter: string | null = null;
  let nextLinkAt: string | null = null;
  let nextLinkDue: boolean | null = null;
  if (state === "pendingConfirmation") {
    requestedAt = read("confirmationRequestedAt", isoTime);
    const rawResend = stateValue(account.inputs.resendAfter ?? account.outputs.resendAfter);
    // The provider's own rule, so the report says when `up` really sends the next link.
    const duration = resendAfterMsOf(rawResend.hidden ? undefined : rawResend.value);
    if (rawResend.hidden) hidden.push("resendAfter");
    else if (!duration.given) missing.push("resendAfter");
    resendAfter = formatDuration(duration.ms);
    if (requestedAt !== null) {
      const at = Date.parse(requestedAt);
      requestedAt = new Date(at).toISOString();
      waitingMs = now.getTime() - at;
      nextLinkAt = new Date(at + duration.ms).toISOString();
      nextLinkDue = now.getTime() >= at + duration.ms;
    }
  }
  return {
    name: account.name,
    provider: account.provider,
    status: state,
    userId,
    login,
    tenantId,
    requestedAt,
    waitingMs,
    resendAfter,
    nextLinkAt,
    nextLinkDue,
    email,
    liveEmail,
    pendingEmail,
    hidden,
    missing,
  };
}

/** An older state without the userId output still has the input. */
function inputUserId(account: StateAccount): string | null {
  const value = stateValue(account.inputs.userId);
  return !value.hidden && typeof value.value === "string" && value.value !== ""
    ? value.value
    : null;
}

const RANK: Record<ReportStatus, number> = {
  pendingConfirmation: 0,
  drifted: 1,
  unknown: 2,
  synced: 3,
};

/** Report order: by status, the oldest pending first; then provider, login, name. */
export function compareRows(a: ReportRow, b: ReportRow): number {
  const byStatus = RANK[a.status] - RANK[b.status];
  if (byStatus !== 0) return byStatus;
  if (a.status === "pendingConfirmation") {
    // A pending account whose request time is unknown comes after the dated ones.
    const ta = a.requestedAt === null ? Number.POSITIVE_INFINITY : Date.parse(a.requestedAt);
    const tb = b.requestedAt === null ? Number.POSITIVE_INFINITY : Date.parse(b.requestedAt);
    if (ta !== tb) return ta < tb ? -1 : 1;
  }
  return (
    compareText(a.provider, b.provider) ||
    compareText(a.login ?? a.name, b.login ?? b.name) ||
    compareText(a.name, b.name)
  );
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function buildReport(state: StateAccounts, now: Date): Report {
  const counts = emptyCounts();
  const byProvider = new Map<string, StatusCounts>();
  const rows: ReportRow[] = [];
  for (const account of state.accounts) {
    const row = rowOf(account, now);
    counts.total++;
    counts[row.status]++;
    let perProvider = byProvider.get(row.provider);
    if (perProvider === undefined) {
      perProvider = emptyCounts();
      byProvider.set(row.provider, perProvider);
    }
    perProvider.total++;
    perProvider[row.status]++;
    rows.push(row);
  }
  rows.sort(compareRows);
  const providers = [...byProvider]
    .sort(([a], [b]) => (a === "default" ? -1 : b === "default" ? 1 : compareText(a, b)))
    .map(([provider, c]) => ({ provider, counts: c }));
  return { stack: state.stack, now: now.toISOString(), counts, providers, rows };
}

/** The report with only the rows of these statuses (`--only`); the counts stay whole. */
export function onlyRows(report: Report, only: readonly ReportStatus[] | undefined): Report {
  if (only === undefined) return report;
  return { ...report, rows: report.rows.filter((row) => only.includes(row.status)) };
}

/** What `--fail-if-pending-over` and `--fail-if-drifted` find, one sentence each; none: pass. */
export function reportFailures(
  report: Report,
  rules: { pendingOverMs?: number; drifted?: boolean },
): string[] {
  const found: string[] = [];
  if (rules.pendingOverMs !== undefined) {
    const limit = rules.pendingOverMs;
    const old = report.rows.filter(
      (r) => r.status === "pendingConfirmation" && r.waitingMs !== null && r.waitingMs > limit,
    );
    if (old.length > 0) {
      const oldest = old[0] as ReportRow;
      found.push(
        `${old.length} account${old.length === 1 ? "" : "s"} pending confirmation for longer than ${formatAge(limit)} (the oldest: ${accountName(oldest)}, ${formatAge(oldest.waitingMs ?? 0)})`,
      );
    }
  }
  if (rules.drifted && report.counts.drifted > 0) {
    const n = report.counts.drifted;
    found.push(`${n} account${n === 1 ? "" : "s"} drifted (the platform holds another address)`);
  }
  return found;
}

/** An account as messages name it: login and id, never an address. */
export function accountName(row: Pick<ReportRow, "login" | "userId" | "name">): string {
  const id = row.userId ?? row.name;
  return row.login === null ? id : `${row.login} (${id})`;
}

/** A duration as people read it: "3d 4h", "5h 10m", "12m", "now". */
export function formatAge(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return mins > 0 ? `${hours}h ${mins}m` : `${hours}h`;
  return minutes > 0 ? `${mins}m` : "under 1m";
}
