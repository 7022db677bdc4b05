import { describe, expect, it } from "vitest";
import {
  admitChange,
  adoptionOutcome,
  decideDiff,
  decideUpdate,
  desiredOf,
  type LiveAccount,
  needsWrite,
  outputsAfterPut,
  outputsAfterRefresh,
  pendingAfterLostResponse,
  pendingFrom,
  resendAfterMsOf,
  type UserEmailOutputs,
} from "./reconcile";

const ID = "6f1c2a3b-0000-4000-8000-000000000001";
const HOUR = 3_600_000;
const T0 = new Date("2026-11-28T10:00:00.000Z");
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

const live = (email: string, extra: Partial<LiveAccount> = {}): LiveAccount => ({
  id: ID,
  version: 7,
  email,
  activated: true,
  login: "alice",
  tenantId: "t-1",
  ...extra,
});
const desired = { userId: ID, email: "new@example.com", resendAfterMs: 24 * HOUR };

const stored = (over: Partial<UserEmailOutputs>): UserEmailOutputs => ({
  userId: ID,
  email: "new@example.com",
  liveEmail: "new@example.com",
  status: "synced",
  pendingEmail: null,
  confirmationRequestedAt: null,
  version: 7,
  activated: true,
  login: "alice",
  tenantId: "t-1",
  ...over,
});
const pendingState = stored({
  liveEmail: "old@example.com",
  status: "pendingConfirmation",
  pendingEmail: "new@example.com",
  confirmationRequestedAt: T0.toISOString(),
});

describe("desiredOf (what stored or checked inputs ask of the account)", () => {
  it.each([
    ["48h", 48 * HOUR],
    ["90m", 90 * 60_000],
    // Inputs stored by an older release may lack the field, or hold what no longer parses.
    [undefined, 24 * HOUR],
    ["soon", 24 * HOUR],
  ])("resendAfter %s is %d ms", (resendAfter, ms) => {
    const inputs = { userId: ID, email: "new@example.com", resendAfter } as {
      userId: string;
      email: string;
      resendAfter: string;
    };
    expect(desiredOf(inputs)).toEqual({ userId: ID, email: "new@example.com", resendAfterMs: ms });
  });
});

describe("resendAfterMsOf (a stored resendAfter: the provider's and the report's rule)", () => {
  it.each([
    ["48h", 48 * HOUR, true],
    [undefined, 24 * HOUR, false],
    ["soon", 24 * HOUR, false],
    [48, 24 * HOUR, false],
  ])("%s is %d ms (given: %s)", (stored, ms, given) => {
    expect(resendAfterMsOf(stored)).toEqual({ ms, given });
  });
});

describe("decideDiff (preview and the first half of up)", () => {
  it.each([
    ["in sync and recorded as synced", stored({}), live("new@example.com"), false, "in-sync"],
    ["in sync, domain case differs", stored({}), live("new@EXAMPLE.com"), false, "in-sync"],
    ["live differs, nothing requested", stored({}), live("old@example.com"), true, "drift"],
    [
      "confirmation pending: still drift",
      pendingState,
      live("old@example.com"),
      true,
      "pending-confirmation",
    ],
    [
      "user opened the link: record it",
      pendingState,
      live("new@example.com"),
      true,
      "record-confirmation",
    ],
    ["local part case matters", stored({}), live("NEW@example.com"), true, "drift"],
    ["account gone", stored({}), null, true, "account-missing"],
  ] as const)("%s", (_name, old, account, changes, reason) => {
    const decision = decideDiff(desired, old, account);
    expect(decision).toEqual({ changes, replaces: [], reason });
  });

  it("replaces when the userId changes, without needing the account", () => {
    const decision = decideDiff({ ...desired, userId: "other" }, stored({}), null);
    expect(decision).toEqual({ changes: true, replaces: ["userId"], reason: "user-id-changed" });
  });

  it("desired email changed while synced is drift", () => {
    const decision = decideDiff(
      { ...desired, email: "third@example.com" },
      stored({}),
      live("new@example.com"),
    );
    expect(decision.changes).toBe(true);
    expect(decision.reason).toBe("drift");
  });
});

describe("decideUpdate (update and create)", () => {
  const pending = { email: "new@example.com", requestedAt: T0 };

  it("live already desired: record synced, no PUT", () => {
    const d = decideUpdate(desired, live("new@example.com"), pending, at(1));
    expect(d.action).toBe("record");
    if (d.action === "record") {
      expect(d.outputs.status).toBe("synced");
      expect(d.outputs.pendingEmail).toBeNull();
      expect(d.outputs.confirmationRequestedAt).toBeNull();
    }
  });

  it("nothing requested yet: PUT with the live version", () => {
    expect(decideUpdate(desired, live("old@example.com"), null, at(0))).toEqual({
      action: "put",
      email: "new@example.com",
      version: 7,
    });
  });

  it("requested less than resendAfter ago: wait, keep the request time", () => {
    const d = decideUpdate(desired, live("old@example.com"), pending, at(23.9));
    expect(d.action).toBe("wait");
    if (d.action === "wait") {
      expect(d.outputs.status).toBe("pendingConfirmation");
      expect(d.outputs.confirmationRequestedAt).toBe(T0.toISOString());
      expect(d.resendAt).toEqual(at(24));
    }
  });

  it("requested resendAfter ago or more: PUT again (a new link)", () => {
    expect(decideUpdate(desired, live("old@example.com"), pending, at(24)).action).toBe("put");
  });

  it("a pending request for another address does not hold back the new one", () => {
    const other = { email: "previous@example.com", requestedAt: T0 };
    expect(decideUpdate(desired, live("old@example.com"), other, at(1)).action).toBe("put");
  });
});

