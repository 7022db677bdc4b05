import { accessDenied, businessRule, ErrorCode, PlatformError } from "./errors";
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
 * A mail to the account's current address. Published: only for accounts in sub-tenants of the
 * caller's tenant (its own tenant's accounts are refused), and the operation declares only
 * 204/401/403/404, so every refusal is a 403: own tenant code 1002 (access denied); emulator
 * choices: an activated account code 1027 (business rules), a disabled one code 1018 (user
 * disabled). Every call sends a new mail; each outstanding link works until one activates it.
 */
export function sendActivationEmail(state: PlatformState, caller: ApiClient, rawId: string): Mail {
  const u = state.requireUser(caller, rawId);
  if (u.tenantId === caller.tenantId) {
    throw accessDenied(
      `user ${u.id} is in the caller's own tenant: activation mails go only to sub-tenants' users`,
    );
  }
  if (u.activated) throw businessRule(403, `user ${u.id} is already activated`);
  if (!u.enabled) {
    throw new PlatformError(
      403,
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
