/**
 * pulumi-acronis-user-email: manage the contact email of Acronis Cyber Platform accounts.
 */
export { domainAllowed, normalizeEmail, sameEmail } from "./email";
export type { UserEmailInputs } from "./inputs";
export type { Status, UserEmailOutputs } from "./reconcile";
export { UserEmail, type UserEmailArgs, userEmailProvider } from "./userEmail";
