import { randomBytes, randomUUID } from "node:crypto";
import { ErrorCode, notFound, PlatformError } from "./errors";
import { iso, type Mail, type UserRecord } from "./platform-records";
import type { PlatformState } from "./state";

/**
 * Mails that carry a one-time link (email-change confirmations and activations): sending one
 * into the outbox, and the checks every link makes when the user opens it.
 */

export interface LinkMail {
  kind: Mail["kind"];
  user: UserRecord;
  to: string;
  requestedEmail: string;
  /** The link's path up to its secret token, e.g. `/_emulator/confirm/`. */
  linkPrefix: string;
}

/** A pending mail in the outbox, valid for the account's current version. */
export function sendLinkMail(state: PlatformState, m: LinkMail): Mail {
  const token = randomBytes(24).toString("base64url");
  const mail: Mail = {
    id: randomUUID(),
    kind: m.kind,
    to: m.to,
    userId: m.user.id,
    requestedEmail: m.requestedEmail,
    linkPath: m.linkPrefix + token,
    sentAt: iso(state.now()),
    openedAt: null,
    outcome: "pending",
    baseVersion: m.user.version,
  };
  state.deliver(mail, token);
  return mail;
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
): { mail: Mail; user: UserRecord } {
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
