import { randomBytes, randomUUID } from "node:crypto";
import { businessRule, ErrorCode, notFound, PlatformError } from "./errors";
import type { ApiClient, Mail, PlatformState, UserRecord } from "./state";

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
  const token = randomBytes(24).toString("base64url");
  const mail: Mail = {
    id: randomUUID(),
    kind: "activation",
    to: u.contact.email,
    userId: u.id,
    // Nothing is requested: the account's address, as the mail confirms it.
    requestedEmail: u.contact.email,
    linkPath: ACTIVATION_LINK_PREFIX + token,
    sentAt: new Date(state.now()).toISOString(),
    openedAt: null,
    outcome: "pending",
    baseVersion: u.version,
  };
  state.deliver(mail, token);
  return mail;
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
  const mail = state.mailByToken(token, "activation");
  if (!mail) throw notFound("unknown activation link");
  if (mail.openedAt !== null) {
    throw new PlatformError(410, ErrorCode.gone, "Link already used", `mail ${mail.id}`);
  }
  mail.openedAt = new Date(state.now()).toISOString();
  const u = state.users.get(mail.userId);
  if (!u || u.deletedAt !== null) {
    mail.outcome = "deleted";
    throw new PlatformError(410, ErrorCode.gone, "Account deleted", `user ${mail.userId}`);
  }
  if (u.activated || u.contact.email !== mail.to) {
    mail.outcome = "superseded";
    throw new PlatformError(
      410,
      ErrorCode.gone,
      "Link expired",
      u.activated ? `user ${u.id} is already activated` : `user ${u.id} changed its address`,
    );
  }
  u.activated = true;
  u.contact.email_confirmed = true;
  state.touch(u, true);
  mail.outcome = "confirmed";
  return { mail, user: u };
}
