import { linkConfirmed, linkExpired, type OpenedLink, openLinkOnce } from "./mail-links";
import type { PlatformState } from "./state";

/**
 * An email change on an activated account: the platform keeps the address and mails a
 * confirmation link to the OLD one (user-writes.ts); the change happens when the user opens it.
 */

/**
 * The user opens a confirmation link. 404 unknown link; 410 when opened before, when the
 * account was deleted, or when its version moved on since the mail (another link confirmed,
 * another write) — so of several outstanding links the first opened wins and the rest die.
 */
export function openConfirmationLink(state: PlatformState, token: string): OpenedLink {
  const { mail, user: u } = openLinkOnce(state, token, "email-change", "unknown confirmation link");
  if (u.version !== mail.baseVersion) {
    throw linkExpired(
      mail,
      `account version is ${u.version}, link was issued at version ${mail.baseVersion}`,
    );
  }
  u.contact.email = mail.requestedEmail;
  return linkConfirmed(state, { mail, user: u });
}
