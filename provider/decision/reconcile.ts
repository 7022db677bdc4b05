import { parseDuration } from "./duration";
import { sameEmail } from "./email";
import { DEFAULT_RESEND_AFTER, type UserEmailInputs } from "./inputs";

/**
 * The decision core: given what is desired, what the platform holds now and what we asked for
 * before, what happens next. Pure functions of their arguments (the clock is an argument too), so
 * every case below is a row in reconcile.test.ts.
 *
 * Why "pending" exists: an activated account does not change its email when we PUT it. The
 * platform mails a confirmation link to the OLD address and changes nothing until the user opens
 * it, and no endpoint reports that a change is pending. So we remember what we asked for, and
 * when, in the resource's outputs, and keep showing the account as drifted until it really
 * changes.
 *
 *   step     live == desired   pending for desired, < resendAfter   otherwise
 *   diff     record if stored   changes (drift, no write in preview)  changes
 *            state is stale,
 *            else no changes
 *   update   record synced      wait: no PUT, no mail                 PUT {contact.email, version}
 *   refresh  synced             keep pending                          drifted (someone else moved it)
 */

export type Status = "synced" | "pendingConfirmation" | "drifted";

/** What the platform holds for one account (the fields the decisions need). */
export interface LiveAccount {
  id: string;
  version: number;
  email: string;
  activated: boolean;
  login: string;
  tenantId: string;
}

/** What the resource asks for (normalised by check). */
export interface Desired {
  userId: string;
  email: string;
  resendAfterMs: number;
}

/** DEFAULT_RESEND_AFTER in ms, parsed once: the fallback when a stored resendAfter does not parse. */
const DEFAULT_RESEND_AFTER_MS = defaultResendAfterMs();

function defaultResendAfterMs(): number {
  const parsed = parseDuration(DEFAULT_RESEND_AFTER);
  if (!parsed.ok) throw new Error(`DEFAULT_RESEND_AFTER: ${parsed.reason}`);
  return parsed.ms;
}

/**
 * A stored resendAfter in ms. Absent (state written before the field) or not a duration, it is
 * DEFAULT_RESEND_AFTER's, with `given` false: the provider's rule, and the report's.
 */
export function resendAfterMsOf(stored: unknown): { ms: number; given: boolean } {
  const parsed = typeof stored === "string" ? parseDuration(stored) : undefined;
  return parsed?.ok
    ? { ms: parsed.ms, given: true }
    : { ms: DEFAULT_RESEND_AFTER_MS, given: false };
}

/** What checked inputs (or inputs stored before a field existed) ask of the account. */
export function desiredOf(inputs: UserEmailInputs): Desired {
  return {
    userId: inputs.userId,
    email: inputs.email,
    resendAfterMs: resendAfterMsOf(inputs.resendAfter).ms,
  };
}

/** The resource's outputs, as stored in state. */
export interface UserEmailOutputs {
  userId: string;
  email: string;
  liveEmail: string;
  status: Status;
  pendingEmail: string | null;
  confirmationRequestedAt: string | null;
  version: number;
  activated: boolean;
  login: string;
  tenantId: string;
}

/** A confirmation we asked the platform to mail, remembered across runs. */
export interface PendingRequest {
  email: string;
  requestedAt: Date;
}

/** The pending request recorded in stored outputs, if any. */
export function pendingFrom(outputs: Partial<UserEmailOutputs> | undefined): PendingRequest | null {
  if (!outputs?.pendingEmail || !outputs.confirmationRequestedAt) return null;
  const requestedAt = new Date(outputs.confirmationRequestedAt);
  if (Number.isNaN(requestedAt.getTime())) return null;
  return { email: outputs.pendingEmail, requestedAt };
}

/** When `up` sends a new link for `pending` if it is still unconfirmed. */
export function resendAtOf(pending: PendingRequest, resendAfterMs: number): Date {
  return new Date(pending.requestedAt.getTime() + resendAfterMs);
}

/** Outputs describing `live` against the desired email, with the pending request still open. */
function outputsFor(
  desiredEmail: string,
  live: LiveAccount,
  pending: PendingRequest | null,
): UserEmailOutputs {
  const synced = sameEmail(live.email, desiredEmail);
  const stillPending = !synced && pending !== null && sameEmail(pending.email, desiredEmail);
  return {
    userId: live.id,
    email: desiredEmail,
    liveEmail: live.email,
    status: synced ? "synced" : stillPending ? "pendingConfirmation" : "drifted",
    pendingEmail: stillPending ? pending.email : null,
    confirmationRequestedAt: stillPending ? pending.requestedAt.toISOString() : null,
    version: live.version,
    activated: live.activated,
    login: live.login,
    tenantId: live.tenantId,
  };
}

export type DiffReason =
  | "in-sync"
  | "user-id-changed"
  | "drift"
  | "pending-confirmation"
  | "record-confirmation"
  | "account-missing";

export interface DiffDecision {
  changes: boolean;
  replaces: string[];
  reason: DiffReason;
}

/**
 * diff: `stored` are the outputs in state (Pulumi passes outputs, not live values), `live` is the
 * account as just fetched, or null when the platform no longer has it.
 */
