import { describe, expect, it } from "vitest";
import { AcronisApiError, type ErrorKind } from "../api";
import { explainRefreshError, REFRESH_CREDENTIALS_HINT } from "./refresh-credentials";

const apiError = (kind: ErrorKind, status: number) =>
  new AcronisApiError({
    kind,
    method: "POST",
    path: "/idp/token",
    status,
    detail: `HTTP ${status}: could not obtain a token for API client c-1 (client is disabled)`,
  });

describe("explainRefreshError", () => {
  it.each([
    ["a refused sign-in (401)", apiError("auth", 401), true],
    ["a refused sign-in (400)", apiError("auth", 400), true],
    ["another HTTP error", apiError("http", 500), false],
    ["a timeout", apiError("timeout", 0), false],
    ["not an API error", new Error("boom"), false],
  ])("%s: explained %s", (_name, error, explained) => {
    const result = explainRefreshError(error);
    if (!explained) {
      expect(result).toBe(error);
      return;
    }
    const message = (result as Error).message;
    expect(message).toContain("HTTP");
    expect(message).toContain("API client c-1");
    expect(message).toContain(REFRESH_CREDENTIALS_HINT);
    expect(message).toContain("`pulumi up` (without --refresh)");
  });
});
