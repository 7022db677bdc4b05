import { describe, expect, expectTypeOf, it } from "vitest";
import { problemsOf } from "../../test/support/accounts-problems";
import { parseAccountsYaml } from "../accounts-file/accounts";
import { connectionSettings } from "../accounts-file/accounts-stack";
import { AcronisProvider, acronisProviderInputs } from "../resource/acronis-provider";
import {
  howToSetSetting,
  INSTANCE_NAME_KEY,
  loadCheckPolicy,
  loadSettings,
  type Settings,
  stackOptionalSettings,
} from "./settings";

/**
 * Every message a setting can produce, pinned byte for byte: stack config and environment,
 * AcronisProvider arguments, and the accounts file's connections. Written against the code
 * before the settings catalogue existed, so the catalogue provably changed no message.
 */

const SECRET = "s3cr3t-Pinned-Message-Secret-9";
const CREDENTIALS: Record<string, string> = {
  "acronis:baseUrl": "http://127.0.0.1:8080/api/2",
  "acronis:clientId": "c0000000-0000-4000-8000-000000000001",
  "acronis:clientSecret": SECRET,
};
/** One bad value for every setting that is not a credential. */
const ALL_BAD: Record<string, string> = {
  "acronis:maxConcurrentRequests": "0",
  "acronis:batchReads": "yes",
  "acronis:readAhead": "maybe",
  "acronis:allowedEmailDomains": "bad!",
  "acronis:requestTimeoutSeconds": "x",
  "acronis:retryMaxAttempts": "11",
  "acronis:retryBaseDelayMs": "-1",
  "acronis:maxEmailChanges": "1e3",
};
const lookup = (config: Record<string, string>) => (key: string) => config[key];

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected an error");
}

