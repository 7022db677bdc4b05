import { describe, expect, it } from "vitest";
import { domainAllowed, normalizeEmail, sameEmail } from "./email";

describe("normalizeEmail", () => {
  it.each([
    ["Alice@Example.COM", "Alice@example.com"],
    ["bob@bücher.de", "bob@xn--bcher-kva.de"],
    ["x@EXAMPLE.com.", "x@example.com"],
    ["o'neil+tag@sub.example.org", "o'neil+tag@sub.example.org"],
  ])("accepts %s as %s", (raw, email) => {
    expect(normalizeEmail(raw)).toEqual({ ok: true, email });
  });

  it.each([
    ["", "must not be empty"],
    ["   ", "must not be empty"],
    [" a@example.com", "whitespace"],
    ['"Bob" <bob@example.com>', 'did you mean "bob@example.com"'],
    ["bob.example.com", 'must contain "@"'],
    ["@example.com", "local part"],
    [`${"a".repeat(65)}@example.com`, "at most 64 octets"],
    [`${"é".repeat(33)}@example.com`, "at most 64 octets"],
    [`a@${"b".repeat(64)}.com`, "at most 63 characters"],
    [`${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.com`, "254"],
    ["a@-example.com", "no leading or trailing hyphen"],
    ["a@example-.com", "no leading or trailing hyphen"],
    ["a@localhost", "at least two labels"],
    ["a..b@example.com", "'..'"],
    [".a@example.com", "dot"],
    ["a@[127.0.0.1]", "address literals"],
    ["a@exa_mple.com", "letters, digits"],
    ["a@1.2.3.4", "numeric"],
  ])("rejects %j (%s)", (raw, reason) => {
    const result = normalizeEmail(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe("sameEmail", () => {
  it("compares domains after normalisation and local parts exactly", () => {
    expect(sameEmail("a@EXAMPLE.com", "a@example.com")).toBe(true);
    expect(sameEmail("a@bücher.de", "a@xn--bcher-kva.de")).toBe(true);
    expect(sameEmail("A@example.com", "a@example.com")).toBe(false);
  });
});

describe("domainAllowed", () => {
  it.each([
    ["a@corp.com", ["corp.com"], true],
    ["a@eu.corp.com", ["corp.com"], false],
    ["a@eu.corp.com", [".corp.com"], true],
    ["a@corp.com", [".corp.com"], false],
    ["a@evilcorp.com", [".corp.com"], false],
    ["a@evil.com", ["corp.com", ".corp.com"], false],
  ])("%s in %j -> %s", (email, list, allowed) => {
    expect(domainAllowed(email, list)).toBe(allowed);
  });
});
