import type { Lod, UserRecord } from "./platform-records";

/**
 * Which published schema the answer follows: `user` (one account: GET, PUT, POST) declares
 * `origin_id`, `origin_external_id` and `disable_after` optional and not nullable, so they are
 * left out when unset; `userBatch` items (GET /users) require them, null when unset.
 */
export type UserSchema = "user" | "batch";

const OPTIONAL_IN_USER = ["origin_id", "origin_external_id", "disable_after"] as const;

/**
 * An account as the API answers it, at a level of detail: `stamps` (ids, version, timestamps),
 * `basic` (+ login, enabled) or `full` (+ contact and the rest).
 */
export function userJson(
  u: UserRecord,
  lod: Lod,
  tenantKind: string,
  schema: UserSchema = "user",
): Record<string, unknown> {
  const json = userJsonOfBatch(u, lod, tenantKind);
  if (schema === "user") for (const k of OPTIONAL_IN_USER) if (json[k] === null) delete json[k];
  return json;
}

function userJsonOfBatch(u: UserRecord, lod: Lod, tenantKind: string): Record<string, unknown> {
  const stamps: Record<string, unknown> = {
    id: u.id,
    version: u.version,
    tenant_id: u.tenantId,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
    deleted_at: u.deletedAt,
    origin_id: u.originId,
    origin_external_id: u.originExternalId,
    disable_after: u.disableAfter,
  };
  if (lod === "stamps") return { ...stamps, access_policies: [] };
  const basic = {
    ...stamps,
    personal_tenant_id: u.personalTenantId,
    login: u.login,
    enabled: u.enabled,
    session_mfa_status: "passed_or_not_required",
  };
  if (lod === "basic") return { ...basic, access_policies: [] };
  const full: Record<string, unknown> = {
    ...basic,
    access_policies: [],
    contact: { ...u.contact, types: [...u.contact.types] },
    activated: u.activated,
    language: u.language,
    business_types: [...u.businessTypes],
    notifications: [...u.notifications],
    mfa_status: "disabled",
    terms_accepted: u.activated,
    tenant_kind: tenantKind,
  };
  if (u.externalId !== null) full.external_id = u.externalId;
  if (u.idpId !== null) full.idp_id = u.idpId;
  return full;
}
