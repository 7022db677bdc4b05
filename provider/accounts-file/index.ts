/**
 * The accounts file: a YAML list of accounts and their emails, for teams that keep accounts in
 * a file rather than in code.
 * - accounts.ts parses it (accounts-yaml.ts, account-entry.ts, accounts-connections.ts,
 *   yaml-locator.ts), reporting every problem at file:line:col (accounts-file-problems.ts) before
 *   anything reaches the platform; login-resolution.ts turns `login` + `tenant` into account ids.
 * - stacks.ts splits one file across stacks; resource-name.ts names each account's resource.
 * - accounts-stack.ts declares the entries as UserEmail resources (`userEmailsFromFile`), with
 *   one AcronisProvider per connection the file names.
 * Everything but accounts-stack.ts is free of Pulumi, so the command line loads it without the SDK.
 *
 * May import: decision, settings, resource, api.
 */

export {
  type AccountEntry,
  type AccountRef,
  AccountsFileError,
  type Connection,
  type FindUsers,
  type Location,
  parseAccountsYaml,
  type ResolvedAccount,
  resolveAccounts,
  resourceName,
} from "./accounts";
export {
  CONNECTIONS_CONFIG_KEY,
  type ConnectionOptions,
  type ConnectionSettings,
  connectionProviderName,
  connectionSettings,
  type DeclaredUserEmail,
  type DeclareOptions,
  declareConnections,
  declareUserEmails,
  type FromFileOptions,
  pulumiConfigLookup,
  userEmailsFromFile,
} from "./accounts-stack";
export { type StackSelection, selectStack, stacksOf } from "./stacks";