describe("stack config and ACRONIS_* variables", () => {
  it.each<[string, () => unknown, string]>([
    [
      "nothing set",
      () => loadSettings(lookup({}), {}),
      "Acronis provider settings are incomplete or invalid:\n- acronis:baseUrl is not set: set it with `pulumi config set acronis:baseUrl <value>` or the environment variable ACRONIS_BASE_URL\n- acronis:clientId is not set: set it with `pulumi config set acronis:clientId <value>` or the environment variable ACRONIS_CLIENT_ID\n- acronis:clientSecret is not set: set it with `pulumi config set --secret acronis:clientSecret <value>` or the environment variable ACRONIS_CLIENT_SECRET",
    ],
    [
      "every setting bad, a credential missing",
      () =>
        loadSettings(
          lookup({ ...ALL_BAD, "acronis:baseUrl": "https://user:pw@eu2-cloud.acronis.com/api/2" }),
          { ACRONIS_CLIENT_ID: "from-env" },
        ),
      'Acronis provider settings are incomplete or invalid:\n- acronis:baseUrl (or ACRONIS_BASE_URL): Invalid Acronis base URL "https://eu2-cloud.acronis.com/api/2": must not contain user:password@; pass clientId/clientSecret instead; expected the form https://<datacenter host>/api/2, e.g. https://eu2-cloud.acronis.com/api/2\n- acronis:clientSecret is not set: set it with `pulumi config set --secret acronis:clientSecret <value>` or the environment variable ACRONIS_CLIENT_SECRET\n- acronis:maxConcurrentRequests (or ACRONIS_MAX_CONCURRENT_REQUESTS): must be a whole number from 1 to 64\n- acronis:requestTimeoutSeconds (or ACRONIS_REQUEST_TIMEOUT_SECONDS): must be a whole number from 1 to 600\n- acronis:retryMaxAttempts (or ACRONIS_RETRY_MAX_ATTEMPTS): must be a whole number from 1 to 10\n- acronis:retryBaseDelayMs (or ACRONIS_RETRY_BASE_DELAY_MS): must be a whole number from 0 to 8000\n- acronis:maxEmailChanges (or ACRONIS_MAX_EMAIL_CHANGES): must be a whole number from 0 to 1000000 (leave it unset for no limit)\n- acronis:batchReads (or ACRONIS_BATCH_READS): must be "true" or "false"\n- acronis:readAhead (or ACRONIS_READ_AHEAD): must be "true" or "false"\n- acronis:allowedEmailDomains (or ACRONIS_ALLOWED_EMAIL_DOMAINS): entry "bad!" is not a domain ("example.com", or ".example.com" for its subdomains)',
    ],
    [
      "an allowlist naming nothing, from the environment",
      () =>
        loadSettings(lookup(CREDENTIALS), {
          ACRONIS_ALLOWED_EMAIL_DOMAINS: "[]",
          ACRONIS_BATCH_READS: "no",
        }),
      'Acronis provider settings are incomplete or invalid:\n- acronis:batchReads (or ACRONIS_BATCH_READS): must be "true" or "false"\n- acronis:allowedEmailDomains (or ACRONIS_ALLOWED_EMAIL_DOMAINS): is set but names no domain; an allowlist must name at least one ("example.com", or ".example.com" for its subdomains), or be left unset for no allowlist: set it with `pulumi config set acronis:allowedEmailDomains <value>` or the environment variable ACRONIS_ALLOWED_EMAIL_DOMAINS, or remove both for no allowlist',
    ],
    [
      "a base URL that is not one",
      () => loadSettings(lookup({ ...CREDENTIALS, "acronis:baseUrl": "not a url" }), {}),
      'Acronis provider settings are incomplete or invalid:\n- acronis:baseUrl (or ACRONIS_BASE_URL): Invalid Acronis base URL "not a url": not an absolute URL; expected the form https://<datacenter host>/api/2, e.g. https://eu2-cloud.acronis.com/api/2',
    ],
    [
      "check: both of its settings bad",
      () => loadCheckPolicy(lookup(ALL_BAD), {}),
      'acronis:allowedEmailDomains (or ACRONIS_ALLOWED_EMAIL_DOMAINS): entry "bad!" is not a domain ("example.com", or ".example.com" for its subdomains); acronis:maxEmailChanges (or ACRONIS_MAX_EMAIL_CHANGES): must be a whole number from 0 to 1000000 (leave it unset for no limit)',
    ],
    [
      "the settings connections inherit, all bad",
      () => stackOptionalSettings(lookup({ ...CREDENTIALS, ...ALL_BAD }), {}),
      'Acronis provider settings are invalid:\n- acronis:maxConcurrentRequests (or ACRONIS_MAX_CONCURRENT_REQUESTS): must be a whole number from 1 to 64\n- acronis:batchReads (or ACRONIS_BATCH_READS): must be "true" or "false"\n- acronis:readAhead (or ACRONIS_READ_AHEAD): must be "true" or "false"\n- acronis:allowedEmailDomains (or ACRONIS_ALLOWED_EMAIL_DOMAINS): entry "bad!" is not a domain ("example.com", or ".example.com" for its subdomains)\n- acronis:requestTimeoutSeconds (or ACRONIS_REQUEST_TIMEOUT_SECONDS): must be a whole number from 1 to 600\n- acronis:retryMaxAttempts (or ACRONIS_RETRY_MAX_ATTEMPTS): must be a whole number from 1 to 10\n- acronis:retryBaseDelayMs (or ACRONIS_RETRY_BASE_DELAY_MS): must be a whole number from 0 to 8000\n- acronis:maxEmailChanges (or ACRONIS_MAX_EMAIL_CHANGES): must be a whole number from 0 to 1000000 (leave it unset for no limit)',
    ],
  ])("%s", (_name, run, expected) => {
    const message = messageOf(run);
    expect(message).toBe(expected);
    expect(message).not.toContain(SECRET);
  });

  it("parses every setting the same way", () => {
    const config = {
      ...CREDENTIALS,
      "acronis:baseUrl": "https://eu2-cloud.acronis.com/api/2/",
      "acronis:maxConcurrentRequests": "3",
      "acronis:batchReads": "false",
      "acronis:readAhead": "false",
      "acronis:allowedEmailDomains": '["Example.com", " .example.org "]',
      "acronis:requestTimeoutSeconds": "600",
      "acronis:retryMaxAttempts": "1",
      "acronis:retryBaseDelayMs": "0",
      "acronis:maxEmailChanges": " 12 ",
    };
    const expected: Settings = {
      baseUrl: "https://eu2-cloud.acronis.com/api/2",
      clientId: CREDENTIALS["acronis:clientId"] as string,
      clientSecret: SECRET,
      maxConcurrentRequests: 3,
      batchReads: false,
      readAhead: false,
      allowedEmailDomains: ["example.com", ".example.org"],
      requestTimeoutSeconds: 600,
      retryMaxAttempts: 1,
      retryBaseDelayMs: 0,
      maxEmailChanges: 12,
    };
    expect(loadSettings(lookup(config), {})).toEqual(expected);
    expect(loadSettings(lookup(CREDENTIALS), {})).toEqual({
      baseUrl: "http://127.0.0.1:8080/api/2",
      clientId: CREDENTIALS["acronis:clientId"],
      clientSecret: SECRET,
      maxConcurrentRequests: 8,
      batchReads: true,
      readAhead: true,
      allowedEmailDomains: [],
      requestTimeoutSeconds: 30,
      retryMaxAttempts: 4,
      retryBaseDelayMs: 500,
      maxEmailChanges: null,
    });
    const { baseUrl, clientId, clientSecret, ...optional } = expected;
    expect(stackOptionalSettings(lookup(config), {})).toEqual(optional);
  });

  it("keeps every setting's parsed type (checked by tsc)", () => {
    expectTypeOf<Settings>().toEqualTypeOf<{
      baseUrl: string;
      clientId: string;
      clientSecret: string;
      maxConcurrentRequests: number;
      batchReads: boolean;
      readAhead: boolean;
      allowedEmailDomains: string[];
      requestTimeoutSeconds: number;
      retryMaxAttempts: number;
      retryBaseDelayMs: number;
      maxEmailChanges: number | null;
    }>();
  });

  it.each<[keyof Settings, string]>([
    [
      "baseUrl",
      "`pulumi config set acronis:baseUrl <value>` or the environment variable ACRONIS_BASE_URL",
    ],
    [
      "clientSecret",
      "`pulumi config set --secret acronis:clientSecret <value>` or the environment variable ACRONIS_CLIENT_SECRET",
    ],
    [
      "maxEmailChanges",
      "`pulumi config set acronis:maxEmailChanges <value>` or the environment variable ACRONIS_MAX_EMAIL_CHANGES",
    ],
  ])("how to set %s", (key, expected) => {
    expect(howToSetSetting(key)).toBe(expected);
  });
});

