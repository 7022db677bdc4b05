import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { loadCheckPolicy, loadSettings, SettingsError } from "../settings/settings";
import {
  AcronisProvider,
  type AcronisProviderArgs,
  AcronisProviderError,
  type AcronisProviderSettings,
  acronisProviderInputs,
  SECRET_PROVIDER_INPUTS,
} from "./acronis-provider";

const SECRET = "s3cr3t-Unit-ProviderSecret-42";
const BASE_URL = "https://us5-cloud.acronis.com/api/2";
const CLIENT_ID = "6e1a2f0c-de70-4c1e-b000-000000000002";
/** Pulumi's marker of a secret value on the wire. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

interface Registration {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const registered: Registration[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    "project",
    "stack",
    false,
  );
});

/** What the program registers for `new AcronisProvider(name, args)`, secrets still wrapped. */
async function register(
  name: string,
  args: ConstructorParameters<typeof AcronisProvider>[1],
): Promise<Registration> {
  const provider = new AcronisProvider(name, args);
  await new Promise((resolve) => provider.urn.apply(resolve));
  const found = registered.find((r) => r.name === name);
  if (!found) throw new Error(`${name} was not registered`);
  return found;
}

/** Wire inputs as plain values, and which of them were secret. */
function unwrap(inputs: Record<string, unknown>) {
  const plain: Record<string, unknown> = {};
  const secret: string[] = [];
  for (const [key, value] of Object.entries(inputs)) {
    const envelope = value as { [sig: string]: unknown; value?: unknown } | null;
    if (envelope && typeof envelope === "object" && Object.values(envelope).includes(SECRET_SIG)) {
      secret.push(key);
      plain[key] = envelope.value;
    } else plain[key] = value;
  }
  return { plain, secret };
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("acronisProviderInputs", () => {
  it("names the instance and puts every set argument under its stack config key, as text", () => {
    expect(
      acronisProviderInputs("us5", {
        baseUrl: BASE_URL,
        clientId: CLIENT_ID,
        clientSecret: SECRET,
        maxConcurrentRequests: 4,
        batchReads: false,
        allowedEmailDomains: ["example.com", ".example.com"],
      }),
    ).toEqual({
      "acronis:providerName": "us5",
      "acronis:baseUrl": BASE_URL,
      "acronis:clientId": CLIENT_ID,
      "acronis:clientSecret": SECRET,
      "acronis:maxConcurrentRequests": "4",
      "acronis:batchReads": "false",
      "acronis:allowedEmailDomains": "example.com,.example.com",
    });
    expect(SECRET_PROVIDER_INPUTS).toEqual(["acronis:clientSecret"]);
  });

  it.each([
    ["[]", []],
    ['[""]', [""]],
  ])("keeps a list naming no domain (%s) set, so the provider refuses it", (_name, list) => {
    const inputs = acronisProviderInputs("us5", { allowedEmailDomains: list });
    expect(inputs["acronis:allowedEmailDomains"]).toBe("[]");
  });

  it("leaves unset arguments out, for the provider to name", () => {
    expect(acronisProviderInputs("us5", { baseUrl: BASE_URL })).toEqual({
      "acronis:providerName": "us5",
      "acronis:baseUrl": BASE_URL,
    });
  });

  it("rejects wrong types and unknown arguments, naming the instance, never a value", () => {
    const error = errorOf(() =>
      acronisProviderInputs("us5", {
        clientSecret: 42 as unknown as string,
        batchReads: "yes" as unknown as boolean,
        clientSecert: SECRET,
      } as never),
    );
    expect(error).toBeInstanceOf(AcronisProviderError);
    expect(error.message).toMatch(/^AcronisProvider "us5": /);
    expect(error.message).toContain("clientSecret: expected a string, got a number");
    expect(error.message).toContain("batchReads: expected a boolean, got a string");
    expect(error.message).toContain("clientSecert: unknown argument (expected baseUrl, clientId");
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain("yes");
  });
});

describe("AcronisProvider", () => {
  it("registers a pulumi-nodejs provider with exactly the inputs of acronisProviderInputs, the secret as a secret", async () => {
    const args = {
      baseUrl: BASE_URL,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      retryMaxAttempts: 2,
    };
    const registration = await register("plain-secret", args);
    expect(registration.type).toBe("pulumi:providers:pulumi-nodejs");
    const { plain, secret } = unwrap(registration.inputs);
    expect(plain).toEqual(acronisProviderInputs("plain-secret", args));
    // Passed as a plain string, stored as a secret all the same; nothing else is secret.
    expect(secret).toEqual(["acronis:clientSecret"]);
  });

  it("resolves Outputs and Promises, and keeps a caller's secret secret", async () => {
    const registration = await register("outputs", {
      baseUrl: pulumi.output(BASE_URL),
      clientId: Promise.resolve(CLIENT_ID),
      clientSecret: pulumi.secret(SECRET),
      allowedEmailDomains: [pulumi.output("example.com"), ".example.com"],
    });
    const { plain, secret } = unwrap(registration.inputs);
    expect(plain).toEqual(
      acronisProviderInputs("outputs", {
        baseUrl: BASE_URL,
        clientId: CLIENT_ID,
        clientSecret: SECRET,
        allowedEmailDomains: "example.com,.example.com",
      }),
    );
    expect(secret).toEqual(["acronis:clientSecret"]);
  });

  it("an Output that resolves to nothing leaves the argument unset, for the provider to name", async () => {
    const registration = await register("half", {
      baseUrl: BASE_URL,
      clientId: CLIENT_ID,
      clientSecret: pulumi.output(undefined as unknown as string),
    });
    const { plain } = unwrap(registration.inputs);
    expect(plain["acronis:clientSecret"] ?? undefined).toBeUndefined();
    // What the provider makes of it, with an ACRONIS_* secret in its environment.
    const config = (key: string) => plain[key] as string | undefined;
    expect(() => loadSettings(config, { ACRONIS_CLIENT_SECRET: SECRET })).toThrow(
      /^AcronisProvider "half": clientSecret is not set/,
    );
  });

  it("refuses a missing credential, an unknown argument or a wrong type at once, naming the instance", () => {
    const error = errorOf(
      () =>
        new AcronisProvider("eu2", {
          baseUrl: BASE_URL,
          clientId: 7,
          clientSecert: SECRET,
        } as never),
    );
    expect(error).toBeInstanceOf(AcronisProviderError);
    expect(error.message).toBe(
      'AcronisProvider "eu2": clientId: expected a string (or an Output of one), got a number; ' +
        "clientSecret is required; clientSecert: unknown argument (expected baseUrl, clientId, " +
        "clientSecret, maxConcurrentRequests, batchReads, readAhead, allowedEmailDomains, " +
        "requestTimeoutSeconds, retryMaxAttempts, retryBaseDelayMs, maxEmailChanges)",
    );
  });
});

describe("an instance's settings (what configure receives)", () => {
  const lookup = (inputs: Record<string, string>) => (key: string) => inputs[key];
  const env = {
    ACRONIS_BASE_URL: "https://eu2-cloud.acronis.com/api/2",
    ACRONIS_CLIENT_ID: "env-client",
    ACRONIS_CLIENT_SECRET: "env-secret-never-used",
    ACRONIS_MAX_CONCURRENT_REQUESTS: "3",
  };

  it("are read from the instance's inputs, typed as the default provider's", () => {
    const inputs = acronisProviderInputs("us5", {
      baseUrl: BASE_URL,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      batchReads: false,
      allowedEmailDomains: ["Example.com"],
    });
    expect(loadSettings(lookup(inputs), env)).toMatchObject({
      baseUrl: BASE_URL,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      batchReads: false,
      allowedEmailDomains: ["example.com"],
      // Not from ACRONIS_MAX_CONCURRENT_REQUESTS: an instance reads no variable.
      maxConcurrentRequests: 8,
    });
  });

  it("never fall back to ACRONIS_* variables: a missing credential names the instance and the argument", () => {
    const inputs = acronisProviderInputs("us5", { baseUrl: BASE_URL, clientId: CLIENT_ID });
    const error = errorOf(() => loadSettings(lookup(inputs), env));
    expect(error).toBeInstanceOf(SettingsError);
    expect(error.message).toMatch(/^AcronisProvider "us5": clientSecret is not set \(/);
    expect(error.message).not.toContain(env.ACRONIS_CLIENT_SECRET);
    // check fails too, so a half-configured instance fails its preview.
    expect(() => loadCheckPolicy(lookup(inputs), env)).toThrow(
      /AcronisProvider "us5": clientSecret is not set/,
    );
  });

  it("report every bad value at once, by argument", () => {
    const inputs = acronisProviderInputs("eu2", {
      baseUrl: "http://eu2-cloud.acronis.com/api/2",
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      maxConcurrentRequests: 500,
    });
    const error = errorOf(() => loadCheckPolicy(lookup(inputs), {}));
    expect(error.message).toMatch(
      /^AcronisProvider "eu2": baseUrl: Invalid Acronis base URL .*https is required/,
    );
    expect(error.message).toContain("maxConcurrentRequests: must be a whole number from 1 to 64");
    expect(error.message).not.toContain(SECRET);
  });

  it("leave the default provider as it was: stack config, then ACRONIS_* variables", () => {
    const settings = loadSettings(lookup({ "acronis:clientId": "from-config" }), env);
    expect(settings).toMatchObject({
      baseUrl: env.ACRONIS_BASE_URL,
      clientId: "from-config",
      clientSecret: env.ACRONIS_CLIENT_SECRET,
      maxConcurrentRequests: 3,
    });
  });
});

describe("AcronisProviderArgs, derived from the settings catalogue", () => {
  /** The arguments as they were written out by hand before the catalogue: the public type. */
  interface PinnedArgs {
    baseUrl: pulumi.Input<string>;
    clientId: pulumi.Input<string>;
    clientSecret: pulumi.Input<string>;
    maxConcurrentRequests?: pulumi.Input<number>;
    batchReads?: pulumi.Input<boolean>;
    readAhead?: pulumi.Input<boolean>;
    allowedEmailDomains?: pulumi.Input<string | pulumi.Input<string>[]>;
    requestTimeoutSeconds?: pulumi.Input<number>;
    retryMaxAttempts?: pulumi.Input<number>;
    retryBaseDelayMs?: pulumi.Input<number>;
    maxEmailChanges?: pulumi.Input<number>;
  }
  interface PinnedSettings {
    baseUrl?: string;
    clientId?: string;
    clientSecret?: string;
    maxConcurrentRequests?: number;
    batchReads?: boolean;
    readAhead?: boolean;
    allowedEmailDomains?: string | string[];
    requestTimeoutSeconds?: number;
    retryMaxAttempts?: number;
    retryBaseDelayMs?: number;
    maxEmailChanges?: number;
  }

  it("keeps every argument's name, type and optionality (checked by tsc)", () => {
    expectTypeOf<AcronisProviderArgs>().toEqualTypeOf<PinnedArgs>();
    expectTypeOf<AcronisProviderSettings>().toEqualTypeOf<PinnedSettings>();
  });
});
