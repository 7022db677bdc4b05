import { randomBytes, randomUUID } from "node:crypto";
import { ErrorCode, notFound, PlatformError } from "./errors";
import { iso, type Mail, type UserRecord } from "./platform-records";
import type { PlatformState } from "./state";

/**
 * Mails that carry a one-time link (email-change confirmations and activations): sending one
 * into the outbox, and the checks every link makes when the user opens it.
 */

/** Where each kind of mail's link points; a GET on it is the user opening the mail. */
const LINK_PREFIX: Record<Mail["kind"], string> = {
  "email-change": "/_emulator/confirm/",
  activation: "/_emulator/activate/",
};

/**
 * A pending mail to the account's current address, valid only while the account stays at the
 * version it was sent for.
 */
export function sendLinkMail(
  state: PlatformState,
  kind: Mail["kind"],
  user: UserRecord,
  requestedEmail: string,
): Mail {
  const token = randomBytes(24).toString("base64url");
  const mail: Mail = {
    id: randomUUID(),
    kind,
    to: user.contact.email,
    userId: user.id,
    requestedEmail,
    linkPath: LINK_PREFIX[kind] + token,
    sentAt: iso(state.now()),
    openedAt: null,
    outcome: "pending",
    baseVersion: user.version,
  };
  state.deliver(mail, token);
  return mail;
}

/** A mail whose link the user opened, and its account. */
export interface OpenedLink {
  mail: Mail;
  user: UserRecord;
}

/**
 * The user opens the link of a `kind` mail: 404 unknown link (`unknown` words it); 410 opened
 * before, or the account was deleted. Marks the mail opened; the caller checks the rest.
 */
export function openLinkOnce(
  state: PlatformState,
  token: string,
  kind: Mail["kind"],
  unknown: string,
): OpenedLink {
  const mail = state.mailByToken(token, kind);
  if (!mail) throw notFound(unknown);
  if (mail.openedAt !== null) {
    throw new PlatformError(410, ErrorCode.gone, "Link already used", `mail ${mail.id}`);
  }
  mail.openedAt = iso(state.now());
  const user = state.users.get(mail.userId);
  if (!user || user.deletedAt !== null) {
    mail.outcome = "deleted";
    throw new PlatformError(410, ErrorCode.gone, "Account deleted", `user ${mail.userId}`);
  }
  return { mail, user };
}

/** 410: the account moved on since the mail, so its link no longer applies. */
export function linkExpired(mail: Mail, info: string): PlatformError {
  mail.outcome = "superseded";
  return new PlatformError(410, ErrorCode.gone, "Link expired", info);
}

/** The link did its job: the account's address is confirmed, version +1. */
export function linkConfirmed(state: PlatformState, link: OpenedLink): OpenedLink {
  link.user.contact.email_confirmed = true;
  state.touch(link.user, true);
  link.mail.outcome = "confirmed";
  return link;
}
