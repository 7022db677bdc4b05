import { businessRule, ErrorCode, PlatformError } from "./errors";
import { linkExpired, openLinkOnce, sendLinkMail } from "./mail-links";
import type { ApiClient, Mail, UserRecord } from "./platform-records";
import type { PlatformState } from "./state";

/**
 * Activation mails (POST /users/{id}/send-activation-email) and their links. The link path is
 * `/_emulator/activate/{token}`; a GET on it is the user opening the mail and setting up the
 * account, which activates it.
 */

export const ACTIVATION_LINK_PREFIX = "/_emulator/activate/";

/**
 * A mail to the account's current address. Emulator choices: an activated account is refused
 * (409 code 1027), so is a disabled one (409 code 1018); every call sends a new mail, and each
 * outstanding link works until the account is activated.
 */
export function sendActivationEmail(state: PlatformState, caller: ApiClient, rawId: string): Mail {
  const u = state.requireUser(caller, rawId);
  if (u.activated) throw businessRule(`user ${u.id} is already activated`);
  if (!u.enabled) {
    throw new PlatformError(
      409,
      ErrorCode.userDisabled,
      "User disabled",
      `user ${u.id} is disabled`,
    );
  }
  return sendLinkMail(state, {
    kind: "activation",
    user: u,
    to: u.contact.email,
    // Nothing is requested: the account's address, as the mail confirms it.
    requestedEmail: u.contact.email,
    linkPrefix: ACTIVATION_LINK_PREFIX,
  });
}

/**
 * The user opens an activation link: the account becomes activated, its address confirmed,
 * version +1. 404 unknown link; 410 opened before, account deleted, already activated (another
 * link won), or its address changed since the mail (the link went to a mailbox that no longer
 * owns the account).
 */
export function openActivationLink(
  state: PlatformState,
  token: string,
): { mail: Mail; user: UserRecord } {
  const { mail, user: u } = openLinkOnce(state, token, "activation", "unknown activation link");
  if (u.activated || u.contact.email !== mail.to) {
    throw linkExpired(
      mail,
      u.activated ? `user ${u.id} is already activated` : `user ${u.id} changed its address`,
    );
  }
  u.activated = true;
  u.contact.email_confirmed = true;
  state.touch(u, true);
  mail.outcome = "confirmed";
  return { mail, user: u };
}
