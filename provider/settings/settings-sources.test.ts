import { describe, expect, it } from "vitest";
import { parseAccountsYaml } from "../accounts-file/accounts";
import { connectionSettings } from "../accounts-file/accounts-stack";
import { acronisProviderInputs } from "../resource/acronis-provider";
import { configKey, entryOf, SETTING_NAMES, type SettingName } from "./setting-catalogue";
import {
  INSTANCE_NAME_KEY,
  loadCheckPolicy,
  loadSettings,
  SettingsError,
  stackOptionalSettings,
} from "./settings";

/**
 * The one rule for every setting from every source (README "Configure credentials"): a value
 * that is empty or only whitespace is not set, so the next source is read (stack config, then the
 * environment, then the default); an AcronisProvider instance reads only its own inputs; an
 * accounts file's connection reads its file, and its secret from stack config, then the variable
 * it names. Every case is written as which source holds a value, never computed by the rule.
 */

/** Two texts of each setting, and what each parses to; the unset default ("not set": an error). */
interface Sample {
  a: [text: string, value: unknown];
  b: [text: string, value: unknown];
  fallback: unknown;
}

const NOT_SET = Symbol("not set");

const SAMPLES: Record<SettingName, Sample> = {
  baseUrl: {
    a: ["http://127.0.0.1:8080/api/2", "http://127.0.0.1:8080/api/2"],
    b: ["https://eu2-cloud.acronis.com/api/2/", "https://eu2-cloud.acronis.com/api/2"],
    fallback: NOT_SET,
  },
  clientId: { a: ["id-a", "id-a"], b: ["id-b", "id-b"], fallback: NOT_SET },
  clientSecret: { a: ["secret-a", "secret-a"], b: ["secret-b", "secret-b"], fallback: NOT_SET },
  maxConcurrentRequests: { a: ["3", 3], b: ["5", 5], fallback: 8 },
  batchReads: { a: ["false", false], b: ["true", true], fallback: true },
  readAhead: { a: ["false", false], b: ["true", true], fallback: true },
  allowedEmailDomains: {
    a: ["corp.example", ["corp.example"]],
    b: [".other.example", [".other.example"]],
    fallback: [],
  },
  requestTimeoutSeconds: { a: ["7", 7], b: ["9", 9], fallback: 30 },
  retryMaxAttempts: { a: ["2", 2], b: ["3", 3], fallback: 4 },
  retryBaseDelayMs: { a: ["0", 0], b: ["250", 250], fallback: 500 },
  maxEmailChanges: { a: ["0", 0], b: ["5", 5], fallback: null },
};

/** What a source holds: nothing, a blank text, or the sample's value. */
type Held = "unset" | '""' | '" "' | "value";
const BLANK: Record<Held, string | undefined> = {
  unset: undefined,
  '""': "",
  '" "': " ",
  value: undefined,
};
const CONFIG_CASES: Held[] = ["unset", '""', '" "', "value"];
const ENV_CASES: Held[] = ["unset", '""', "value"];

/** Both orientations (config a, env b; config b, env a): a value equal to the default shows in one. */
const ORIENTATIONS = [
  ["a", "b"],
  ["b", "a"],
] as const;

const CREDENTIALS: Record<string, string> = {
  "acronis:baseUrl": "http://127.0.0.1:8080/api/2",
  "acronis:clientId": "c0000000-0000-4000-8000-000000000001",
  "acronis:clientSecret": "not-a-real-secret",
};

const lookup =
  (config: Record<string, string | undefined>) =>
  (key: string): string | undefined =>
    config[key];

function textOf(held: Held, text: string): string | undefined {
  return held === "value" ? text : BLANK[held];
}

/** The parsed value of a setting, or NOT_SET for the "is not set" error naming it. */
function settingOf(name: SettingName, read: () => Record<string, unknown>): unknown {
  try {
    return read()[name];
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    const message = (error as Error).message;
    // The error names the setting that is not set, and only that one.
    expect(message).toMatch(new RegExp(`${name} is not set`));
    expect(message.match(/ is not set/g)).toHaveLength(1);
    return NOT_SET;
  }
}

