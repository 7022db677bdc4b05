import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AcronisClient } from "../api";
import {
  AcronisProvider,
  type AcronisProviderSettings,
  acronisProviderInputs,
} from "../resource/acronis-provider";
import { UserEmail } from "../resource/user-email";
import {
  FILE_SETTING_NAMES,
  type RequiredSettingName,
  valueIfSet,
} from "../settings/setting-catalogue";
import {
  type ConfigLookup,
  clientOptions,
  loadSettings,
  type Settings,
  SettingsError,
  stackOptionalSettings,
} from "../settings/settings";
import {
  type AccountEntry,
  AccountsFileError,
  accountsFileError,
  type Connection,
  type FindUsers,
  type Problem,
  parseAccountsYaml,
  type ResolvedAccount,
  resolveAccounts,
  resourceName,
  SEARCH_LIMIT,
} from "./accounts";
import { selectStack } from "./stacks";

/**
 * The accounts file as a stack: one UserEmail per entry, named after the account id so the
 * order of the file never matters to the stack, and one AcronisProvider per connection the
 * entries use. Runs in the Pulumi program (not the provider).
 */

export interface DeclareOptions {
  /** Prefix of every resource name (default "user-"); set it when a program reads two files. */
  namePrefix?: string;
  resourceOptions?: pulumi.CustomResourceOptions;
  /** The provider of each connection the accounts name, by connection name (`declareConnections`). */
  providers?: Readonly<Record<string, pulumi.ProviderResource>>;
}

export interface DeclaredUserEmail {
  name: string;
  userId: string;
  /** The entry's id or login, as written in the file. */
  label: string;
  /** The entry's connection, if it names one. */
  connection?: string;
  resource: UserEmail;
}

export function declareUserEmails(
  accounts: readonly ResolvedAccount[],
  options: DeclareOptions = {},
): DeclaredUserEmail[] {
  return accounts.map((account) => {
    const name = resourceName(account.userId, options.namePrefix);
    const connection = account.entry.connection?.name;
    let resourceOptions = options.resourceOptions;
    if (connection !== undefined) {
      const provider = options.providers?.[connection];
      if (!provider) {
        throw new Error(
          `entry ${account.entry.label}: connection ${connection} has no provider: pass declareConnections(...) as the providers option`,
        );
      }
      resourceOptions = { ...resourceOptions, provider };
    }
    const resource = new UserEmail(
      name,
      {
        userId: account.userId,
        email: account.email,
        ...(account.resendAfter !== undefined ? { resendAfter: account.resendAfter } : {}),
      },
      resourceOptions,
    );
    return {
      name,
      userId: account.userId,
      label: account.entry.label,
      ...(connection !== undefined ? { connection } : {}),
      resource,
    };
  });
}

/**
 * Stack config as the program sees it, for `loadSettings`. `Config.get` returns a secret's
 * plaintext (Pulumi decrypts config before the program runs); it is only handed to our API
 * client, never to a resource or an output, so it cannot reach state.
 */
export function pulumiConfigLookup(): ConfigLookup {
  return (key) => {
    const colon = key.indexOf(":");
    if (colon < 0) return new pulumi.Config().get(key);
    return new pulumi.Config(key.slice(0, colon)).get(key.slice(colon + 1));
  };
}

/** The stack config key of the connections' secrets: `acronis:connections.<name>.clientSecret`. */
export const CONNECTIONS_CONFIG_KEY = "acronis:connections";

const connectionsConfigSchema = z.record(
  z.string(),
  z.looseObject({ clientSecret: z.string().optional() }),
);

