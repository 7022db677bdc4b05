import { z } from "zod";
import {
  entryOf,
  FILE_SETTING_NAMES,
  type FileSettingName,
  type SettingValues,
  valueIfSet,
} from "../settings/setting-catalogue";
import { expected, inFile, type Problem, reporter } from "./accounts-file-problems";
import type { Location, Locator } from "./yaml-locator";

/**
 * The accounts file's `connections:` map: named datacenters and API clients. The settings a
 * connection gives are those of the catalogue marked `inAccountsFile`, checked as the provider
 * checks them; the secret never is one (it stays in stack config or the environment).
 *
 *   connections:
 *     us5:
 *       baseUrl: https://us5-cloud.acronis.com/api/2
 *       clientId: 6e1a2f0c-de70-4c1e-b000-000000000002
 *       clientSecretEnv: ACRONIS_US5_CLIENT_SECRET   # optional
 */

/** A named datacenter and API client of the file's `connections:` map. */
export interface Connection extends Pick<SettingValues, FileSettingName> {
  name: string;
  /** The environment variable holding the client secret, when the file names one. */
  clientSecretEnv?: string;
  location: Location;
}

/** Usable in resource names and in `pulumi config set --path 'acronis:connections.<name>...'`. */
const CONNECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

function fromFile(name: FileSettingName) {
  const { kind, inAccountsFile } = entryOf(name);
  if (!kind.fromFile || inAccountsFile === undefined) {
    throw new Error(`setting ${name}: its kind cannot be read from an accounts file`);
  }
  // A blank value is not set (valueIfSet), an error as a missing key is: the file is the only
  // source of a connection's baseUrl and clientId.
  return z
    .unknown()
    .refine((value) => typeof value !== "string" || valueIfSet(value) !== undefined, {
      error: `is empty, which counts as not set: expected ${inAccountsFile}`,
      abort: true,
    })
    .pipe(kind.fromFile(expected(inAccountsFile)));
}

const connectionSchema = z.strictObject({
  ...Object.fromEntries(FILE_SETTING_NAMES.map((name) => [name, fromFile(name)])),
  clientSecretEnv: z
    .string({ error: expected("the name of an environment variable, a string") })
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
      error: (issue) =>
        `expected the name of an environment variable, got ${inFile(issue.input, true)}`,
    })
    .optional(),
});
const CONNECTION_KEYS = Object.keys(connectionSchema.shape);

/**
 * The file's `connections:` map. Problems are added to `problems`, each at its node. Every name
 * the file defines is returned: with its connection, or null when that has problems.
 */
export function parseConnections(
  raw: unknown,
  locate: Locator,
  problems: Problem[],
): Map<string, Connection | null> {
  const connections = new Map<string, Connection | null>();
  if (raw === undefined) return connections;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    problems.push({
      where: locate.node(["connections"]),
      text: `connections: expected a mapping of connection names to baseUrl and clientId, got ${inFile(raw)}`,
    });
    return connections;
  }
  for (const [name, value] of Object.entries(raw)) {
    const path = ["connections", name];
    const report = reporter(problems, locate, path, `connection ${name}`);
    if (!CONNECTION_NAME.test(name)) {
      problems.push({
        where: locate.key(["connections"], name),
        text: `connection ${name}: the name must be letters, digits, "-" or "_" (at most 63), starting with a letter or digit`,
      });
      connections.set(name, null);
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      problems.push({
        where: locate.node(path),
        text: `connection ${name}: expected a mapping with baseUrl and clientId, got ${inFile(value)}`,
      });
      connections.set(name, null);
      continue;
    }
    const parsed = connectionSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        if (issue.code !== "unrecognized_keys") {
          report(String(issue.path[0] ?? "connection"), issue.message);
          continue;
        }
        for (const key of issue.keys) {
          // A secret in the file would end up in version control: say where it belongs instead.
          const what =
            key === "clientSecret"
              ? `not allowed in the file: set it with \`pulumi config set --secret --path 'acronis:connections.${name}.clientSecret' <secret>\`, or name an environment variable with clientSecretEnv`
              : `unknown key (expected ${CONNECTION_KEYS.join(", ")})`;
          report(key, what, locate.key(path, key));
        }
      }
      connections.set(name, null);
      continue;
    }
    const { clientSecretEnv, ...settings } = parsed.data;
    connections.set(name, {
      name,
      ...(settings as Pick<SettingValues, FileSettingName>),
      ...(clientSecretEnv !== undefined ? { clientSecretEnv } : {}),
      location: locate.node(path),
    });
  }
  return connections;
}
