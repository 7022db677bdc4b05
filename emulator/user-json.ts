import type { Lod, UserRecord } from "./platform-records";

/**
 * An account as the API answers it (schema `user`), at a level of detail: `stamps` (ids,
 * version, timestamps), `basic` (+ login, enabled) or `full` (+ contact and the rest).
 */
export function userJson(u: UserRecord, lod: Lod, tenantKind: string): Record<string, unknown> {
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
