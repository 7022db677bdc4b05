/**
 * pulumi-acronis-user-email: manage the contact email of Acronis Cyber Platform accounts.
 */

export {
  type AccountEntry,
  type AccountRef,
  AccountsFileError,
  type FindUsers,
  type Location,
  parseAccountsYaml,
  type ResolvedAccount,
  resolveAccounts,
  resourceName,
} from "./accounts";
export {
  type DeclaredUserEmail,
  type DeclareOptions,
  declareUserEmails,
  type FromFileOptions,
  pulumiConfigLookup,
  userEmailsFromFile,
} from "./accountsStack";
export { domainAllowed, normalizeEmail, sameEmail } from "./email";
export type { UserEmailInputs } from "./inputs";
export type { Status, UserEmailOutputs } from "./reconcile";
export { UserEmail, type UserEmailArgs, userEmailProvider } from "./userEmail";
