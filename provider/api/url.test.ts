import { describe, expect, it } from "vitest";
import { AcronisClient, validateBaseUrl } from "./index";

describe("validateBaseUrl", () => {
  it.each([
    ["https://eu2-cloud.acronis.com/api/2", "https://eu2-cloud.acronis.com/api/2"],
    ["https://eu2-cloud.acronis.com/api/2/", "https://eu2-cloud.acronis.com/api/2"],
    ["http://127.0.0.1:8080/api/2", "http://127.0.0.1:8080/api/2"],
    ["http://127.9.8.7/api/2", "http://127.9.8.7/api/2"],
    ["http://localhost:3000/api/2", "http://localhost:3000/api/2"],
    ["http://[::1]:3000/api/2", "http://[::1]:3000/api/2"],
  ])("accepts %s", (raw, href) => {
    expect(validateBaseUrl(raw).href).toBe(href);
  });

  it.each([
    ["http://eu2-cloud.acronis.com/api/2", /https is required/],
    ["http://128.0.0.1/api/2", /https is required/],
    ["http://localhost.evil.com/api/2", /https is required/],
    ["https://user:pw@eu2-cloud.acronis.com/api/2", /user:password/],
    ["https://eu2-cloud.acronis.com/api/2?x=1", /query string or fragment/],
    ["https://eu2-cloud.acronis.com/api/2#frag", /query string or fragment/],
    ["https://eu2-cloud.acronis.com/api/2?", /query string or fragment/],
    ["https://eu2-cloud.acronis.com", /must end with \/api\/2/],
    ["https://eu2-cloud.acronis.com/api/1", /must end with \/api\/2/],
    ["ftp://eu2-cloud.acronis.com/api/2", /scheme ftp: is not supported/],
    ["eu2-cloud.acronis.com/api/2", /not an absolute URL/],
  ])("rejects %s", (raw, why) => {
    expect(() => validateBaseUrl(raw)).toThrow(why);
    expect(() => validateBaseUrl(raw)).toThrow(/\.\.\.|\/api\/2/);
  });

  it.each([
    ["https://user:hunter2@h/api/2", /must not contain user:password@/],
    ["not a url //user:hunter2@h", /not an absolute URL/],
  ])("refuses %s, never echoing its password", (raw, why) => {
    // Both must hold: it throws, and what it throws has no password in it.
    expect(() => validateBaseUrl(raw)).toThrow(why);
    expect(() => validateBaseUrl(raw)).not.toThrow(/hunter2/);
  });

  it("the client constructor validates too", () => {
    expect(
      () =>
        new AcronisClient({
          baseUrl: "http://example.com/api/2",
          clientId: "a",
          clientSecret: "b",
        }),
    ).toThrow(/https is required/);
  });
});