export function decideDiff(
  desired: Pick<Desired, "userId" | "email">,
  stored: Partial<UserEmailOutputs>,
  live: LiveAccount | null,
): DiffDecision {
  if (stored.userId !== undefined && stored.userId !== desired.userId) {
    return { changes: true, replaces: ["userId"], reason: "user-id-changed" };
  }
  if (live === null) return { changes: true, replaces: [], reason: "account-missing" };
  if (!sameEmail(live.email, desired.email)) {
    const pending = pendingFrom(stored);
    const waiting = pending !== null && sameEmail(pending.email, desired.email);
    return { changes: true, replaces: [], reason: waiting ? "pending-confirmation" : "drift" };
  }
  const storedIsCurrent =
    stored.status === "synced" &&
    stored.email !== undefined &&
    sameEmail(stored.email, desired.email) &&
    stored.liveEmail !== undefined &&
    sameEmail(stored.liveEmail, live.email);
  return storedIsCurrent
    ? { changes: false, replaces: [], reason: "in-sync" }
    : { changes: true, replaces: [], reason: "record-confirmation" };
}

export type UpdateDecision =
  | { action: "record"; outputs: UserEmailOutputs }
  | { action: "wait"; outputs: UserEmailOutputs; resendAt: Date }
  | { action: "put"; email: string; version: number };

/**
 * update (and create, which adopts the existing account): decide on a freshly read account.
 * `pending` is what we asked for before, from state or from earlier in this same step.
 */
export function decideUpdate(
  desired: Desired,
  live: LiveAccount,
  pending: PendingRequest | null,
  now: Date,
): UpdateDecision {
  if (sameEmail(live.email, desired.email)) {
    return { action: "record", outputs: outputsFor(desired.email, live, null) };
  }
  if (pending !== null && sameEmail(pending.email, desired.email)) {
    const resendAt = resendAtOf(pending, desired.resendAfterMs);
    if (now < resendAt) {
      return { action: "wait", outputs: outputsFor(desired.email, live, pending), resendAt };
    }
  }
  return { action: "put", email: desired.email, version: live.version };
}

/**
 * Would the next `up` send a PUT for this account? The question acronis:maxEmailChanges counts,
 * asked in check (a new account, `pending` null), diff (`pending` from state) and right before a
 * write. The same answer as decideUpdate's, so preview and update count alike: drift and a new
 * account whose address differs count, a confirmation pending past resendAfter counts; synced
 * accounts, pending ones inside resendAfter and accounts the platform no longer has do not.
 */
export function needsWrite(
  desired: Desired,
  live: LiveAccount | null,
  pending: PendingRequest | null,
  now: Date,
): boolean {
  return live !== null && decideUpdate(desired, live, pending, now).action === "put";
}

/** What `up` will do with an account new to the stack (or to its resource), as preview tells it. */
export type AdoptionOutcome =
  /** Its address is already the desired one: `up` records it, sends nothing. */
  | "adopt-unchanged"
  /** Not activated: `up`'s PUT changes the address at once, no mail is sent. */
  | "change-at-once"
  /** Activated: `up`'s PUT mails a link to the current address; it changes once opened. */
  | "mail-link"
  /** The platform has no such account (or it is deleted): `up` fails for it. */
  | "not-found";

/**
 * The first preview of an account: given what is desired and the account as just read, what
 * `up` will do. Derived from decideUpdate with nothing pending (a new resource has no state), so
 * preview and `up` cannot disagree; the platform's rule (activated: a link to the old address,
 * otherwise an immediate change) is what outputsAfterPut records after the PUT.
 */
export function adoptionOutcome(desired: Desired, live: LiveAccount | null): AdoptionOutcome {
  if (live === null) return "not-found";
  // With no pending request the clock plays no part: any instant gives the same answer.
  const decision = decideUpdate(desired, live, null, new Date(0));
  if (decision.action !== "put") return "adopt-unchanged";
  return live.activated ? "mail-link" : "change-at-once";
}

export type ChangeAdmission =
  | { admitted: true; count: boolean }
  | { admitted: false; atLeast: number; limit: number };

/**
 * acronis:maxEmailChanges: may this run change one more account? `counted` are the accounts it
 * already counted; an account counted before is admitted again (check, then create, see the same
 * account), and `count` says whether to add it. Refused: the run would change at least `atLeast`
 * accounts.
 */
export function admitChange(
  limit: number | null,
  counted: ReadonlySet<string>,
  userId: string,
): ChangeAdmission {
  if (limit === null || counted.has(userId)) return { admitted: true, count: false };
  if (counted.size < limit) return { admitted: true, count: true };
  return { admitted: false, atLeast: counted.size + 1, limit };
}

/**
 * After the platform answered 200 to our PUT: its answer is the new state. An unchanged email
 * means the account is activated and a confirmation link went to the old address at `now`.
 */
export function outputsAfterPut(
  desired: Desired,
  returned: LiveAccount,
  now: Date,
): UserEmailOutputs {
  return outputsFor(desired.email, returned, { email: desired.email, requestedAt: now });
}

/**
 * After a PUT whose answer was lost (the request was sent, the connection dropped): what to
 * believe before reading again. A non-activated account changes at once, so the next read tells
 * the truth and nothing needs assuming. For an activated account a read cannot tell whether a
 * mail went out; we assume it did, so the user gets at most the one mail, and the next `up` after
 * resendAfter sends a new link if it never arrived.
 */
export function pendingAfterLostResponse(
  desired: Desired,
  live: LiveAccount,
  sentAt: Date,
): PendingRequest | null {
  return live.activated ? { email: desired.email, requestedAt: sentAt } : null;
}

/** refresh: the live account as outputs, keeping the open request while it is still open. */
export function outputsAfterRefresh(
  stored: Partial<UserEmailOutputs> & { email: string },
  live: LiveAccount,
): UserEmailOutputs {
  return outputsFor(stored.email, live, pendingFrom(stored));
}
