import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { type Audience, describeValue } from "../decision/describe-value";
import {
  configKey,
  entryOf,
  type OptionalArguments,
  type RequiredArguments,
  type ResolvedArguments,
  SETTING_NAMES,
  type SettingName,
  valueIfSet,
} from "../settings/setting-catalogue";
import { INSTANCE_NAME_KEY } from "../settings/settings";

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

/**
 * What `new AcronisProvider(name, args)` takes: every setting of the catalogue
 * (setting-catalogue.ts) by name, the credentials required. Each value may be a plain value or an
 * Output; `clientSecret` is always stored as a secret, whatever the caller passed.
 */
export interface AcronisProviderArgs extends RequiredArguments, OptionalArguments {}

/** AcronisProviderArgs with every value resolved (an unset one is undefined). */
export interface AcronisProviderSettings extends ResolvedArguments {}

/** Pulumi's package for dynamic providers: a `pulumi:providers:pulumi-nodejs` resource. */
export const PROVIDER_PACKAGE = "pulumi-nodejs";

/** The inputs an AcronisProvider always registers as secrets. */
export const SECRET_PROVIDER_INPUTS: readonly string[] = SETTING_NAMES.filter(
  (name) => entryOf(name).secret,
).map(configKey);

/** Describes a wrong value by its type only: a value may be the secret. */
const PROGRAM: Audience = { object: "an object", scalars: false, strings: false };

function isDeferred(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/**
 * An argument's value: of its type, or (`deferred`) an Output or Promise checked once resolved.
 * Absent is fine unless `required`.
 */
function argument(key: SettingName, options: { deferred: boolean; required: boolean }) {
  const { kind } = entryOf(key);
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
    if (kind.argument.safeParse(known).success) return;
    const output = options.deferred ? " (or an Output of one)" : "";
    ctx.addIssue({
      code: "custom",
      message: `expected ${kind.argumentWhat}${output}, got ${describeValue(value, PROGRAM)}`,
    });
  });
}

const objectOf = (options: { deferred: boolean; requireCredentials: boolean }) =>
  z.strictObject(
    Object.fromEntries(
      SETTING_NAMES.map((key) => [
        key,
        argument(key, {
          deferred: options.deferred,
          required: options.requireCredentials && entryOf(key).required === true,
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
        .map((key) => `${key}: unknown argument (expected ${SETTING_NAMES.join(", ")})`)
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
  // A blank name would read as no instance (settings.ts instanceName), so as the default provider.
  if (typeof name !== "string" || valueIfSet(name) === undefined) {
    throw new AcronisProviderError("AcronisProvider: the name must be a non-empty string");
  }
}

/** One resolved argument as the provider reads it: the text stack config would hold. */
function encode(value: string | number | boolean | string[]): string {
  // A list naming nothing ([], [""], [" "]) stays set ("[]"), so the provider refuses it instead
  // of reading a blank text as not set, "no allowlist" (an empty allowlist must fail closed). A
  // blank string is registered as given: the provider reads it as not set (valueIfSet).
  return Array.isArray(value) ? (valueIfSet(value.join(",")) ?? "[]") : String(value);
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
  for (const key of SETTING_NAMES) {
    const value = settings[key];
    if (value !== undefined && value !== null) inputs[configKey(key)] = encode(value);
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
  for (const key of SETTING_NAMES) {
    const value = args[key];
    if (value === undefined || value === null) continue;
    const input = configKey(key);
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
