/**
 * The accounts file: a YAML list of desired emails, each naming its account by `id` or by
 * `login` + `tenant`. Parsing is pure and reports every problem at once with file:line:col, so a
 * bad file is rejected before anything is sent to the platform. Login entries are then resolved
 * to ids through an injected search function. Declaring the resources is accounts-stack.ts.
 *
 *   accounts:
 *     - id: 20000000-0000-4000-8000-000000000002
 *       email: alice@example.com
 *     - login: bob
 *       tenant: 10000000-0000-4000-8000-000000000002
 *       email: bob@example.com
 *       resendAfter: 48h
 *
 * An entry may name a `connection`: a datacenter and API client of the file's `connections:` map
 * (their secrets stay in stack config or the environment). Without one, the stack's own settings
 * apply.
 *
 *   connections:
 *     us5:
 *       baseUrl: https://us5-cloud.acronis.com/api/2
 *       clientId: 6e1a2f0c-de70-4c1e-b000-000000000002
 *       clientSecretEnv: ACRONIS_US5_CLIENT_SECRET   # optional
 *   accounts:
 *     - id: 50000000-0000-4000-8000-000000000001
 *       email: grace@example.com
 *       connection: us5
 *
 * This module is what other code imports; each job is a file of its own:
 * - accounts-yaml.ts: reading the file (YAML, top-level keys, the split into stacks)
 * - account-entry.ts: one entry, its schema and the duplicates among entries
 * - accounts-connections.ts: the `connections:` map
 * - accounts-file-problems.ts: how problems are worded and listed
 * - yaml-locator.ts: where in the file a node is
 * - login-resolution.ts: login entries to account ids
 * - resource-name.ts: an account's resource name
 */

export type { AccountEntry, AccountRef } from "./account-entry";
export type { Connection } from "./accounts-connections";
export { AccountsFileError, accountsFileError, type Problem } from "./accounts-file-problems";
export { parseAccountsYaml } from "./accounts-yaml";
export {
  type FindUsers,
  type ResolvedAccount,
  resolveAccounts,
  SEARCH_LIMIT,
} from "./login-resolution";
export { resourceName } from "./resource-name";
export type { Location } from "./yaml-locator";