/** `acronis:connections` as `pulumi config set --path` writes it; never echoes a value. */
function connectionSecrets(config: ConfigLookup): Record<string, { clientSecret?: string }> {
  const raw = valueIfSet(config(CONNECTIONS_CONFIG_KEY));
  if (raw === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  const parsed = connectionsConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new SettingsError(
    `${CONNECTIONS_CONFIG_KEY}: expected a mapping of connection names to { clientSecret }; ` +
      `set each with \`pulumi config set --secret --path '${CONNECTIONS_CONFIG_KEY}.<name>.clientSecret' <secret>\``,
  );
}

/** A connection's AcronisProvider arguments, credentials included. */
export type ConnectionSettings = AcronisProviderSettings &
  Required<Pick<AcronisProviderSettings, RequiredSettingName>>;

export interface ConnectionOptions {
  /** Default: the stack config (`acronis:*`). */
  config?: ConfigLookup;
  /** Default: process.env (the variables the file names with clientSecretEnv, ACRONIS_*). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The settings of each connection the entries use, as `AcronisProvider` arguments: the file's
 * baseUrl and clientId; the secret from `acronis:connections.<name>.clientSecret`, else the
 * variable the file names with clientSecretEnv; and the stack's other settings (stack config,
 * then ACRONIS_* variables), so `allowedEmailDomains` and the limits hold for every connection.
 * A connection without a secret is a problem at its place in the file; all are reported at once.
 */
export function connectionSettings(
  entries: readonly AccountEntry[],
  options: ConnectionOptions = {},
): Map<string, ConnectionSettings> {
  const used = new Map<string, Connection>();
  for (const entry of entries) {
    if (entry.connection) used.set(entry.connection.name, entry.connection);
  }
  const settings = new Map<string, ConnectionSettings>();
  if (used.size === 0) return settings;
  const config = options.config ?? pulumiConfigLookup();
  const env = options.env ?? process.env;
  const secrets = connectionSecrets(config);
  const inherited = stackOptionalSettings(config, env);
  const problems: Problem[] = [];
  for (const connection of used.values()) {
    const { name, clientSecretEnv } = connection;
    const clientSecret =
      valueIfSet(secrets[name]?.clientSecret) ??
      (clientSecretEnv === undefined ? undefined : valueIfSet(env[clientSecretEnv]));
    if (clientSecret === undefined) {
      const command = `\`pulumi config set --secret --path '${CONNECTIONS_CONFIG_KEY}.${name}.clientSecret' <secret>\``;
      problems.push({
        where: connection.location,
        text:
          `connection ${name}: clientSecret is not set: set it with ${command}` +
          (clientSecretEnv === undefined
            ? ", or name an environment variable that holds it with clientSecretEnv"
            : ` or the environment variable ${clientSecretEnv}`),
      });
      continue;
    }
    const given = Object.fromEntries(FILE_SETTING_NAMES.map((key) => [key, connection[key]]));
    settings.set(name, { ...inherited, ...given, clientSecret } as ConnectionSettings);
  }
  const file = entries[0]?.location.file ?? "accounts";
  if (problems.length > 0) throw accountsFileError(file, problems);
  return settings;
}

/** The name of a connection's provider resource (and how its errors name it). */
export function connectionProviderName(connection: string, namePrefix = ""): string {
  return `${namePrefix}acronis-${connection}`;
}

/** One AcronisProvider per connection, by connection name: pass it to `declareUserEmails`. */
export function declareConnections(
  settings: ReadonlyMap<string, ConnectionSettings>,
  options: Pick<DeclareOptions, "namePrefix" | "resourceOptions"> = {},
): Record<string, AcronisProvider> {
  const parent = options.resourceOptions?.parent;
  return Object.fromEntries(
    [...settings].map(([connection, args]) => [
      connection,
      new AcronisProvider(
        connectionProviderName(connection, options.namePrefix),
        args,
        parent ? { parent } : {},
      ),
    ]),
  );
}

export interface FromFileOptions extends Omit<DeclareOptions, "providers">, ConnectionOptions {
  /** Search function for login entries; default: an API client per connection (or the stack's). */
  findUsers?: FindUsers;
  /** In a file split into stacks (`stack:` entries), whose entries to declare; default: this stack. */
  stack?: string;
}

/**
 * Reads an accounts file and declares one UserEmail per entry, and one AcronisProvider per
 * connection the entries use. A file with only id entries makes no API call; login entries are
 * resolved with one search each, through their connection's client (or the stack's), closed after.
 */
export async function userEmailsFromFile(
  file: string,
  options: FromFileOptions = {},
): Promise<DeclaredUserEmail[]> {
  const selection = selectStack(
    parseAccountsYaml(readFileSync(file, "utf8"), file),
    options.stack ?? pulumi.getStack(),
  );
  if (!selection.ok) throw new AccountsFileError(file, [selection.reason]);
  const { entries } = selection;
  const config = options.config ?? pulumiConfigLookup();
  const env = options.env ?? process.env;
  const connections = connectionSettings(entries, { config, env });
  const clients = new Map<string, AcronisClient>();
  try {
    let findUsers = options.findUsers;
    if (!findUsers) {
      // One client per connection that has login entries ("" is the stack's own), built before
      // any search, so bad settings fail here rather than once per login.
      for (const entry of entries) {
        if (entry.account.by !== "login") continue;
        const key = entry.connection?.name ?? "";
        if (clients.has(key)) continue;
        const settings = entry.connection
          ? instanceSettings(
              connectionProviderName(key, options.namePrefix),
              connections.get(key) as ConnectionSettings,
            )
          : loadSettings(config, env);
        clients.set(key, new AcronisClient({ ...clientOptions(settings), batchReads: false }));
      }
      findUsers = (tenant, text, connection) =>
        (clients.get(connection?.name ?? "") as AcronisClient).findUsers(
          tenant,
          text,
          SEARCH_LIMIT,
        );
    }
    const accounts = await resolveAccounts(entries, findUsers);
    const providers = declareConnections(connections, options);
    return declareUserEmails(accounts, { ...options, providers });
  } finally {
    await Promise.all([...clients.values()].map((client) => client.close()));
  }
}

/** The settings the provider will read from this instance's inputs, validated the same way. */
function instanceSettings(name: string, args: AcronisProviderSettings): Settings {
  const inputs = acronisProviderInputs(name, args);
  return loadSettings((key) => inputs[key], {});
}
