import { describe, expect, it } from "vitest";
import { buildReport, formatAge, onlyRows, reportFailures, rowOf } from "./report-rows";
import { SECRET_SIG, SECRET_SIG_KEY, type StateAccount } from "./report-state";

const NOW = new Date("2026-12-08T09:00:00.000Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const secret = { [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: "v1:x" };

function account(
  name: string,
  outputs: Record<string, unknown>,
  inputs: Record<string, unknown> = { resendAfter: "24h" },
  provider = "default",
): StateAccount {
  return {
    urn: `urn:pulumi:prod::p::pulumi-nodejs:dynamic/acronis:UserEmail::${name}`,
    name,
    provider,
    inputs,
    outputs: {
      userId: `id-${name}`,
      login: name,
      tenantId: "t1",
      email: `${name}@example.com`,
      liveEmail: `${name}@example.com`,
      pendingEmail: null,
      confirmationRequestedAt: null,
      status: "synced",
      ...outputs,
    },
  };
}

const pending = (name: string, requestedAt: string, inputs?: Record<string, unknown>) =>
  account(
    name,
    {
      status: "pendingConfirmation",
      liveEmail: `${name}@old.example.com`,
      pendingEmail: `${name}@example.com`,
      confirmationRequestedAt: requestedAt,
    },
    inputs,
  );

describe("rowOf: one account at a time", () => {
  it.each([
    [
      "pending 3 days with resendAfter 24h: the next link is due",
      pending("a", new Date(NOW.getTime() - 3 * DAY).toISOString()),
      {
        status: "pendingConfirmation",
        waitingMs: 3 * DAY,
        resendAfter: "24h",
        nextLinkAt: "2026-12-06T09:00:00.000Z",
        nextLinkDue: true,
      },
    ],
    [
      "pending 23 h with resendAfter 24h: not due yet",
      pending("a", new Date(NOW.getTime() - 23 * HOUR).toISOString()),
      { waitingMs: 23 * HOUR, nextLinkAt: "2026-12-08T10:00:00.000Z", nextLinkDue: false },
    ],
    [
      "pending exactly resendAfter ago: due (the provider resends when now >= resendAt)",
      pending("a", new Date(NOW.getTime() - DAY).toISOString()),
      { nextLinkDue: true },
    ],
    [
      "resendAfter 2d (given as days) is reported as the provider stores it",
      pending("a", "2026-12-07T09:00:00.000Z", { resendAfter: "2d" }),
      { resendAfter: "48h", nextLinkDue: false, nextLinkAt: "2026-12-09T09:00:00.000Z" },
    ],
    [
      "an older state without resendAfter: the default 24h, noted as missing",
      pending("a", "2026-12-07T09:00:00.000Z", {}),
      { resendAfter: "24h", nextLinkDue: true, missing: ["resendAfter"] },
    ],
    [
      "a secret resendAfter: the default assumed, noted as hidden",
      pending("a", "2026-12-07T09:00:00.000Z", { resendAfter: secret }),
      { resendAfter: "24h", hidden: ["resendAfter"] },
    ],
    [
      "a pending account without a request time: waiting and next link unknown",
      account("a", { status: "pendingConfirmation", confirmationRequestedAt: null }),
      {
        requestedAt: null,
        waitingMs: null,
        nextLinkDue: null,
        missing: ["confirmationRequestedAt"],
      },
    ],
    [
      "a request time that is not a time",
      account("a", { status: "pendingConfirmation", confirmationRequestedAt: "yesterday" }),
      { requestedAt: null, missing: ["confirmationRequestedAt"] },
    ],
    [
      "drifted: no pending fields",
      account("a", { status: "drifted", liveEmail: "x@else.example" }),
      { status: "drifted", requestedAt: null, nextLinkDue: null, liveEmail: "x@else.example" },
    ],
    [
      "a status Pulumi holds encrypted: unknown, hidden",
      account("a", { status: secret }),
      { status: "unknown", hidden: ["status"] },
    ],
    [
      "a status this version does not know: unknown, noted",
      account("a", { status: "confirming" }),
      { status: "unknown", missing: ["status"] },
    ],
    [
      "an older state without login and tenantId: reported with what it has",
      account("a", { login: undefined, tenantId: undefined }),
      { status: "synced", login: null, tenantId: null, missing: ["login", "tenantId"] },
    ],
    [
      "no userId output: the input's",
      account("a", { userId: undefined }, { userId: "from-input", resendAfter: "24h" }),
      { userId: "from-input", missing: ["userId"] },
    ],
    [
      "secret addresses: hidden, never read",
      account("a", { email: secret, liveEmail: secret }),
      { email: null, liveEmail: null, hidden: ["email", "liveEmail"] },
    ],
    [
      "addresses in --show-secrets form are read",
      account("a", { email: { [SECRET_SIG_KEY]: SECRET_SIG, plaintext: '"a@example.com"' } }),
      { email: "a@example.com", hidden: [] },
    ],
  ])("%s", (_, input, expected) => {
    expect(rowOf(input, NOW)).toMatchObject(expected);
  });
});

describe("buildReport", () => {
  const accounts = [
    account("s1", {}),
    pending("newer", "2026-12-07T09:00:00.000Z"),
    account("d1", { status: "drifted" }, undefined, "acronis-us5"),
    pending("older", "2026-12-01T09:00:00.000Z"),
    account("u1", { status: secret }),
    account("s0", {}, undefined, "acronis-us5"),
  ];
  const report = buildReport({ stack: "p/prod", resources: 9, accounts }, NOW);

  it("orders pending oldest first, then drifted, unknown and synced (by provider, then login)", () => {
    expect(report.rows.map((r) => r.name)).toEqual(["older", "newer", "d1", "u1", "s0", "s1"]);
  });

  it("counts per status and per provider, the default provider first", () => {
    expect(report.counts).toEqual({
      total: 6,
      pendingConfirmation: 2,
      drifted: 1,
      synced: 2,
      unknown: 1,
    });
    expect(report.providers).toEqual([
      {
        provider: "default",
        counts: { total: 4, pendingConfirmation: 2, drifted: 0, synced: 1, unknown: 1 },
      },
      {
        provider: "acronis-us5",
        counts: { total: 2, pendingConfirmation: 0, drifted: 1, synced: 1, unknown: 0 },
      },
    ]);
  });

  it("--only keeps the rows asked for and the counts whole", () => {
    const only = onlyRows(report, ["drifted", "unknown"]);
    expect(only.rows.map((r) => r.name)).toEqual(["d1", "u1"]);
    expect(only.counts).toEqual(report.counts);
  });

  it.each([
    [{}, []],
    [{ pendingOverMs: 8 * DAY }, []],
    [
      { pendingOverMs: 6 * DAY },
      ["1 account pending confirmation for longer than 6d (the oldest: older (id-older), 7d)"],
    ],
    [
      { pendingOverMs: HOUR },
      ["2 accounts pending confirmation for longer than 1h (the oldest: older (id-older), 7d)"],
    ],
    [{ drifted: true }, ["1 account drifted (the platform holds another address)"]],
  ])("reportFailures %j", (rules, expected) => {
    expect(reportFailures(report, rules)).toEqual(expected);
  });
});

describe("formatAge", () => {
  it.each([
    [0, "under 1m"],
    [59_999, "under 1m"],
    [60_000, "1m"],
    [HOUR, "1h"],
    [HOUR + 5 * 60_000, "1h 5m"],
    [3 * DAY, "3d"],
    [3 * DAY + 59 * 60_000, "3d"],
    [17 * DAY + 21 * HOUR, "17d 21h"],
  ])("%i ms -> %s", (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