describe("an AcronisProvider's arguments, and what its process makes of them", () => {
  it.each<[string, () => unknown, string]>([
    [
      "every argument of the wrong type, given",
      () =>
        new AcronisProvider("eu2", {
          baseUrl: 1,
          clientId: true,
          clientSecret: {},
          maxConcurrentRequests: "8",
          batchReads: 1,
          readAhead: null,
          allowedEmailDomains: 5,
          requestTimeoutSeconds: [],
          retryMaxAttempts: false,
          retryBaseDelayMs: "x",
          maxEmailChanges: "1",
          extra: 1,
        } as never),
      'AcronisProvider "eu2": baseUrl: expected a string (or an Output of one), got a number; clientId: expected a string (or an Output of one), got a boolean; clientSecret: expected a string (or an Output of one), got an object; maxConcurrentRequests: expected a number (or an Output of one), got a string; batchReads: expected a boolean (or an Output of one), got a number; allowedEmailDomains: expected a string or a list of strings (or an Output of one), got a number; requestTimeoutSeconds: expected a number (or an Output of one), got a list; retryMaxAttempts: expected a number (or an Output of one), got a boolean; retryBaseDelayMs: expected a number (or an Output of one), got a string; maxEmailChanges: expected a number (or an Output of one), got a string; extra: unknown argument (expected baseUrl, clientId, clientSecret, maxConcurrentRequests, batchReads, readAhead, allowedEmailDomains, requestTimeoutSeconds, retryMaxAttempts, retryBaseDelayMs, maxEmailChanges)',
    ],
    [
      "no credentials",
      () => new AcronisProvider("eu2", {} as never),
      'AcronisProvider "eu2": baseUrl is required; clientId is required; clientSecret is required',
    ],
    [
      "not an object",
      () => new AcronisProvider("eu2", 5 as never),
      'AcronisProvider "eu2": expected an object of arguments',
    ],
    [
      "no name",
      () => acronisProviderInputs("", {}),
      "AcronisProvider: the name must be a non-empty string",
    ],
    [
      "resolved arguments of the wrong type",
      () =>
        acronisProviderInputs("us5", {
          allowedEmailDomains: ["a", 1],
          maxEmailChanges: "2",
        } as never),
      'AcronisProvider "us5": allowedEmailDomains: expected a string or a list of strings, got a list; maxEmailChanges: expected a number, got a string',
    ],
    [
      "an instance with every setting bad",
      () =>
        loadSettings(
          lookup({
            ...ALL_BAD,
            [INSTANCE_NAME_KEY]: "us5",
            "acronis:baseUrl": "https://eu2-cloud.acronis.com/api/3",
          }),
          { ACRONIS_CLIENT_ID: "never-read" },
        ),
      'AcronisProvider "us5": baseUrl: Invalid Acronis base URL "https://eu2-cloud.acronis.com/api/3": path must end with /api/2; expected the form https://<datacenter host>/api/2, e.g. https://eu2-cloud.acronis.com/api/2; clientId is not set; clientSecret is not set; maxConcurrentRequests: must be a whole number from 1 to 64; requestTimeoutSeconds: must be a whole number from 1 to 600; retryMaxAttempts: must be a whole number from 1 to 10; retryBaseDelayMs: must be a whole number from 0 to 8000; maxEmailChanges: must be a whole number from 0 to 1000000 (leave it unset for no limit); batchReads: must be "true" or "false"; readAhead: must be "true" or "false"; allowedEmailDomains: entry "bad!" is not a domain ("example.com", or ".example.com" for its subdomains) (an AcronisProvider takes its settings from its own arguments only, never from stack config or ACRONIS_* variables)',
    ],
    [
      "an instance with an allowlist naming nothing",
      () =>
        loadCheckPolicy(
          lookup({
            ...CREDENTIALS,
            [INSTANCE_NAME_KEY]: "us5",
            "acronis:allowedEmailDomains": "[]",
            "acronis:readAhead": "1",
          }),
          {},
        ),
      'AcronisProvider "us5": readAhead: must be "true" or "false"; allowedEmailDomains: is set but names no domain; an allowlist must name at least one ("example.com", or ".example.com" for its subdomains), or be left unset for no allowlist (give the argument at least one domain, or leave it out)',
    ],
  ])("%s", (_name, run, expected) => {
    expect(messageOf(run)).toBe(expected);
  });

  it("registers every argument as the text stack config would hold", () => {
    expect(
      acronisProviderInputs("us5", {
        baseUrl: "https://us5-cloud.acronis.com/api/2",
        clientId: "id",
        clientSecret: SECRET,
        maxConcurrentRequests: 2,
        batchReads: true,
        readAhead: false,
        allowedEmailDomains: "example.com",
        requestTimeoutSeconds: 5,
        retryMaxAttempts: 3,
        retryBaseDelayMs: 10,
        maxEmailChanges: 0,
      }),
    ).toEqual({
      "acronis:providerName": "us5",
      "acronis:baseUrl": "https://us5-cloud.acronis.com/api/2",
      "acronis:clientId": "id",
      "acronis:clientSecret": SECRET,
      "acronis:maxConcurrentRequests": "2",
      "acronis:batchReads": "true",
      "acronis:readAhead": "false",
      "acronis:allowedEmailDomains": "example.com",
      "acronis:requestTimeoutSeconds": "5",
      "acronis:retryMaxAttempts": "3",
      "acronis:retryBaseDelayMs": "10",
      "acronis:maxEmailChanges": "0",
    });
  });
});

