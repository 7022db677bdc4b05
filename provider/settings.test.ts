import { describe, expect, it } from "vitest";
import { loadCheckPolicy, loadSettings, SettingsError } from "./settings";

/** Settings as stack config or environment give them: one problem per setting, never a value. */

const credentials: Record<string, string> = {
  "acronis:baseUrl": "http://127.0.0.1:8080/api/2",
  "acronis:clientId": "c0000000-0000-4000-8000-000000000001",
  "acronis:clientSecret": "not-a-real-secret",
};
const lookup = (config: Record<string, string>) => (key: string) => config[key];

const LIMIT_PROBLEM =
  "acronis:maxEmailChanges (or ACRONIS_MAX_EMAIL_CHANGES): must be a whole number from 0 to 1000000 (leave it unset for no limit)";

describe("acronis:maxEmailChanges", () => {
  it.each([
    ["unset", undefined, null],
    ["empty (unset)", "", null],
    ["0: no email may change", "0", 0],
    ["a whole number", "25", 25],
    ["surrounding spaces", " 7 ", 7],
    ["the ceiling", "1000000", 1_000_000],
  ])("%s", (_name, value, expected) => {
    const config: Record<string, string> =
      value === undefined ? {} : { "acronis:maxEmailChanges": value };
    expect(loadCheckPolicy(lookup(config), {}).maxEmailChanges).toBe(expected);
    expect(loadSettings(lookup({ ...credentials, ...config }), {}).maxEmailChanges).toBe(expected);
  });

  it.each([
    ["negative", "-1"],
    ["fractional", "2.5"],
    ["a word", "many"],
    ["exponent", "1e3"],
    ["hex", "0x10"],
    ["blank", "   "],
    ["over the ceiling", "1000001"],
    ["far over", "99999999999999999999"],
  ])("%s is refused, naming the setting and not the value", (_name, value) => {
    const read = () => loadCheckPolicy(lookup({ "acronis:maxEmailChanges": value }), {});
    expect(read).toThrow(SettingsError);
    expect(read).toThrow(LIMIT_PROBLEM);
    const settings = () =>
      loadSettings(lookup({ ...credentials, "acronis:maxEmailChanges": value }), {});
    expect(settings).toThrow(LIMIT_PROBLEM);
    expect(() => read()).not.toThrow(value);
  });

  it("falls back to ACRONIS_MAX_EMAIL_CHANGES; stack config wins", () => {
    const env = { ACRONIS_MAX_EMAIL_CHANGES: "3" };
    expect(loadCheckPolicy(lookup({}), env).maxEmailChanges).toBe(3);
    expect(loadCheckPolicy(lookup({ "acronis:maxEmailChanges": "9" }), env).maxEmailChanges).toBe(
      9,
    );
  });

  it("needs no credentials in check, and is reported beside a bad allowlist", () => {
    expect(loadCheckPolicy(lookup({}), {})).toEqual({
      allowedEmailDomains: [],
      maxEmailChanges: null,
    });
    const both = () =>
      loadCheckPolicy(
        lookup({ "acronis:allowedEmailDomains": "bad!", "acronis:maxEmailChanges": "x" }),
        {},
      );
    expect(both).toThrow(/acronis:allowedEmailDomains .*; acronis:maxEmailChanges \(or/);
  });
});
