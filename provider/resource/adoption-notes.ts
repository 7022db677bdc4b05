import { AcronisApiError } from "../api";
import type { AdoptionOutcome } from "../decision/reconcile";
import { SettingsError } from "../settings/settings";

/**
 * What the first preview of an account says about it. Pulumi shows every resource new to the
 * stack as `+ create`, whatever the provider answers (the dynamic host forwards no detailed diff,
 * and Check can only pass or fail), so the provider tells the reviewer through its console, which
 * the CLI shows as diagnostics (since 3.146, pulumi/pulumi#18249): one line per account, naming the
 * account by id (never its address). No summary line: the engine sends a dynamic provider no call
 * after its last Check, so the provider never knows which account is the last one.
 */

/** The line for one account new to the stack: what `up` will do with it. */
export function adoptionNote(userId: string, outcome: AdoptionOutcome): string {
  const account = `acronis: account ${userId}: new to the stack`;
  switch (outcome) {
    case "adopt-unchanged":
      return `${account}; \`up\` adopts it unchanged (it already has the declared address)`;
    case "change-at-once":
      return (
        `${account}; \`up\` changes its address at once (the account is not activated, ` +
        "so no mail is sent)"
      );
    case "mail-link":
      return (
        `${account}; \`up\` mails a confirmation link to its current address (the account is ` +
        "activated); the address changes when the user opens the link"
      );
    case "not-found":
      return `${account}; not found on the platform, so \`up\` fails for it: check the userId`;
  }
}

/** The line for an account the preview could not read for a reason of the platform's. */
export function unreadNote(userId: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return (
    `acronis: account ${userId}: new to the stack; could not be read (${reason}); ` +
    "`up` fails for it with this error if the platform still answers so"
  );
}

/**
 * Whether a failed read would fail `up` for every account alike (a setting missing or invalid,
 * credentials refused, a base URL that redirects): the preview then fails with that message, as
 * `up` would. Anything else (one account's 404 or 403, a 5xx, a timeout) is not a reason to fail
 * a preview that writes nothing: it is said for that account, and `up` reports it if it persists.
 */
export function failsEveryAccount(error: unknown): boolean {
  if (error instanceof SettingsError) return true;
  return error instanceof AcronisApiError && (error.kind === "auth" || error.kind === "redirect");
}
