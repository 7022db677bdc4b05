/**
 * The decision core: what happens to an account on preview, up and refresh, as pure functions.
 * Given the desired email, the live account, the outputs of the last step, the time and the
 * policy, reconcile.ts says what to do and what the outputs become (its cases are the table in
 * reconcile.test.ts). Beside it, the rules it applies: email addresses (email.ts), durations
 * (duration.ts), the resource's inputs as `check` validates and normalises them (inputs.ts), and
 * how a message names a wrong value without showing it (describe-value.ts).
 *
 * No I/O, no Pulumi, no API client: a test calls these with values and reads values back.
 *
 * May import: nothing else of the provider.
 */

export { domainAllowed, normalizeEmail, sameEmail } from "./email";
export type { UserEmailInputs } from "./inputs";
export type { Status, UserEmailOutputs } from "./reconcile";