const stackCases = SETTING_NAMES.flatMap((name) =>
  ORIENTATIONS.flatMap(([c, e]) =>
    CONFIG_CASES.flatMap((config) =>
      ENV_CASES.map((env) => ({ name, c, e, config, env }) as const),
    ),
  ),
);

describe("the default provider: stack config, then the environment, then the default", () => {
  it("has a sample of every setting of the catalogue", () => {
    expect(Object.keys(SAMPLES)).toEqual(SETTING_NAMES);
  });

  it.each(stackCases)(
    "$name: config $config ($c), env $env ($e)",
    ({ name, c, e, config, env }) => {
      const sample = SAMPLES[name];
      const expected =
        config === "value" ? sample[c][1] : env === "value" ? sample[e][1] : sample.fallback;
      const stack: Record<string, string | undefined> = { ...CREDENTIALS };
      stack[configKey(name)] = textOf(config, sample[c][0]);
      const variables = { [entryOf(name).env]: textOf(env, sample[e][0]) };

      expect(settingOf(name, () => loadSettings(lookup(stack), variables))).toEqual(expected);
      if (name === "allowedEmailDomains" || name === "maxEmailChanges") {
        // check reads these two alone, before anything is sent.
        expect(loadCheckPolicy(lookup(stack), variables)[name]).toEqual(expected);
      }
      if (entryOf(name).required !== true) {
        // What an accounts file's connections inherit from the stack: an unset setting is absent.
        const inherited: Record<string, unknown> = stackOptionalSettings(lookup(stack), variables);
        const held = config === "value" || env === "value";
        expect(inherited[name]).toEqual(held ? expected : undefined);
      }
    },
  );
});

describe("an AcronisProvider instance: its own inputs only, never stack config or ACRONIS_*", () => {
  const instanceCases = SETTING_NAMES.flatMap((name) =>
    CONFIG_CASES.flatMap((input) => ENV_CASES.map((env) => ({ name, input, env }) as const)),
  );

  it.each(instanceCases)("$name: input $input, env $env", ({ name, input, env }) => {
    const sample = SAMPLES[name];
    const expected = input === "value" ? sample.a[1] : sample.fallback;
    const inputs: Record<string, string | undefined> = {
      ...CREDENTIALS,
      [INSTANCE_NAME_KEY]: "dc",
    };
    inputs[configKey(name)] = textOf(input, sample.a[0]);
    // The environment holds the other sample: an instance that read it would show b.
    const variables = {
      [entryOf(name).env]: textOf(env, sample.b[0]),
      ...Object.fromEntries(
        Object.entries(CREDENTIALS).map(([key, value]) => [
          entryOf(key.slice("acronis:".length) as SettingName).env,
          value,
        ]),
      ),
    };
    expect(settingOf(name, () => loadSettings(lookup(inputs), variables))).toEqual(expected);
    if (name === "allowedEmailDomains" || name === "maxEmailChanges") {
      const check = () => loadCheckPolicy(lookup(inputs), variables);
      if (expected === NOT_SET) expect(check).toThrow(SettingsError);
      else expect(check()[name]).toEqual(expected);
    }
  });

  const STRING_ARGUMENTS = ["baseUrl", "clientId", "clientSecret", "allowedEmailDomains"] as const;
  it.each(STRING_ARGUMENTS.flatMap((name) => ["", " ", "\t \n"].map((blank) => ({ name, blank }))))(
    "$name given as $blank: registered, and read by the instance as not set",
    ({ name, blank }) => {
      const args = {
        baseUrl: CREDENTIALS["acronis:baseUrl"],
        clientId: CREDENTIALS["acronis:clientId"],
        clientSecret: CREDENTIALS["acronis:clientSecret"],
        [name]: blank,
      };
      const inputs = acronisProviderInputs("dc", args);
      const env = { [entryOf(name).env]: SAMPLES[name].b[0] };
      expect(settingOf(name, () => loadSettings(lookup(inputs), env))).toEqual(
        SAMPLES[name].fallback,
      );
    },
  );

  it.each([
    ["an empty list", []],
    ["a list of one empty entry", [""]],
    ["a list of blanks", [" ", "\t"]],
    ["a list of one blank entry", [" "]],
  ])("allowedEmailDomains given %s is refused, never read as not set", (_name, list) => {
    const inputs = acronisProviderInputs("dc", {
      baseUrl: CREDENTIALS["acronis:baseUrl"],
      clientId: CREDENTIALS["acronis:clientId"],
      clientSecret: CREDENTIALS["acronis:clientSecret"],
      allowedEmailDomains: list,
    });
    expect(() => loadCheckPolicy(lookup(inputs), {})).toThrow(
      /^AcronisProvider "dc": allowedEmailDomains: is set but names no domain/,
    );
  });

  it.each(["", " ", "\t"])("a name %j is refused: it would read as the default provider", (n) => {
    expect(() => acronisProviderInputs(n, {})).toThrow(
      "AcronisProvider: the name must be a non-empty string",
    );
  });
});