describe("needsWrite (what acronis:maxEmailChanges counts)", () => {
  const pending = { email: "new@example.com", requestedAt: T0 };
  const other = { email: "previous@example.com", requestedAt: T0 };
  it.each([
    ["new account, address differs", live("old@example.com"), null, at(0), true],
    ["new account, already the address", live("new@example.com"), null, at(0), false],
    ["new account, only the domain's case differs", live("new@EXAMPLE.com"), null, at(0), false],
    ["drift: the local part's case differs", live("NEW@example.com"), null, at(0), true],
    ["pending inside resendAfter", live("old@example.com"), pending, at(23.9), false],
    ["pending exactly resendAfter ago", live("old@example.com"), pending, at(24), true],
    ["pending past resendAfter", live("old@example.com"), pending, at(30), true],
    ["pending for another address", live("old@example.com"), other, at(1), true],
    ["confirmed (live is the address now)", live("new@example.com"), pending, at(1), false],
    ["account gone", null, null, at(0), false],
  ] as const)("%s", (_name, account, request, now, expected) => {
    expect(needsWrite(desired, account, request, now)).toBe(expected);
  });

  it("agrees with diff: drift counts, a waiting confirmation and a synced account do not", () => {
    const cases = [
      [stored({}), live("old@example.com")],
      [pendingState, live("old@example.com")],
      [pendingState, live("new@example.com")],
      [stored({}), live("new@example.com")],
    ] as const;
    const reasons = cases.map(([old, account]) => [
      decideDiff(desired, old, account).reason,
      needsWrite(desired, account, pendingFrom(old), at(1)),
    ]);
    expect(reasons).toEqual([
      ["drift", true],
      ["pending-confirmation", false],
      ["record-confirmation", false],
      ["in-sync", false],
    ]);
  });
});

describe("admitChange (acronis:maxEmailChanges)", () => {
  const ids = (n: number) => new Set(Array.from({ length: n }, (_, i) => `id-${i}`));
  it.each([
    ["no limit", null, ids(1000), "x", { admitted: true, count: false }],
    ["the first one", 3, ids(0), "x", { admitted: true, count: true }],
    ["the last one the limit allows", 3, ids(2), "x", { admitted: true, count: true }],
    ["one past the limit", 3, ids(3), "x", { admitted: false, atLeast: 4, limit: 3 }],
    ["counted before, at the limit", 3, ids(3), "id-2", { admitted: true, count: false }],
    ["limit 0: nothing may change", 0, ids(0), "x", { admitted: false, atLeast: 1, limit: 0 }],
  ] as const)("%s", (_name, limit, counted, id, expected) => {
    expect(admitChange(limit, counted, id)).toEqual(expected);
  });
});

describe("after the PUT", () => {
  it("email changed (not activated): synced", () => {
    const outs = outputsAfterPut(
      desired,
      live("new@example.com", { activated: false, version: 8 }),
      at(0),
    );
    expect(outs).toMatchObject({ status: "synced", version: 8, pendingEmail: null });
  });

  it("email unchanged (activated): pending since now", () => {
    const outs = outputsAfterPut(desired, live("old@example.com"), at(2));
    expect(outs).toMatchObject({
      status: "pendingConfirmation",
      liveEmail: "old@example.com",
      pendingEmail: "new@example.com",
      confirmationRequestedAt: at(2).toISOString(),
    });
  });

  it("lost answer: activated accounts are assumed pending, others re-read", () => {
    expect(pendingAfterLostResponse(desired, live("old@example.com"), at(1))).toEqual({
      email: "new@example.com",
      requestedAt: at(1),
    });
    expect(
      pendingAfterLostResponse(desired, live("old@example.com", { activated: false }), at(1)),
    ).toBeNull();
  });
});

describe("refresh", () => {
  it("keeps an open request while still pending", () => {
    expect(outputsAfterRefresh(pendingState, live("old@example.com"))).toMatchObject({
      status: "pendingConfirmation",
      pendingEmail: "new@example.com",
    });
  });

  it("confirmed: synced, request cleared", () => {
    expect(
      outputsAfterRefresh(pendingState, live("new@example.com", { version: 8 })),
    ).toMatchObject({
      status: "synced",
      pendingEmail: null,
      version: 8,
    });
  });

  it("changed by someone else: drifted", () => {
    expect(outputsAfterRefresh(stored({}), live("someone@else.org")).status).toBe("drifted");
  });

  it("ignores a malformed request time in state", () => {
    expect(
      pendingFrom({ pendingEmail: "a@b.co", confirmationRequestedAt: "yesterday" }),
    ).toBeNull();
  });
});

describe("adoptionOutcome (the first preview of an account new to the stack)", () => {
  it.each([
    ["holds the desired address", live("new@example.com"), "adopt-unchanged"],
    ["holds it, domain case differs", live("new@EXAMPLE.com"), "adopt-unchanged"],
    ["holds it, not activated", live("new@example.com", { activated: false }), "adopt-unchanged"],
    ["differs, not activated", live("old@example.com", { activated: false }), "change-at-once"],
    ["differs, activated", live("old@example.com"), "mail-link"],
    ["not on the platform (404 or deleted)", null, "not-found"],
  ] as const)("%s", (_name, account, expected) => {
    expect(adoptionOutcome(desired, account)).toBe(expected);
  });

  it.each([
    live("new@example.com"),
    live("old@example.com"),
    live("old@example.com", { activated: false }),
  ])("says a write exactly when up's guard counts one (%#)", (account) => {
    const writes = adoptionOutcome(desired, account) !== "adopt-unchanged";
    expect(writes).toBe(needsWrite(desired, account, null, T0));
  });
});
