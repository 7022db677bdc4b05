/**
 * pulumi-acronis-user-email: manage the contact email of Acronis Cyber Platform accounts.
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
export {
  AcronisProvider,
  type AcronisProviderArgs,
  AcronisProviderError,
  type AcronisProviderSettings,
  acronisProviderInputs,
  PROVIDER_PACKAGE,
  SECRET_PROVIDER_INPUTS,
} from "./acronis-provider";
export { domainAllowed, normalizeEmail, sameEmail } from "./email";
export type { UserEmailInputs } from "./inputs";
export type { Status, UserEmailOutputs } from "./reconcile";
export { type StackSelection, selectStack, stacksOf } from "./stacks";
export { UserEmail, type UserEmailArgs, userEmailProvider } from "./user-email";
