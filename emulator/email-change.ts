import { linkExpired, openLinkOnce, sendLinkMail } from "./mail-links";
import type { Mail, UserRecord } from "./platform-records";
import type { PlatformState } from "./state";

/**
 * An email change on an activated account: the platform keeps the address and mails a
 * confirmation link to the OLD one; the change happens when the user opens it.
 */

export const CONFIRM_LINK_PREFIX = "/_emulator/confirm/";

/** The confirmation mail of a PUT that asked to change `u`'s address to `requestedEmail`. */
export function sendEmailChangeMail(
  state: PlatformState,
  u: UserRecord,
  to: string,
  requestedEmail: string,
): Mail {
  // The link is valid only while the account stays at the version it was sent for.
  return sendLinkMail(state, {
    kind: "email-change",
    user: u,
    to,
    requestedEmail,
    linkPrefix: CONFIRM_LINK_PREFIX,
  });
}

/**
 * The user opens a confirmation link. 404 unknown link; 410 when opened before, when the
 * account was deleted, or when its version moved on since the mail (another link confirmed,
 * another write) — so of several outstanding links the first opened wins and the rest die.
 */
export function openConfirmationLink(
  state: PlatformState,
  token: string,
): { mail: Mail; user: UserRecord } {
  const { mail, user: u } = openLinkOnce(state, token, "email-change", "unknown confirmation link");
  if (u.version !== mail.baseVersion) {
    throw linkExpired(
      mail,
      `account version is ${u.version}, link was issued at version ${mail.baseVersion}`,
    );
  }
  u.contact.email = mail.requestedEmail;
  u.contact.email_confirmed = true;
  state.touch(u, true);
  mail.outcome = "confirmed";
  return { mail, user: u };
}
