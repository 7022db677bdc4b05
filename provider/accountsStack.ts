import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import {
  type FindUsers,
  parseAccountsYaml,
  type ResolvedAccount,
  resolveAccounts,
  resourceName,
  SEARCH_LIMIT,
} from "./accounts";
import { AcronisClient } from "./api";
import { type ConfigLookup, clientOptions, loadSettings } from "./settings";
import { UserEmail } from "./userEmail";

/**
 * The accounts file as a stack: one UserEmail per entry, named after the account id so the
 * order of the file never matters to the stack. Runs in the Pulumi program (not the provider).
 */

export interface DeclareOptions {
  /** Prefix of every resource name (default "user-"); set it when a program reads two files. */
  namePrefix?: string;
  resourceOptions?: pulumi.CustomResourceOptions;
}

export interface DeclaredUserEmail {
  name: string;
  userId: string;
  /** The entry's id or login, as written in the file. */
  label: string;
  resource: UserEmail;
}

export function declareUserEmails(
  accounts: readonly ResolvedAccount[],
  options: DeclareOptions = {},
): DeclaredUserEmail[] {
  return accounts.map((account) => {
    const name = resourceName(account.userId, options.namePrefix);
    const resource = new UserEmail(
      name,
      {
        userId: account.userId,
        email: account.email,
        ...(account.resendAfter !== undefined ? { resendAfter: account.resendAfter } : {}),
      },
      options.resourceOptions,
    );
    return { name, userId: account.userId, label: account.entry.label, resource };
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

export interface FromFileOptions extends DeclareOptions {
  /** Search function for login entries; default: an API client built from config and env. */
  findUsers?: FindUsers;
  /** Default: the stack config (`acronis:*`). */
  config?: ConfigLookup;
  /** Default: process.env (ACRONIS_BASE_URL, ACRONIS_CLIENT_ID, ACRONIS_CLIENT_SECRET, ...). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Reads an accounts file and declares one UserEmail per entry. A file with only id entries makes
 * no API call; login entries are resolved with one search each, through a client closed after.
 */
export async function userEmailsFromFile(
  file: string,
  options: FromFileOptions = {},
): Promise<DeclaredUserEmail[]> {
  const entries = parseAccountsYaml(readFileSync(file, "utf8"), file);
  let findUsers = options.findUsers;
  let client: AcronisClient | undefined;
  if (!findUsers && entries.some((e) => e.account.by === "login")) {
    const settings = loadSettings(
      options.config ?? pulumiConfigLookup(),
      options.env ?? process.env,
    );
    const api = new AcronisClient({ ...clientOptions(settings), batchReads: false });
    client = api;
    findUsers = (tenant, text) => api.findUsers(tenant, text, SEARCH_LIMIT);
  }
  try {
    return declareUserEmails(await resolveAccounts(entries, findUsers), options);
  } finally {
    await client?.close();
  }
}