describe("the accounts file's connections", () => {
  it("reports every kind of bad connection at its place", () => {
    expect(
      problemsOf(
        [
          "connections:", // 1
          "  a:", // 2
          "    baseUrl: https://u:p@eu2-cloud.acronis.com/api/2", // 3
          "    clientId: '  '", // 4
          "    clientSecretEnv: 7", // 5
          "    region: eu", // 6
          "  b:", // 7
          "    baseUrl: 42", // 8
          "  c: [1]", // 9
          "  d:", // 10
          "    baseUrl: ' ftp://eu2-cloud.acronis.com/api/2 '", // 11
          "    clientId: ''", // 12
          "accounts: []", // 13
        ].join("\n"),
      ),
    ).toEqual([
      'accounts.yaml:3:14: connection a: baseUrl: Invalid Acronis base URL "https://eu2-cloud.acronis.com/api/2": must not contain user:password@; pass clientId/clientSecret instead; expected the form https://<datacenter host>/api/2, e.g. https://eu2-cloud.acronis.com/api/2',
      "accounts.yaml:4:15: connection a: clientId: is empty, which counts as not set: expected the API client's id, a string",
      "accounts.yaml:5:22: connection a: clientSecretEnv: expected the name of an environment variable, a string, got number 7",
      "accounts.yaml:6:5: connection a: region: unknown key (expected baseUrl, clientId, clientSecretEnv)",
      "accounts.yaml:8:5: connection b: clientId: is required (the API client's id, a string)",
      "accounts.yaml:8:14: connection b: baseUrl: expected the datacenter's API URL, e.g. https://eu2-cloud.acronis.com/api/2, got number 42",
      "accounts.yaml:9:6: connection c: expected a mapping with baseUrl and clientId, got a list",
      'accounts.yaml:11:14: connection d: baseUrl: Invalid Acronis base URL "ftp://eu2-cloud.acronis.com/api/2": scheme ftp: is not supported; expected the form https://<datacenter host>/api/2, e.g. https://eu2-cloud.acronis.com/api/2',
      "accounts.yaml:12:15: connection d: clientId: is empty, which counts as not set: expected the API client's id, a string",
    ]);
  });

  it("reports connections that are not a mapping", () => {
    expect(problemsOf("connections: [a]\naccounts: []\n")).toEqual([
      "accounts.yaml:1:14: connections: expected a mapping of connection names to baseUrl and clientId, got a list",
    ]);
  });

  it("gives each used connection the stack's other settings, parsed", () => {
    const entries = parseAccountsYaml(
      [
        "connections:",
        "  us5:",
        "    baseUrl: ' https://us5-cloud.acronis.com/api/2/ '",
        "    clientId: ' us5-client '",
        "accounts:",
        "  - id: 50000000-0000-4000-8000-000000000001",
        "    email: grace@example.com",
        "    connection: us5",
      ].join("\n"),
      "accounts.yaml",
    );
    const settings = connectionSettings(entries, {
      config: lookup({
        ...CREDENTIALS,
        "acronis:connections": JSON.stringify({ us5: { clientSecret: SECRET } }),
        "acronis:readAhead": "false",
      }),
      env: { ACRONIS_MAX_EMAIL_CHANGES: "4" },
    });
    expect(Object.fromEntries(settings)).toEqual({
      us5: {
        baseUrl: "https://us5-cloud.acronis.com/api/2",
        clientId: "us5-client",
        clientSecret: SECRET,
        readAhead: false,
        maxEmailChanges: 4,
      },
    });
  });
});
