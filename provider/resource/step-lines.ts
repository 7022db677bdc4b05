import type { PendingRequest } from "../decision/reconcile";

/**
 * What the steps tell the user, one line per account, through the host's console (Pulumi shows
 * it since 3.146; `pulumi.log` does not work inside the host). Each line names the account by id;
 * an address appears only in that account's own pending lines (docs/security.md).
 */

export function say(line: string): void {
  console.log(line);
}

/** Diff: a confirmation is pending, and when `up` sends the next link. */
export function pendingLine(userId: string, pending: PendingRequest, resendAt: Date): string {
  const next =
    resendAt > new Date() ? `sends a new link after ${resendAt.toISOString()}` : "sends a new link";
  return (
    `acronis: account ${userId}: confirmation of ${pending.email} pending since ` +
    `${pending.requestedAt.toISOString()} (link sent to the account's current address); ` +
    `\`up\` ${next}`
  );
}

/** Diff: `~ update` naming no property; say why, and that nothing is sent. */
export function recordLine(userId: string): string {
  return (
    `acronis: account ${userId}: the platform already holds the declared address (a ` +
    "confirmation link was opened, or someone set it); `up` records that in the stack " +
    "and sends nothing"
  );
}

export function missingLine(userId: string): string {
  return `acronis: account ${userId}: not found on the platform; \`pulumi refresh\` drops it from the stack`;
}

/** Create or update: a link was mailed for an activated account. */
export function linkSentLine(userId: string, email: string, at: Date, resendAfter: string): string {
  return (
    `acronis: account ${userId}: confirmation link for ${email} sent to the ` +
    `account's current address at ${at.toISOString()}; the email changes when the user ` +
    `opens it; \`up\` sends a new link after ${resendAfter} if still unconfirmed`
  );
}

export function releasedLine(userId: string): string {
  return `acronis: account ${userId}: no longer managed by this stack; its email is left as it is`;
}
