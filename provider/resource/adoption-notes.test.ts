import { describe, expect, it } from "vitest";
import { AcronisApiError, type ErrorKind } from "../api";
import { SettingsError } from "../settings/settings";
import { adoptionNote, failsEveryAccount } from "./adoption-notes";

const ID = "6f1c2a3b-0000-4000-8000-000000000001";
const apiError = (kind: ErrorKind, status?: number) =>
  new AcronisApiError({ kind, method: "GET", path: "/users", detail: "x", status });

describe("failsEveryAccount: which failed reads fail the first preview", () => {
  it.each([
    ["a setting missing or invalid", new SettingsError("acronis:baseUrl is not set"), true],
    ["credentials refused (token 401)", apiError("auth", 401), true],
    ["a base URL that redirects", apiError("redirect", 301), true],
    ["one account's 403", apiError("http", 403), false],
    ["a 503 after retries", apiError("http", 503), false],
    ["a timeout", apiError("timeout"), false],
    ["a network error", apiError("network"), false],
  ])("%s -> %s", (_name, error, expected) => {
    expect(failsEveryAccount(error)).toBe(expected);
  });
});

describe("adoptionNote: one line per account, by id, never an address", () => {
  it.each([
    ["adopt-unchanged", "`up` adopts it unchanged"],
    ["change-at-once", "`up` changes its address at once"],
    ["mail-link", "`up` mails a confirmation link to its current address"],
    ["not-found", "not found on the platform, so `up` fails for it"],
  ] as const)("%s", (outcome, says) => {
    const line = adoptionNote(ID, outcome);
    expect(line.startsWith(`acronis: account ${ID}: new to the stack; ${says}`)).toBe(true);
    expect(line).not.toContain("@");
  });
});
