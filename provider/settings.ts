import { z } from "zod";
import type { AcronisClientOptions } from "./api";
import { validateBaseUrl } from "./api/url";
import type { CheckPolicy } from "./inputs";

/**
 * Provider settings, read at run time from the stack config Pulumi hands to `configure`, with
 * environment variables as fallback. Never captured into the serialized provider, never printed:
 * errors name the setting, not its value.
 */

export interface Settings {
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
  /** Accounts one provider process may change; null: no limit. */
  maxEmailChanges: number | null;
}

/** What `check` needs: it runs before any step, and needs credentials only with a change limit. */
export interface CheckSettings extends CheckPolicy {
  maxEmailChanges: number | null;
}

/** Looks up a namespaced stack config key such as "acronis:baseUrl". */
export type ConfigLookup = (key: string) => string | undefined;

interface Source {
  key: keyof Settings;
  config: string;
  env: string;
  secret?: boolean;
}

const SOURCES: readonly Source[] = [
  { key: "baseUrl", config: "acronis:baseUrl", env: "ACRONIS_BASE_URL" },
  { key: "clientId", config: "acronis:clientId", env: "ACRONIS_CLIENT_ID" },
  {
    key: "clientSecret",
    config: "acronis:clientSecret",
    env: "ACRONIS_CLIENT_SECRET",
    secret: true,
  },
  {
    key: "maxConcurrentRequests",
    config: "acronis:maxConcurrentRequests",
    env: "ACRONIS_MAX_CONCURRENT_REQUESTS",
  },
  { key: "batchReads", config: "acronis:batchReads", env: "ACRONIS_BATCH_READS" },
  { key: "readAhead", config: "acronis:readAhead", env: "ACRONIS_READ_AHEAD" },
  {
    key: "allowedEmailDomains",
    config: "acronis:allowedEmailDomains",
    env: "ACRONIS_ALLOWED_EMAIL_DOMAINS",
  },
  {
    key: "requestTimeoutSeconds",
    config: "acronis:requestTimeoutSeconds",
    env: "ACRONIS_REQUEST_TIMEOUT_SECONDS",
  },
  {
    key: "retryMaxAttempts",
    config: "acronis:retryMaxAttempts",
    env: "ACRONIS_RETRY_MAX_ATTEMPTS",
  },
  {
    key: "retryBaseDelayMs",
    config: "acronis:retryBaseDelayMs",
    env: "ACRONIS_RETRY_BASE_DELAY_MS",
  },
  {
    key: "maxEmailChanges",
    config: "acronis:maxEmailChanges",
    env: "ACRONIS_MAX_EMAIL_CHANGES",
  },
];

function sourceOf(key: keyof Settings): Source {
  const source = SOURCES.find((s) => s.key === key);
  if (!source) throw new Error(`no source for setting ${key}`);
  return source;
}

function howToSet(source: Source): string {
  const configCmd = source.secret
    ? `pulumi config set --secret ${source.config} <value>`
    : `pulumi config set ${source.config} <value>`;
  return `\`${configCmd}\` or the environment variable ${source.env}`;
}

/** How to set a setting, for messages: its `pulumi config set` command and its env variable. */
export function howToSetSetting(key: keyof Settings): string {
  return howToSet(sourceOf(key));
}

const DOMAIN_ENTRY = /^\.?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

const onOff = z
  .enum(["true", "false"], { error: 'must be "true" or "false"' })
  .default("true")
  .transform((v) => v === "true");

