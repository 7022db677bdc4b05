import { describe, expect, it } from "vitest";
import {
  INSTANCE_NAME_KEY,
  loadCheckPolicy,
  loadSettings,
  SettingsError,
  stackOptionalSettings,
} from "./settings";

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
    ["empty (not set)", "", null],
    ["blank (not set)", "   ", null],
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

describe("acronis:allowedEmailDomains fails closed", () => {
  const NO_DOMAIN =
    'acronis:allowedEmailDomains (or ACRONIS_ALLOWED_EMAIL_DOMAINS): is set but names no domain; an allowlist must name at least one ("example.com", or ".example.com" for its subdomains), or be left unset for no allowlist: set it with `pulumi config set acronis:allowedEmailDomains <value>` or the environment variable ACRONIS_ALLOWED_EMAIL_DOMAINS, or remove both for no allowlist';

  it.each([
    ["a comma", ","],
    ["an empty JSON list", "[]"],
    ["a JSON list of one empty entry", '[""]'],
    ["spaces around a comma", " , "],
  ])("%s in stack config is an error naming the setting and how to set it", (_name, value) => {
    const config = { "acronis:allowedEmailDomains": value };
    expect(() => loadCheckPolicy(lookup(config), {})).toThrow(NO_DOMAIN);
    expect(() => loadSettings(lookup({ ...credentials, ...config }), {})).toThrow(NO_DOMAIN);
    expect(() => stackOptionalSettings(lookup(config), {})).toThrow(NO_DOMAIN);
  });

  it("ACRONIS_ALLOWED_EMAIL_DOMAINS=, is the same error", () => {
    const env = { ACRONIS_ALLOWED_EMAIL_DOMAINS: "," };
    expect(() => loadCheckPolicy(lookup({}), env)).toThrow(NO_DOMAIN);
    expect(() => loadSettings(lookup(credentials), env)).toThrow(NO_DOMAIN);
  });

  it.each([
    ["unset", {}],
    ["empty", { "acronis:allowedEmailDomains": "" }],
    ["blank", { "acronis:allowedEmailDomains": "   " }],
  ])("%s stays no allowlist", (_name, config: Record<string, string>) => {
    expect(loadCheckPolicy(lookup(config), {}).allowedEmailDomains).toEqual([]);
  });

  it.each([
    ["a list naming nothing", "[]"],
    ["a comma", ","],
  ])(
    "an AcronisProvider instance given %s is refused, naming the instance and argument",
    (_n, v) => {
      const instance = {
        ...credentials,
        [INSTANCE_NAME_KEY]: "us5",
        "acronis:allowedEmailDomains": v,
      };
      expect(() => loadCheckPolicy(lookup(instance), {})).toThrow(
        /^AcronisProvider "us5": allowedEmailDomains: is set but names no domain; .*\(give the argument at least one domain, or leave it out\)$/,
      );
    },
  );
});
