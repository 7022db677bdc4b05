import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { INSTANCE_NAME_KEY, type Settings, settingKey } from "./settings";

/**
 * Explicit provider instances: one per datacenter or API client, so one stack manages accounts
 * under several. Pulumi starts a provider process per instance and configures it with the
 * instance's own inputs (never the stack config); the inputs use the stack config's keys
 * (`acronis:baseUrl`, ...), so the provider reads them the same way, and `acronis:providerName`
 * tells it that it serves an instance (settings.ts `instanceName`).
 *
 * Runs in the Pulumi program. Nothing here is serialized into state: the instance is a plain
 * resource whose inputs Pulumi stores, the client secret among them only as a secret.
 */

/** What `new AcronisProvider(name, args)` takes. Each value may be a plain value or an Output. */
export interface AcronisProviderArgs {
  /** The datacenter's API, e.g. https://eu2-cloud.acronis.com/api/2. */
  baseUrl: pulumi.Input<string>;
  /** The API client's id. */
  clientId: pulumi.Input<string>;
  /** The API client's secret: always stored as a secret, whatever the caller passed. */
  clientSecret: pulumi.Input<string>;
  /** Requests in flight at once, 1-64 (default 8). */
  maxConcurrentRequests?: pulumi.Input<number>;
  /** Coalesce account reads into GET /users?uuids= (default true). */
  batchReads?: pulumi.Input<boolean>;
  /** Read a tenant's users in bulk when a run keeps reading accounts of it. Default true. */
  readAhead?: pulumi.Input<boolean>;
  /** The account takeover guard: allowed email domains (`example.com`, `.example.com`). */
  allowedEmailDomains?: pulumi.Input<string | pulumi.Input<string>[]>;
  /** Seconds to wait for a response's headers, then its body (default 30). */
  requestTimeoutSeconds?: pulumi.Input<number>;
  /** Attempts per request for 429, 502, 503, 504 and connection errors, 1-10 (default 4). */
  retryMaxAttempts?: pulumi.Input<number>;
  /** First backoff step in ms (default 500). */
  retryBaseDelayMs?: pulumi.Input<number>;
  /** Most accounts one run of this instance may change (default: no limit; 0: none). */
  maxEmailChanges?: pulumi.Input<number>;
}

/** AcronisProviderArgs with every value resolved (an unset one is undefined). */
export interface AcronisProviderSettings {
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

/** Pulumi's package for dynamic providers: a `pulumi:providers:pulumi-nodejs` resource. */
export const PROVIDER_PACKAGE = "pulumi-nodejs";

/** The inputs an AcronisProvider always registers as secrets. */
export const SECRET_PROVIDER_INPUTS: readonly string[] = [settingKey("clientSecret")];

const REQUIRED = ["baseUrl", "clientId", "clientSecret"] as const;

/** Describes a wrong value by its type only: a value may be the secret. */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Each argument's resolved type; ranges and URL rules are the provider's (settings.ts). */
const FIELDS = {
  baseUrl: { schema: z.string(), what: "a string" },
  clientId: { schema: z.string(), what: "a string" },
  clientSecret: { schema: z.string(), what: "a string" },
  maxConcurrentRequests: { schema: z.number(), what: "a number" },
  batchReads: { schema: z.boolean(), what: "a boolean" },
  readAhead: { schema: z.boolean(), what: "a boolean" },
  allowedEmailDomains: {
    schema: z.union([z.string(), z.array(z.string())]),
    what: "a string or a list of strings",
  },
  requestTimeoutSeconds: { schema: z.number(), what: "a number" },
  retryMaxAttempts: { schema: z.number(), what: "a number" },
  retryBaseDelayMs: { schema: z.number(), what: "a number" },
  maxEmailChanges: { schema: z.number(), what: "a number" },
} satisfies Record<keyof Settings, { schema: z.ZodType; what: string }>;

type ArgKey = keyof typeof FIELDS;
const ARG_KEYS = Object.keys(FIELDS) as ArgKey[];

function isDeferred(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/**
 * An argument's value: of its type, or (`deferred`) an Output or Promise checked once resolved.
 * Absent is fine unless `required`.
 */
function argument(key: ArgKey, options: { deferred: boolean; required: boolean }) {
  // zod skips the refinement of an optional key that is absent, and runs it for a required one.
  const base = options.required ? z.unknown() : z.unknown().optional();
  return base.superRefine((value, ctx) => {
    if (value === undefined || value === null) {
      if (options.required) ctx.addIssue({ code: "custom", message: "is required" });
      return;
    }
    if (options.deferred && isDeferred(value)) return;
    // A list may hold Outputs too (allowedEmailDomains): their elements are checked once resolved.
    const known =
      options.deferred && Array.isArray(value)
        ? value.map((item) => (isDeferred(item) ? "" : item))
        : value;
    if (FIELDS[key].schema.safeParse(known).success) return;
    const output = options.deferred ? " (or an Output of one)" : "";
    ctx.addIssue({
      code: "custom",
      message: `expected ${FIELDS[key].what}${output}, got ${kindOf(value)}`,
    });
  });
}

const objectOf = (options: { deferred: boolean; requireCredentials: boolean }) =>
  z.strictObject(
    Object.fromEntries(
      ARG_KEYS.map((key) => [
        key,
        argument(key, {
          deferred: options.deferred,
          required: options.requireCredentials && (REQUIRED as readonly string[]).includes(key),
        }),
      ]),
    ),
    {
      error: (issue) =>
        issue.code === "invalid_type" ? "expected an object of arguments" : undefined,
    },
  );

/** The arguments as given to the constructor. */
const givenSchema = objectOf({ deferred: true, requireCredentials: true });
/** The resolved values: each absent, or of its type. */
const resolvedSchema = objectOf({ deferred: false, requireCredentials: false });

/** A wrong AcronisProvider argument; names the instance and the argument, never a value. */
export class AcronisProviderError extends Error {
  override name = "AcronisProviderError";
}

function fail(name: string, issues: readonly z.core.$ZodIssue[]): never {
  const problems = issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys
        .map((key) => `${key}: unknown argument (expected ${ARG_KEYS.join(", ")})`)
        .join("; ");
    }
    if (issue.code !== "custom") return issue.message;
    // "clientSecret is required", "batchReads: expected a boolean, got a string"
    const key = String(issue.path[0]);
    return issue.message.startsWith("is ") ? `${key} ${issue.message}` : `${key}: ${issue.message}`;
  });
  throw new AcronisProviderError(`AcronisProvider "${name}": ${problems.join("; ")}`);
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name === "") {
    throw new AcronisProviderError("AcronisProvider: the name must be a non-empty string");
  }
}

