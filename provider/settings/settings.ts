/**
 * Settings: every setting the provider has, once (setting-catalogue.ts: its config key,
 * environment variable, kind, default and description; setting-kinds.ts: what each kind parses
 * and says), and the one loader that turns a stack config, environment variables and an
 * AcronisProvider's inputs into validated settings (this file), plus the API client's options
 * they make (client-options.ts). Errors name the setting and how to set it, never its value.
 *
 * May import: decision, api.
 */
import { z } from "zod";
import type { CheckPolicy } from "../decision/inputs";
import {
  configKey,
  entryOf,
  type OptionalSettingName,
  REQUIRED_SETTING_NAMES,
  SETTING_NAMES,
  type SettingName,
  type SettingValues,
  valueIfSet,
} from "./setting-catalogue";
import { NO_DOMAIN_MESSAGE } from "./setting-kinds";

export { clientOptions, READ_CACHE_TTL_MS } from "./client-options";
export { MAX_EMAIL_CHANGES_CEILING, NO_DOMAIN_MESSAGE } from "./setting-kinds";

/**
 * Provider settings, read at run time from the stack config Pulumi hands to `configure`, with
 * environment variables as fallback. Never captured into the serialized provider, never printed:
 * errors name the setting, not its value. What the settings are is setting-catalogue.ts.
 */

/** Every setting, parsed; `maxEmailChanges` null: no limit. */
export interface Settings extends SettingValues {}

/** What `check` needs: it runs before any step, and needs credentials only with a change limit. */
export interface CheckSettings extends CheckPolicy {
  maxEmailChanges: number | null;
}

/** Looks up a namespaced stack config key such as "acronis:baseUrl". */
export type ConfigLookup = (key: string) => string | undefined;

/** The key under which a setting is stack config, and an AcronisProvider's input. */
export const settingKey: (key: keyof Settings) => string = configKey;

/** How to set a setting, for messages: its `pulumi config set` command and its env variable. */
export function howToSetSetting(key: keyof Settings): string {
  const { env, secret } = entryOf(key);
  const command = `pulumi config set${secret ? " --secret" : ""} ${configKey(key)} <value>`;
  return `\`${command}\` or the environment variable ${env}`;
}

/**
 * Every setting's parser. Several problems are listed credentials first, then numbers, the
 * limit, switches and the allowlist (each kind's problemRank): the order these messages have
 * always had.
 */
const SETTINGS_SCHEMA = z.object(
  Object.fromEntries(
    [...SETTING_NAMES]
      .sort((a, b) => entryOf(a).kind.problemRank - entryOf(b).kind.problemRank)
      .map((name) => [name, entryOf(name).kind.fromText]),
  ),
);

/** The problem line for a stack setting, with how to set it where the value names nothing. */
function stackProblem(name: SettingName, message: string): string {
  const line = `${configKey(name)} (or ${entryOf(name).env}): ${message}`;
  return message === NO_DOMAIN_MESSAGE
    ? `${line}: set it with ${howToSetSetting(name)}, or remove both for no allowlist`
    : line;
}

export class SettingsError extends Error {
  override name = "SettingsError";
}

/**
 * A setting's raw value: stack config first, then the environment. A blank value in either is not
 * set (setting-catalogue.ts `valueIfSet`): an empty stack value never hides the environment's.
 */
function rawValue(
  name: SettingName,
  config: ConfigLookup,
  env: NodeJS.ProcessEnv,
): string | undefined {
  return valueIfSet(config(configKey(name))) ?? valueIfSet(env[entryOf(name).env]);
}

function rawValues(config: ConfigLookup, env: NodeJS.ProcessEnv) {
  return Object.fromEntries(SETTING_NAMES.map((name) => [name, rawValue(name, config, env)]));
}

/** The setting a zod issue of a settings object is about. */
function settingOf(issue: z.core.$ZodIssue): SettingName {
  return issue.path[0] as SettingName;
}

/**
 * Resolves every setting; missing credentials and bad values are reported together. For an
 * explicit provider instance (see `instanceName`) every setting comes from its inputs alone.
 */
export function loadSettings(config: ConfigLookup, env: NodeJS.ProcessEnv): Settings {
  const instance = instanceName(config);
  if (instance !== undefined) return loadInstanceSettings(instance, config);
  const raw = rawValues(config, env);
  const parsed = SETTINGS_SCHEMA.safeParse(raw);
  if (parsed.success) return parsed.data as Settings;

  const problems = parsed.error.issues.map((issue) => {
    const name = settingOf(issue);
    if (raw[name] === undefined)
      return `${configKey(name)} is not set: set it with ${howToSetSetting(name)}`;
    // Never echo a value: the secret is among them.
    return stackProblem(name, issue.message);
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
  const domains = parseOne("allowedEmailDomains", config, env);
  const limit = parseOne("maxEmailChanges", config, env);
  if (domains.ok && limit.ok) {
    return { allowedEmailDomains: domains.value, maxEmailChanges: limit.value };
  }
  const problems = [domains, limit].flatMap((r) => (r.ok ? [] : [r.problem]));
  throw new SettingsError(problems.join("; "));
}

function parseOne<K extends SettingName>(
  name: K,
  config: ConfigLookup,
  env: NodeJS.ProcessEnv,
): { ok: true; value: Settings[K] } | { ok: false; problem: string } {
  const parsed = entryOf(name).kind.fromText.safeParse(rawValue(name, config, env));
  if (parsed.success) return { ok: true, value: parsed.data as Settings[K] };
  // Never echo the value.
  const reasons = parsed.error.issues.map((i) => i.message).join("; ");
  return { ok: false, problem: stackProblem(name, reasons) };
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
  return typeof name === "string" ? valueIfSet(name) : undefined;
}

/** The settings an explicit instance may leave out: everything but the credentials. */
export type OptionalSettingKey = OptionalSettingName;

/**
 * An instance's settings: from its inputs alone, never the stack config or ACRONIS_* variables,
 * so a half-configured instance is an error, not another datacenter's client. Messages name the
 * instance and its argument, never a value.
 */
function loadInstanceSettings(instance: string, config: ConfigLookup): Settings {
  const raw = rawValues(config, {});
  const parsed = SETTINGS_SCHEMA.safeParse(raw);
  if (parsed.success) return parsed.data as Settings;
  const problems = parsed.error.issues.map((issue) => {
    const name = settingOf(issue);
    if (raw[name] === undefined) return `${name} is not set`;
    return issue.message === NO_DOMAIN_MESSAGE
      ? `${name}: ${issue.message} (give the argument at least one domain, or leave it out)`
      : `${name}: ${issue.message}`;
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
  for (const name of SETTING_NAMES) {
    const value = rawValue(name, config, env);
    if (value === undefined || (REQUIRED_SETTING_NAMES as SettingName[]).includes(name)) continue;
    raw[name] = value;
    shape[name] = entryOf(name).kind.fromText;
  }
  const parsed = z.object(shape).safeParse(raw);
  // Only keys the stack sets are parsed, so no value here is a schema's null default.
  if (parsed.success) return parsed.data as StackOptionalSettings;
  const problems = parsed.error.issues.map((issue) =>
    stackProblem(settingOf(issue), issue.message),
  );
  throw new SettingsError(`Acronis provider settings are invalid:\n- ${problems.join("\n- ")}`);
}
