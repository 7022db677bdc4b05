import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { AcronisApiError, OutcomeUnknownError, redact, VersionMismatchError } from "./errors";
import { isVersionMismatch } from "./index";

describe("redact", () => {
  it("removes known secrets and credential-looking fragments", () => {
    const out = redact("Authorization: Bearer abc.def-123 x=topsecretvalue client_secret=zzz9", [
      "topsecretvalue",
    ]);
    expect(out).not.toContain("abc.def-123");
    expect(out).not.toContain("topsecretvalue");
    expect(out).not.toContain("zzz9");
    expect(out).toContain("Bearer [REDACTED]");
  });
});

describe("AcronisApiError", () => {
  it("builds summary/detail/message and hides secrets in the cause chain", () => {
    const inner = Object.assign(new Error("deep Bearer innertoken123"), { code: "X" });
    const cause = Object.assign(new Error("outer supersecret"), {
      code: "ECONNRESET",
      cause: inner,
    });
    const e = new OutcomeUnknownError({
      kind: "outcome-unknown",
      method: "PUT",
      path: "/users/u1",
      detail: "boom supersecret",
      cause,
      secrets: ["supersecret"],
    });
    expect(e.message).toBe("Acronis API PUT /users/u1 failed: boom [REDACTED]");
    expect(e.name).toBe("OutcomeUnknownError");
    expect((e.cause as Error & { code: string }).code).toBe("ECONNRESET");
    const all = `${String(e)} ${JSON.stringify(e)} ${inspect(e, { depth: 20 })}`;
    expect(all).not.toContain("supersecret");
    expect(all).not.toContain("innertoken123");
    expect(cause.message).toBe("outer supersecret"); // the caller's object is left alone
  });

  it("isVersionMismatch only for VersionMismatchError", () => {
    const base = { kind: "http" as const, method: "PUT", path: "/users/u", detail: "d" };
    expect(isVersionMismatch(new VersionMismatchError(base))).toBe(true);
    expect(isVersionMismatch(new AcronisApiError(base))).toBe(false);
    expect(isVersionMismatch(new Error("x"))).toBe(false);
  });
});