/** One resolved argument as the provider reads it: the text stack config would hold. */
function encode(value: string | number | boolean | string[]): string {
  // A list naming nothing stays set ("[]"), so the provider refuses it instead of reading "" as
  // "no allowlist" (an empty allowlist must fail closed).
  return Array.isArray(value) ? value.join(",") || "[]" : String(value);
}

/**
 * The inputs an AcronisProvider registers for resolved arguments: `acronis:providerName` and
 * each set argument under its stack config key, as text. Unset arguments are left out (the
 * provider then names them). Pure; the class uses it for every argument.
 */
export function acronisProviderInputs(
  name: string,
  settings: AcronisProviderSettings,
): Record<string, string> {
  checkName(name);
  const parsed = resolvedSchema.safeParse(settings);
  if (!parsed.success) fail(name, parsed.error.issues);
  const inputs: Record<string, string> = { [INSTANCE_NAME_KEY]: name };
  for (const key of ARG_KEYS) {
    const value = settings[key];
    if (value !== undefined && value !== null) inputs[settingKey(key)] = encode(value);
  }
  return inputs;
}

/**
 * An Acronis provider of its own: a datacenter (`baseUrl`) and an API client. Pass it to
 * resources as `{ provider }`:
 *
 *   const us5 = new AcronisProvider("us5", {
 *     baseUrl: "https://us5-cloud.acronis.com/api/2",
 *     clientId: config.require("us5ClientId"),
 *     clientSecret: config.requireSecret("us5ClientSecret"),
 *   });
 *   new UserEmail("grace", { userId, email }, { provider: us5 });
 *
 * It reads nothing from the stack config or ACRONIS_* variables: those configure the default
 * provider only. A missing credential is an error naming the instance and the argument.
 */
export class AcronisProvider extends pulumi.ProviderResource {
  constructor(name: string, args: AcronisProviderArgs, opts?: pulumi.ResourceOptions) {
    super(PROVIDER_PACKAGE, name, registeredInputs(name, args), opts);
  }
}

function registeredInputs(name: string, args: AcronisProviderArgs): pulumi.Inputs {
  checkName(name);
  const given = givenSchema.safeParse(args);
  if (!given.success) fail(name, given.error.issues);
  const inputs: pulumi.Inputs = { [INSTANCE_NAME_KEY]: name };
  for (const key of ARG_KEYS) {
    const value = args[key];
    if (value === undefined || value === null) continue;
    const input = settingKey(key);
    // Once resolved, each value is checked and encoded by acronisProviderInputs, the one
    // definition of what an instance registers.
    const encoded = (pulumi.output(value) as pulumi.Output<unknown>).apply(
      (resolved) =>
        acronisProviderInputs(name, { [key]: resolved } as AcronisProviderSettings)[input],
    );
    inputs[input] = SECRET_PROVIDER_INPUTS.includes(input) ? pulumi.secret(encoded) : encoded;
  }
  return inputs;
}
