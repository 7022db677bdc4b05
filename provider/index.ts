/**
 * pulumi-acronis-user-email: manage the contact email of Acronis Cyber Platform accounts.
 *
 * The package root: what a program imports. Each part is a folder with its own entry file
 * (docs/development.md draws them): resource/ (UserEmail, AcronisProvider and the steps),
 * decision/ (the pure core), accounts-file/ (the YAML accounts file), settings/, api/ (the
 * client) and cli/ (the command). entry.ts beside this file is what Pulumi stores in state.
 */

export {
  type AccountEntry,
  type AccountRef,
  AccountsFileError,
  CONNECTIONS_CONFIG_KEY,
  type Connection,
  type ConnectionOptions,
  type ConnectionSettings,
  connectionProviderName,
  connectionSettings,
  type DeclaredUserEmail,
  type DeclareOptions,
  declareConnections,
  declareUserEmails,
  type FindUsers,
  type FromFileOptions,
  type Location,
  parseAccountsYaml,
  pulumiConfigLookup,
  type ResolvedAccount,
  resolveAccounts,
  resourceName,
  type StackSelection,
  selectStack,
  stacksOf,
  userEmailsFromFile,
} from "./accounts-file";
export {
  domainAllowed,
  normalizeEmail,
  type Status,
  sameEmail,
  type UserEmailInputs,
  type UserEmailOutputs,
} from "./decision";
export {
  AcronisProvider,
  type AcronisProviderArgs,
  AcronisProviderError,
  type AcronisProviderSettings,
  acronisProviderInputs,
  PROVIDER_PACKAGE,
  SECRET_PROVIDER_INPUTS,
  UserEmail,
  type UserEmailArgs,
  userEmailProvider,
} from "./resource";