const wholeNumber = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`)
    .default(fallback);

/** Far above any stack; keeps the value a plain, safe integer. */
export const MAX_EMAIL_CHANGES_CEILING = 1_000_000;
const changeLimitMessage = `must be a whole number from 0 to ${MAX_EMAIL_CHANGES_CEILING} (leave it unset for no limit)`;

const settingsSchema = z.object({
  baseUrl: z
    .string()
    .min(1)
    .transform((raw, ctx) => {
      try {
        return validateBaseUrl(raw).toString().replace(/\/$/, "");
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  maxConcurrentRequests: wholeNumber(1, 64, 8),
  requestTimeoutSeconds: wholeNumber(1, 600, 30),
  retryMaxAttempts: wholeNumber(1, 10, 4),
  retryBaseDelayMs: wholeNumber(0, 60_000, 500),
  // Digits only: Number() would read "", " ", "1e3" and "0x10" as numbers.
  maxEmailChanges: z
    .string()
    .regex(/^\s*\d{1,7}\s*$/, changeLimitMessage)
    .transform(Number)
    .pipe(z.number().max(MAX_EMAIL_CHANGES_CEILING, changeLimitMessage))
    .nullable()
    .default(null),
  batchReads: onOff,
  readAhead: onOff,
  allowedEmailDomains: z
    .string()
    .default("")
    .transform((v, ctx) => {
      const domains = parseDomainList(v);
      // Fail closed: a set allowlist naming nothing ("," "[]" '[""]') must not mean "any domain".
      if (domains.length === 0 && v !== "") {
        ctx.addIssue({ code: "custom", message: NO_DOMAIN_MESSAGE });
        return z.NEVER;
      }
      return domains;
    })
    .pipe(
      z.array(
        z.string().regex(DOMAIN_ENTRY, {
          error: (issue) =>
            `entry "${String(issue.input)}" is not a domain ("example.com", or ".example.com" for its subdomains)`,
        }),
      ),
    ),
});

/** The message of an allowlist that is set but names no domain; callers add how to set it. */
export const NO_DOMAIN_MESSAGE =
  'is set but names no domain; an allowlist must name at least one ("example.com", or ".example.com" for its subdomains), or be left unset for no allowlist';

/** The problem line for a stack setting, with how to set it where the value names nothing. */
function stackProblem(source: Source, message: string): string {
  const line = `${source.config} (or ${source.env}): ${message}`;
  return message === NO_DOMAIN_MESSAGE
    ? `${line}: set it with ${howToSet(source)}, or remove both for no allowlist`
    : line;
}

/** Accepts a comma/space separated list or a JSON array (what `pulumi config set --path` writes). */
function parseDomainList(raw: string): string[] {
  const text = raw.trim();
  if (text === "") return [];
  let items: unknown = text.split(/[\s,]+/);
  if (text.startsWith("[")) {
    try {
      items = JSON.parse(text);
    } catch {
      // fall through to the plain split: its entries will fail validation with a clear message
    }
  }
  return (Array.isArray(items) ? items : [])
    .map((s) => String(s).trim().toLowerCase())
    .filter((s) => s !== "");
}

export class SettingsError extends Error {
  override name = "SettingsError";
}

/** A setting's raw value: stack config first, then the environment; "" counts as not set. */
function rawValue(
  source: Source,
  config: ConfigLookup,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const value = config(source.config) ?? env[source.env];
  return value === "" ? undefined : value;
}

/**
 * Resolves every setting; missing credentials and bad values are reported together. For an
 * explicit provider instance (see `instanceName`) every setting comes from its inputs alone.
 */
export function loadSettings(config: ConfigLookup, env: NodeJS.ProcessEnv): Settings {
  const instance = instanceName(config);
  if (instance !== undefined) return loadInstanceSettings(instance, config);
  const raw: Record<string, string | undefined> = {};
  for (const source of SOURCES) {
    raw[source.key] = rawValue(source, config, env);
  }
  const parsed = settingsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;

  const problems = parsed.error.issues.map((issue) => {
    const source = SOURCES.find((s) => s.key === issue.path[0]);
    if (!source) return issue.message;
    if (raw[source.key] === undefined)
      return `${source.config} is not set: set it with ${howToSet(source)}`;
    // Never echo a value: the secret is among them.
    return stackProblem(source, issue.message);
  });
  throw new SettingsError(
    `Acronis provider settings are incomplete or invalid:\n- ${problems.join("\n- ")}`,
  );
}

/**
 * Settings that `check` needs, each problem named with its setting. They require no credentials:
 * check calls the platform only when acronis:maxEmailChanges is set.
 */
export function loadCheckPolicy(config: ConfigLookup, env: NodeJS.ProcessEnv): CheckSettings {
  // An instance's inputs are all known at preview: a half-configured one fails there.
  if (instanceName(config) !== undefined) {
    const { allowedEmailDomains, maxEmailChanges } = loadSettings(config, env);
    return { allowedEmailDomains, maxEmailChanges };
  }
  const { shape } = settingsSchema;
  const domains = parseOne("allowedEmailDomains", shape.allowedEmailDomains, config, env);
  const limit = parseOne("maxEmailChanges", shape.maxEmailChanges, config, env);
  if (domains.ok && limit.ok) {
    return { allowedEmailDomains: domains.value, maxEmailChanges: limit.value };
  }
  const problems = [domains, limit].flatMap((r) => (r.ok ? [] : [r.problem]));
  throw new SettingsError(problems.join("; "));
}

function parseOne<T>(
  key: keyof Settings,
  schema: z.ZodType<T>,
  config: ConfigLookup,
  env: NodeJS.ProcessEnv,
): { ok: true; value: T } | { ok: false; problem: string } {
  const source = sourceOf(key);
  const parsed = schema.safeParse(rawValue(source, config, env));
  if (parsed.success) return { ok: true, value: parsed.data };
  // Never echo the value.
  const reasons = parsed.error.issues.map((i) => i.message).join("; ");
  return { ok: false, problem: stackProblem(source, reasons) };
}

// ---- explicit provider instances (AcronisProvider) ----

/**
 * The input every `AcronisProvider` registers, its name as value. Pulumi hands an explicit
 * provider's `configure` the instance's own inputs instead of the stack config; this key is how
 * the provider tells the two apart.
 */
export const INSTANCE_NAME_KEY = "acronis:providerName";

/** The instance's name when `config` holds an explicit provider instance's inputs. */
export function instanceName(config: ConfigLookup): string | undefined {
  const name = config(INSTANCE_NAME_KEY);
  return typeof name === "string" && name !== "" ? name : undefined;
}

/** The key under which a setting is stack config, and an AcronisProvider's input. */
export function settingKey(key: keyof Settings): string {
  return (SOURCES.find((s) => s.key === key) as Source).config;
}

/** The settings an explicit instance may leave out: everything but the credentials. */
export type OptionalSettingKey = Exclude<keyof Settings, "baseUrl" | "clientId" | "clientSecret">;

/**
 * An instance's settings: from its inputs alone, never the stack config or ACRONIS_* variables,
 * so a half-configured instance is an error, not another datacenter's client. Messages name the
 * instance and its argument, never a value.
 */
function loadInstanceSettings(instance: string, config: ConfigLookup): Settings {
  const raw: Record<string, string | undefined> = {};
  for (const source of SOURCES) raw[source.key] = rawValue(source, config, {});
  const parsed = settingsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? "");
    if (raw[key] === undefined) return `${key} is not set`;
    return issue.message === NO_DOMAIN_MESSAGE
      ? `${key}: ${issue.message} (give the argument at least one domain, or leave it out)`
      : `${key}: ${issue.message}`;
  });
  const unset = problems.some((p) => p.endsWith(" is not set"));
  throw new SettingsError(
    `AcronisProvider "${instance}": ${problems.join("; ")}` +
      (unset
        ? " (an AcronisProvider takes its settings from its own arguments only, never from stack config or ACRONIS_* variables)"
        : ""),
  );
}

/** The optional settings a stack sets, as an AcronisProvider takes them (no null: unset is absent). */
export type StackOptionalSettings = Partial<{
  [K in OptionalSettingKey]: NonNullable<Settings[K]>;
}>;

/**
 * The non-credential settings the stack sets (stack config, then ACRONIS_* variables), parsed:
 * what the accounts file's connections inherit. Keys the stack leaves unset are absent.
 */
export function stackOptionalSettings(
  config: ConfigLookup,
  env: NodeJS.ProcessEnv,
): StackOptionalSettings {
  const raw: Record<string, string> = {};
  const shape: Record<string, z.ZodType> = {};
  for (const source of SOURCES) {
    const value = rawValue(source, config, env);
    if (value === undefined || CREDENTIALS.includes(source.key)) continue;
    raw[source.key] = value;
    shape[source.key] = settingsSchema.shape[source.key];
  }
  const parsed = z.object(shape).safeParse(raw);
  // Only keys the stack sets are parsed, so no value here is a schema's null default.
  if (parsed.success) return parsed.data as StackOptionalSettings;
  const problems = parsed.error.issues.map((issue) => {
    const source = SOURCES.find((s) => s.key === issue.path[0]) as Source;
    return stackProblem(source, issue.message);
  });
  throw new SettingsError(`Acronis provider settings are invalid:\n- ${problems.join("\n- ")}`);
}

const CREDENTIALS: readonly (keyof Settings)[] = ["baseUrl", "clientId", "clientSecret"];

/**
 * How long a read's answer serves later reads in one provider process. A deployment's Diffs and
 * steps for one account follow each other within seconds; a minute keeps `up --refresh` and an
 * update's step from reading again, and no process decides on older data because it stayed open.
 */
export const READ_CACHE_TTL_MS = 60_000;

/** The API client's options for these settings: built once per host process, in configure. */
export function clientOptions(settings: Settings): AcronisClientOptions {
  const timeoutMs = settings.requestTimeoutSeconds * 1000;
  return {
    baseUrl: settings.baseUrl,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    maxConcurrentRequests: settings.maxConcurrentRequests,
    batchReads: settings.batchReads,
    // batchReads=false means one request per read: no tenant listings either.
    readAhead: settings.batchReads && settings.readAhead,
    readCacheTtlMs: READ_CACHE_TTL_MS,
    timeouts: { connectMs: Math.min(timeoutMs, 10_000), headersMs: timeoutMs, bodyMs: timeoutMs },
    retry: { maxAttempts: settings.retryMaxAttempts, baseDelayMs: settings.retryBaseDelayMs },
  };
}
