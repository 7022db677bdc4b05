import { businessRule, ErrorCode, PlatformError } from "./errors";
import {
  linkConfirmed,
  linkExpired,
  type OpenedLink,
  openLinkOnce,
  sendLinkMail,
} from "./mail-links";
import type { ApiClient, Mail } from "./platform-records";
import type { PlatformState } from "./state";

/**
 * Activation mails (POST /users/{id}/send-activation-email) and their links. The link path is
 * `/_emulator/activate/{token}`; a GET on it is the user opening the mail and setting up the
 * account, which activates it.
 */

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
  // Nothing is requested: the account's address, as the mail confirms it.
  return sendLinkMail(state, "activation", u, u.contact.email);
}

/**
 * The user opens an activation link: the account becomes activated, its address confirmed,
 * version +1. 404 unknown link; 410 opened before, account deleted, already activated (another
 * link won), or its address changed since the mail (the link went to a mailbox that no longer
 * owns the account).
 */
export function openActivationLink(state: PlatformState, token: string): OpenedLink {
  const { mail, user: u } = openLinkOnce(state, token, "activation", "unknown activation link");
  if (u.activated || u.contact.email !== mail.to) {
    throw linkExpired(
      mail,
      u.activated ? `user ${u.id} is already activated` : `user ${u.id} changed its address`,
    );
  }
  u.activated = true;
  return linkConfirmed(state, { mail, user: u });
}
