import type { UserPatch, UserPut } from "./body-schemas";
import { sendEmailChangeMail } from "./email-change";
import { notFound, versionMismatch } from "./errors";
import { parseUuid } from "./patterns";
import { type ApiClient, CONTACT_STRING_FIELDS, type UserRecord } from "./platform-records";
import type { PlatformState } from "./state";

/**
 * Writes to an existing account: the API's PUT /users/{id}, and the control surface's
 * out-of-band PATCH and DELETE (another writer, or the user in the console).
 */

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  return a === b;
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
  let contactChanged = false;
  if (body.login !== undefined && body.login !== u.login) {
    state.setLogin(u, body.login);
    changed = true;
  }
  if (body.external_id !== undefined && body.external_id !== u.externalId) {
    u.externalId = body.external_id;
    changed = true;
  }
  if (body.idp_id !== undefined && body.idp_id !== u.idpId) {
    u.idpId = body.idp_id;
    changed = true;
  }
  if (body.enabled !== undefined && body.enabled !== u.enabled) {
    u.enabled = body.enabled;
    changed = true;
  }
  if (body.language !== undefined && body.language !== u.language) {
    u.language = body.language;
    changed = true;
  }
  if (body.notifications !== undefined && !sameValue(body.notifications, u.notifications)) {
    u.notifications = [...body.notifications];
    changed = true;
  }
  if (body.disable_after !== undefined && body.disable_after !== u.disableAfter) {
    u.disableAfter = body.disable_after;
    changed = true;
  }
  let mailTo: { to: string; requested: string } | null = null;
  const c = body.contact;
  if (c) {
    for (const f of CONTACT_STRING_FIELDS) {
      const v = c[f];
      if (v !== undefined && v !== u.contact[f]) {
        u.contact[f] = v;
        contactChanged = true;
      }
    }
    if (c.types !== undefined && !sameValue(c.types, u.contact.types)) {
      u.contact.types = [...c.types];
      contactChanged = true;
    }
    if (c.email_confirmed !== undefined && c.email_confirmed !== u.contact.email_confirmed) {
      u.contact.email_confirmed = c.email_confirmed;
      contactChanged = true;
    }
    if (c.email !== undefined && c.email !== u.contact.email) {
      if (u.activated) {
        mailTo = { to: u.contact.email, requested: c.email };
      } else {
        u.contact.email = c.email;
        // Choice: a directly set address on a not-activated account is unconfirmed.
        u.contact.email_confirmed = false;
        contactChanged = true;
      }
    }
  }
  if (changed || contactChanged) state.touch(u, contactChanged);
  if (mailTo) sendEmailChangeMail(state, u, mailTo.to, mailTo.requested);
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
