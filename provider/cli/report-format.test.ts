import { describe, expect, it } from "vitest";
import { formatJson, formatMarkdown, formatText } from "./report-format";
import { buildReport, onlyRows } from "./report-rows";
import type { StateAccount } from "./report-state";

const NOW = new Date("2026-12-08T09:00:00.000Z");

function account(name: string, outputs: Record<string, unknown>): StateAccount {
  return {
    urn: `urn:pulumi:prod::p::pulumi-nodejs:dynamic/acronis:UserEmail::${name}`,
    name,
    provider: "default",
    inputs: { resendAfter: "24h" },
    outputs: { userId: `id-${name}`, login: name, tenantId: "t1", status: "synced", ...outputs },
  };
}

const report = (accounts: StateAccount[]) =>
  buildReport({ stack: "p/prod", resources: accounts.length + 1, accounts }, NOW);
const plain = { showEmails: false };

describe("formats", () => {
  it("escapes what would break a Markdown table: | ends a cell, a newline the row", () => {
    const md = formatMarkdown(report([account("a", { login: "ops|team\nb\\" })]), plain);
    expect(md).toContain("| synced | ops\\|team b\\\\ (id-a) | t1 |");
  });

  it("one provider: no per-provider table", () => {
    const r = report([account("a", {})]);
    expect(formatMarkdown(r, plain)).not.toContain("| Provider |");
    expect(formatText(r, plain)).not.toContain("PROVIDER");
  });

  it("no row left by --only: says so, with the counts", () => {
    const r = onlyRows(report([account("a", {})]), ["drifted"]);
    expect(formatMarkdown(r, plain)).toContain("1 account: 1 synced (as of 2026-12-08 09:00 UTC).");
    expect(formatMarkdown(r, plain)).toContain("No account to list.");
    expect(formatText(r, plain).split("\n").at(-2)).toBe("No account to list.");
    expect(JSON.parse(formatJson(r, plain)).accounts).toEqual([]);
  });

  it("a pending account not yet due: in how long, and when", () => {
    const r = report([
      account("a", {
        status: "pendingConfirmation",
        confirmationRequestedAt: "2026-12-08T03:30:00.000Z",
      }),
    ]);
    expect(formatText(r, plain)).toContain("5h 30m   in 18h 30m (2026-12-09 03:30 UTC)");
  });
});
