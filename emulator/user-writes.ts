import type { UserPatch, UserPut } from "./body-schemas";
import { notFound, versionMismatch } from "./errors";
import { sendLinkMail } from "./mail-links";
import { parseUuid } from "./patterns";
import { type ApiClient, CONTACT_STRING_FIELDS, type UserRecord } from "./platform-records";
import type { PlatformState } from "./state";

/**
 * Writes to an existing account: the API's PUT /users/{id}, and the control surface's
 * out-of-band PATCH and DELETE (another writer, or the user in the console).
 */

/** Sets `target[key]` when `value` is sent and differs (arrays by items); true when it did. */
function assign<T, K extends keyof T>(target: T, key: K, value: T[K] | undefined): boolean {
  const current = target[key];
  if (value === undefined) return false;
  if (Array.isArray(value) && Array.isArray(current)) {
    if (value.length === current.length && value.every((x, i) => x === current[i])) return false;
    target[key] = [...value] as T[K];
    return true;
  }
  if (value === current) return false;
  target[key] = value;
  return true;
}

/**
 * PUT /users/{id}. Only the sent fields change; a real change bumps `version` by one.
 * Email on an activated account: nothing changes, a confirmation mail goes to the OLD address.
 */
export function putUser(
  state: PlatformState,
  caller: ApiClient,
  rawId: string,
  body: UserPut,
): UserRecord {
  const u = state.requireUser(caller, rawId);
  if (body.version !== u.version) throw versionMismatch(body.version, u.version);
  let changed = false;
  if (body.login !== undefined && body.login !== u.login) {
    // First, so a refused login (409) leaves the account untouched.
    state.setLogin(u, body.login);
    changed = true;
  }
  // An array, not ||, so that every field is set.
  const account = [
    assign(u, "externalId", body.external_id),
    assign(u, "idpId", body.idp_id),
    assign(u, "enabled", body.enabled),
    assign(u, "language", body.language),
    assign(u, "notifications", body.notifications),
    assign(u, "disableAfter", body.disable_after),
  ];
  changed = account.includes(true) || changed;
  const c = body.contact ?? {};
  const contact = [
    ...CONTACT_STRING_FIELDS.map((f) => assign(u.contact, f, c[f])),
    assign(u.contact, "types", c.types),
    assign(u.contact, "email_confirmed", c.email_confirmed),
  ];
  let contactChanged = contact.includes(true);
  let requested: string | null = null;
  if (c.email !== undefined && c.email !== u.contact.email) {
    if (u.activated) {
      requested = c.email;
    } else {
      u.contact.email = c.email;
      // Choice: a directly set address on a not-activated account is unconfirmed.
      u.contact.email_confirmed = false;
      contactChanged = true;
    }
  }
  if (changed || contactChanged) state.touch(u, contactChanged);
  // To the account's address, which the PUT did not change: the OLD one.
  if (requested !== null) sendLinkMail(state, "email-change", u, requested);
  return u;
}

/** Soft delete: version +1, `deleted_at` now; the login stays taken. */
export function markDeleted(state: PlatformState, u: UserRecord): void {
  state.touch(u, false);
  u.deletedAt = u.updatedAt;
}

/** Control PATCH /users/{id}: sets what is sent, version +1 (or the version sent). */
export function patchUser(state: PlatformState, rawId: string, patch: UserPatch): UserRecord {
  const id = parseUuid(rawId, "user_id");
  const u = state.users.get(id);
  if (!u) throw notFound(`user ${id} not found`);
  // First, so a refused login leaves the user untouched.
  if (patch.login !== undefined && patch.login !== u.login) state.setLogin(u, patch.login);
  if (patch.email !== undefined) u.contact.email = patch.email;
  if (patch.activated !== undefined) u.activated = patch.activated;
  if (patch.enabled !== undefined) u.enabled = patch.enabled;
  if (patch.firstname !== undefined) u.contact.firstname = patch.firstname;
  if (patch.lastname !== undefined) u.contact.lastname = patch.lastname;
  state.touch(u, true);
  if (patch.version !== undefined) u.version = patch.version;
  return u;
}

/** Control DELETE /users/{id}: soft-deletes without the API's checks; 404 unknown or deleted. */
export function deleteUserOutOfBand(state: PlatformState, rawId: string): UserRecord {
  const id = parseUuid(rawId, "user_id");
  const u = state.users.get(id);
  if (!u || u.deletedAt !== null) throw notFound(`user ${id} not found`);
  markDeleted(state, u);
  return u;
}
