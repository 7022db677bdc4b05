import { randomUUID } from "node:crypto";
import type { UserPost } from "./body-schemas";
import {
  accessDenied,
  badRequest,
  businessRule,
  ErrorCode,
  loginConflict,
  notFound,
  PlatformError,
  versionMismatch,
} from "./errors";
import { newContact, newUserRecord } from "./new-records";
import { type ApiClient, CONTACT_STRING_FIELDS, iso, type UserRecord } from "./platform-records";
import type { PlatformState } from "./state";
import { markDeleted } from "./user-writes";

/**
 * The account lifecycle of the API (schema `userPost`, operations CheckLoginNameAvailability,
 * CreateUser, DeleteUser, FetchCurrentUserInfo) over the in-memory platform.
 */

/** GET /users/check_login: 204 free, 409 taken (deleted accounts keep their login), 406 no name. */
export function checkLogin(state: PlatformState, username: string | null): void {
  if (username === null || username.length === 0) {
    throw new PlatformError(
      406,
      ErrorCode.notAcceptable,
      "Provided arguments are not acceptable",
      "username: required",
    );
  }
  if (state.loginTaken(username)) throw loginConflict(username);
}

/**
 * The guide's login rules ("Creating a user account"): at least 3 characters; ASCII letters,
 * digits and `.@_-+:!#$%^*={}'`/?`; trimmed of whitespace (a login that is not is refused:
 * emulator choice, the guide does not say whether the platform trims or refuses).
 */
export const LOGIN_RE = /^[A-Za-z0-9.@_\-+:!#$%^*={}'`/?]{3,}$/;

/** 400 naming the rule a login breaks; nothing when it keeps them all. */
export function checkLoginRules(login: string): void {
  if (login.trim() !== login) throw badRequest("login: must be trimmed of whitespace");
  if (login.length < 3) throw badRequest("login: must be at least 3 characters long");
  if (!LOGIN_RE.test(login)) {
    throw badRequest(
      "login: may contain only ASCII letters, digits and the characters .@_-+:!#$%^*={}'`/?",
    );
  }
}

/** Whether `tenantId` is at customer level or below (it or an ancestor is a customer). */
function atCustomerLevel(state: PlatformState, tenantId: string): boolean {
  for (let t = state.tenants.get(tenantId); t; t = state.tenants.get(t.parentId ?? "")) {
    if (t.kind === "customer") return true;
    if (t.parentId === null) return false;
  }
  return false;
}

/**
 * POST /users: a new account, not activated, version 1, in a tenant of the caller's subtree;
 * at customer level and below with a personal tenant (kind `unit`), as the spec's CreateUser
 * says. Emulator choices: a login is required (400 without), `use_existing_identity` is refused
 * (400), `enabled` defaults to true.
 */
export function createUser(state: PlatformState, caller: ApiClient, body: UserPost): UserRecord {
  const tenantId = body.tenant_id.toLowerCase();
  if (!state.tenants.has(tenantId)) throw notFound(`tenant ${tenantId} not found`);
  if (!state.inSubtree(tenantId, caller.tenantId)) {
    throw accessDenied(`tenant ${tenantId} is outside the caller's tenant subtree`);
  }
  if (body.use_existing_identity === true) {
    throw badRequest("use_existing_identity: not emulated (identities are not modelled)");
  }
  if (body.login === undefined) throw badRequest("login: required by the emulator");
  checkLoginRules(body.login);
  if (state.loginTaken(body.login)) throw loginConflict(body.login);
  const at = iso(state.now());
  // A new account has not confirmed its address; activation does.
  const contact = newContact(at, body.contact.email, false, body.contact);
  const id = randomUUID();
  let personalTenantId: string | undefined;
  if (atCustomerLevel(state, tenantId)) {
    personalTenantId = randomUUID();
    state.tenants.set(personalTenantId, {
      id: personalTenantId,
      name: body.login,
      parentId: tenantId,
      kind: "unit",
      children: [],
      personalOf: id,
    });
  }
  const user = newUserRecord(
    at,
    {
      id,
      personalTenantId,
      tenantId,
      login: body.login,
      version: 1,
      activated: false,
      enabled: body.enabled,
      language: body.language,
      notifications: body.notifications,
      externalId: body.external_id,
      idpId: body.idp_id?.toLowerCase(),
      disableAfter: body.disable_after,
      businessTypes: body.business_types,
      originId: body.origin_id,
      originExternalId: body.origin_external_id,
    },
    contact,
  );
  state.addUser(user);
  return user;
}

/**
 * DELETE /users/{id}?version=: only a disabled account (the guide), at its current version.
 * Refusals: a stale version 409 code 1001; an enabled account 400 code 1027 (the status of the
 * published tenant analogue, 400 "prohibited to delete a non-disabled tenant"; its code 1006 is
 * a tenant's, so the published "does not satisfy business rules"). Soft delete: `deleted_at` set, version +1, so GET
 * answers 404 and `allow_deleted=true` still shows it; outstanding links die with it.
 */
export function deleteUser(
  state: PlatformState,
  caller: ApiClient,
  rawId: string,
  version: number,
): UserRecord {
  const u = state.requireUser(caller, rawId);
  if (version !== u.version) throw versionMismatch(version, u.version);
  if (u.enabled) {
    throw businessRule(
      400,
      `user ${u.id} is enabled: disable it (PUT enabled=false) before deleting`,
    );
  }
  markDeleted(state, u);
  return u;
}

/**
 * GET /users/me for a client_credentials token: there is no person behind it, so the answer
 * describes the API client as an account of its tenant (emulator choice): `id` and `login` are
 * the client id, activated and enabled, no email.
 */
export function currentUser(state: PlatformState, caller: ApiClient): Record<string, unknown> {
  const tenant = state.tenants.get(caller.tenantId);
  return {
    id: caller.clientId,
    version: 1,
    tenant_id: caller.tenantId,
    created_at: caller.createdAt,
    updated_at: caller.createdAt,
    deleted_at: null,
    access_policies: [],
    origin_id: null,
    origin_external_id: null,
    disable_after: null,
    personal_tenant_id: null,
    login: caller.clientId,
    enabled: true,
    session_mfa_status: "passed_or_not_required",
    contact: {
      id: caller.clientId,
      created_at: caller.createdAt,
      updated_at: caller.createdAt,
      types: [],
      email: "",
      email_confirmed: null,
      ...Object.fromEntries(CONTACT_STRING_FIELDS.map((f) => [f, ""])),
    },
    activated: true,
    language: "en",
    business_types: [],
    notifications: [],
    mfa_status: "disabled",
    terms_accepted: true,
    login_totp_time: null,
    tenant_kind: tenant?.kind ?? "partner",
    tenant_pricing_model: "production",
    brand_id: "00000000-0000-4000-8000-000000000000",
  };
}
