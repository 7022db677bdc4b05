/**
 * pulumi-acronis-user-email: manage the contact email of Acronis Cyber Platform accounts.
 */

export {
  type AccountEntry,
  type AccountRef,
  AccountsFileError,
  type DeclaredUserEmail,
  type DeclareOptions,
  declareUserEmails,
  type FindUsers,
  type FromFileOptions,
  type Location,
  parseAccountsYaml,
  pulumiConfigLookup,
  type ResolvedAccount,
  resolveAccounts,
  resourceName,
  userEmailsFromFile,
} from "./accounts";
export { domainAllowed, normalizeEmail, sameEmail } from "./email";
export type { UserEmailInputs } from "./inputs";
export type { Status, UserEmailOutputs } from "./reconcile";
export { UserEmail, type UserEmailArgs, userEmailProvider } from "./userEmail";
