import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  accessDenied,
  badRequest,
  businessRule,
  ErrorCode,
  loginConflict,
  notFound,
  PlatformError,
} from "./errors";
import { EMAIL_RE, UUID_RE } from "./seed";
import {
  type ApiClient,
  CONTACT_STRING_FIELDS,
  type Contact,
  NOTIFICATIONS,
  type PlatformState,
  type UserRecord,
} from "./state";

/**
 * The account lifecycle of the API (schema `userPost`, operations CheckLoginNameAvailability,
 * CreateUser, DeleteUser, FetchCurrentUserInfo) over the in-memory platform.
 */

const rfc3339 = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/, "must be RFC 3339");
const nullableString = z.string().nullable().optional();
const contactStrings = Object.fromEntries(
  CONTACT_STRING_FIELDS.map((f) => [f, nullableString]),
) as Record<(typeof CONTACT_STRING_FIELDS)[number], typeof nullableString>;

/** Schema `userPost` (additionalProperties false; `tenant_id` and `contact.email` required). */
export const userPostSchema = z.strictObject({
  tenant_id: z.string().regex(UUID_RE, "must be a UUID"),
  login: z.string().min(1, "must not be empty").optional(),
  external_id: z.string().optional(),
  idp_id: z.string().regex(UUID_RE, "must be a UUID").optional(),
  contact: z.strictObject({
    email: z.string().regex(EMAIL_RE, "must match ^$|\\S+@\\S+"),
    ...contactStrings,
  }),
  enabled: z.boolean().optional(),
  language: z.string().optional(),
  business_types: z.array(z.enum(["buyer"])).optional(),
  notifications: z.array(z.enum(NOTIFICATIONS)).optional(),
  use_existing_identity: z.boolean().optional(),
  origin_id: z.string().optional(),
  origin_external_id: z.string().optional(),
  disable_after: rfc3339.optional(),
});
export type UserPost = z.infer<typeof userPostSchema>;

/** GET /users/check_login: 204 free, 409 taken (deleted accounts keep their login), 406 no name. */
export function checkLogin(state: PlatformState, username: string | null): void {
  if (username === null || username.length === 0) {
    throw new PlatformError(
      406,
      ErrorCode.badRequest,
      "Provided arguments are not acceptable",
      "username: required",
    );
  }
  if (state.loginTaken(username)) throw loginConflict(username);
}

/**
 * POST /users: a new account, not activated, version 1, in a tenant of the caller's subtree.
 * Emulator choices: a login is required (400 without), `use_existing_identity` is refused (400),
 * no personal tenant is created, `enabled` defaults to true.
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
  if (state.loginTaken(body.login)) throw loginConflict(body.login);
  const at = new Date(state.now()).toISOString();
  const contact: Contact = {
    id: randomUUID(),
    created_at: at,
    updated_at: at,
    types: [],
    email: body.contact.email,
    // A new account has not confirmed its address; activation does.
    email_confirmed: false,
    ...(Object.fromEntries(CONTACT_STRING_FIELDS.map((f) => [f, body.contact[f] ?? null])) as Pick<
      Contact,
      (typeof CONTACT_STRING_FIELDS)[number]
    >),
  };
  const user: UserRecord = {
    id: randomUUID(),
    tenantId,
    login: body.login,
    version: 1,
    activated: false,
    enabled: body.enabled ?? true,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    language: body.language ?? "en",
    notifications: [...(body.notifications ?? ["maintenance", "quota", "reports"])],
    externalId: body.external_id ?? null,
    idpId: body.idp_id?.toLowerCase() ?? null,
    disableAfter: body.disable_after ?? null,
    businessTypes: [...(body.business_types ?? [])],
    originId: body.origin_id ?? null,
    originExternalId: body.origin_external_id ?? null,
    contact,
  };
  state.addUser(user);
  return user;
}

/**
 * DELETE /users/{id}?version=: only a disabled account, at its current version (409 code 1027
 * enabled, 409 code 1001 stale version). Soft delete: `deleted_at` set, version +1, so GET
 * answers 404 and `allow_deleted=true` still shows it; outstanding links die with it.
 */
export function deleteUser(
  state: PlatformState,
  caller: ApiClient,
  rawId: string,
  version: number,
): UserRecord {
  const u = state.requireUser(caller, rawId);
  if (version !== u.version) {
    throw new PlatformError(
      409,
      ErrorCode.versionMismatch,
      "Version mismatch",
      `version ${version} does not match the current version ${u.version}`,
    );
  }
  if (u.enabled) {
    throw businessRule(`user ${u.id} is enabled: disable it (PUT enabled=false) before deleting`);
  }
  state.touch(u, false);
  u.deletedAt = u.updatedAt;
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
      ...Object.fromEntries(CONTACT_STRING_FIELDS.map((f) => [f, null])),
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