describe("an accounts file's connection", () => {
  const GRACE = "50000000-0000-4000-8000-000000000001";

  function fileWith(lines: string[]): string {
    return [
      "connections:",
      "  dc:",
      ...lines,
      "accounts:",
      `  - id: ${GRACE}`,
      "    email: grace@example.com",
      "    connection: dc",
    ].join("\n");
  }

  const fileValues = (["unset", '""', '" "', "value"] as const).flatMap((held) =>
    (["baseUrl", "clientId"] as const).map((name) => ({ name, held })),
  );

  it.each(fileValues)("$name in the file: $held", ({ name, held }) => {
    const given = {
      baseUrl: "https://eu2-cloud.acronis.com/api/2",
      clientId: "dc-client",
    };
    const lines = Object.entries(given).flatMap(([key, value]) => {
      if (key !== name) return [`    ${key}: ${value}`];
      if (held === "unset") return [];
      return [`    ${key}: ${held === "value" ? value : JSON.stringify(BLANK[held])}`];
    });
    const parse = () => parseAccountsYaml(fileWith(lines), "accounts.yaml");
    if (held === "value") {
      expect(parse()[0]?.connection?.[name]).toBe(given[name]);
      return;
    }
    // The file is a connection's only source for these: blank is an error, as a missing key is.
    expect(parse).toThrow(
      held === "unset"
        ? `connection dc: ${name}: is required`
        : `connection dc: ${name}: is empty, which counts as not set`,
    );
  });

  const secretCases = CONFIG_CASES.flatMap((config) =>
    ENV_CASES.map((env) => ({ config, env }) as const),
  );

  it.each(secretCases)("its secret: config $config, clientSecretEnv $env", ({ config, env }) => {
    const entries = parseAccountsYaml(
      fileWith([
        "    baseUrl: https://eu2-cloud.acronis.com/api/2",
        "    clientId: dc-client",
        "    clientSecretEnv: DC_SECRET",
      ]),
      "accounts.yaml",
    );
    const secret = textOf(config, "from-config");
    const stack = {
      "acronis:connections": JSON.stringify({
        dc: secret === undefined ? {} : { clientSecret: secret },
      }),
    };
    const read = () =>
      connectionSettings(entries, {
        config: lookup(stack),
        env: { DC_SECRET: textOf(env, "from-env") },
      }).get("dc")?.clientSecret;
    if (config === "value") expect(read()).toBe("from-config");
    else if (env === "value") expect(read()).toBe("from-env");
    else expect(read).toThrow("connection dc: clientSecret is not set");
  });

  it.each([
    ["allowedEmailDomains", "ACRONIS_ALLOWED_EMAIL_DOMAINS", "corp.example", ["corp.example"]],
    ["maxEmailChanges", "ACRONIS_MAX_EMAIL_CHANGES", "0", 0],
  ] as const)(
    "inherits %s from the environment when stack config holds it empty",
    (name, variable, text, value) => {
      const entries = parseAccountsYaml(
        fileWith(["    baseUrl: https://eu2-cloud.acronis.com/api/2", "    clientId: dc-client"]),
        "accounts.yaml",
      );
      for (const blank of ["", " "]) {
        const settings = connectionSettings(entries, {
          config: lookup({
            "acronis:connections": JSON.stringify({ dc: { clientSecret: "s" } }),
            [configKey(name)]: blank,
          }),
          env: { [variable]: text },
        });
        expect(settings.get("dc")?.[name]).toEqual(value);
      }
    },
  );
});
