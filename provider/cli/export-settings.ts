import { entryOf, SETTING_NAMES, type SettingName } from "../settings/setting-catalogue";
import { loadSettings, type Settings } from "../settings/settings";
import type { ExportArgs } from "./args";

/**
 * The export command's settings: the provider's own, read from the command's flags and the
 * ACRONIS_* variables. The command reads no stack config, so its messages name the flag or the
 * variable a value came from (`--base-url`, `ACRONIS_RETRY_MAX_ATTEMPTS`), never `acronis:*`.
 */

/** A failure of the command line or environment the user can act on, printed as it is. */
export class ExportSettingsError extends Error {}

/** The settings the command also takes as flags, by the flag's name. */
const FLAGS: Partial<Record<SettingName, keyof ExportArgs & ("baseUrl" | "clientId")>> = {
  baseUrl: "baseUrl",
  clientId: "clientId",
};
const FLAG_NAMES: Record<"baseUrl" | "clientId", string> = {
  baseUrl: "--base-url",
  clientId: "--client-id",
};

/** Where a setting's value came from, and the value ("" counts as not set, as in the provider). */
function source(name: SettingName, args: ExportArgs, env: NodeJS.ProcessEnv) {
  const flag = FLAGS[name];
  const given = flag === undefined ? undefined : args[flag];
  if (flag !== undefined && given !== undefined && given.trim() !== "") {
    return { label: FLAG_NAMES[flag], value: given };
  }
  const variable = entryOf(name).env;
  const value = env[variable];
  return { label: variable, value: value === "" ? undefined : value };
}

/** What to say for a required setting the command lacks. */
const MISSING: Partial<Record<SettingName, string>> = {
  baseUrl:
    "the API URL is not set: pass --base-url or set ACRONIS_BASE_URL (e.g. https://eu2-cloud.acronis.com/api/2)",
  clientId: "the API client id is not set: pass --client-id or set ACRONIS_CLIENT_ID",
  clientSecret:
    "ACRONIS_CLIENT_SECRET is not set: export the API client's secret in the environment (it is never a command-line option)",
};

/**
 * Every problem at once, each naming the flag or variable; then the provider's own parse, which
 * cannot fail once each value parsed alone. Never echoes a value of a secret.
 */
export function exportSettings(args: ExportArgs, env: NodeJS.ProcessEnv): Settings {
  const problems: string[] = [];
  for (const name of SETTING_NAMES) {
    const { label, value } = source(name, args, env);
    const { kind, required } = entryOf(name);
    if (value === undefined) {
      if (required) problems.push(MISSING[name] ?? `${entryOf(name).env} is not set`);
      continue;
    }
    const parsed = kind.fromText.safeParse(value);
    if (!parsed.success) {
      problems.push(`${label}: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    }
  }
  if (problems.length > 0) throw new ExportSettingsError(problems.join("; "));
  const flags: Record<string, string | undefined> = {
    "acronis:baseUrl": source("baseUrl", args, env).value,
    "acronis:clientId": source("clientId", args, env).value,
  };
  return loadSettings((key) => flags[key], env);
}
