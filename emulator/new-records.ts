import { randomUUID } from "node:crypto";
import {
  type ApiClient,
  CONTACT_STRING_FIELDS,
  type Contact,
  type ContactStringField,
  type Tenant,
  type UserRecord,
} from "./platform-records";
import { DEFAULT_CLIENT_SCOPES } from "./scopes";
import type { ParsedSeed } from "./seed";

/**
 * Fresh records with the platform's defaults: from a seed entry (load and reset) or from a
 * created account (POST /users), so both start an account the same way.
 */

/** A contact created at `at`; contact strings not given are empty, as in the guide's example. */
export function newContact(
  at: string,
  email: string,
  emailConfirmed: boolean,
  strings: Partial<Record<ContactStringField, string | null>>,
): Contact {
  return {
    id: randomUUID(),
    created_at: at,
    updated_at: at,
    types: [],
    email,
    email_confirmed: emailConfirmed,
    ...(Object.fromEntries(CONTACT_STRING_FIELDS.map((f) => [f, strings[f] ?? ""])) as Pick<
      Contact,
      ContactStringField
    >),
  };
}

/** The fields a new account names; the rest take the platform's defaults. */
export type NewUser = Pick<UserRecord, "id" | "tenantId" | "login" | "version" | "activated"> &
  Partial<Omit<UserRecord, "createdAt" | "updatedAt" | "deletedAt" | "contact">>;

/** An account created at `at`, not deleted. */
export function newUserRecord(at: string, fields: NewUser, contact: Contact): UserRecord {
  return {
    id: fields.id,
    tenantId: fields.tenantId,
    login: fields.login,
    version: fields.version,
    activated: fields.activated,
    enabled: fields.enabled ?? true,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    language: fields.language ?? "en",
    notifications: [...(fields.notifications ?? ["maintenance", "quota", "reports"])],
    externalId: fields.externalId ?? null,
    idpId: fields.idpId ?? null,
    disableAfter: fields.disableAfter ?? null,
    businessTypes: [...(fields.businessTypes ?? [])],
    originId: fields.originId ?? null,
    originExternalId: fields.originExternalId ?? null,
    personalTenantId: fields.personalTenantId ?? null,
    contact,
  };
}

type SeedTenant = ParsedSeed["tenants"][number];
type SeedClient = ParsedSeed["clients"][number];
type SeedUser = ParsedSeed["users"][number];

/** A seeded tenant; its children are linked once all tenants exist. */
export function tenantFromSeed(t: SeedTenant): Tenant {
  return {
    id: t.id,
    name: t.name,
    parentId: t.parent_id ?? null,
    kind: t.kind ?? (t.parent_id ? "customer" : "partner"),
    children: [],
  };
}

export function clientFromSeed(c: SeedClient, at: string): ApiClient {
  return {
    clientId: c.client_id,
    secret: c.client_secret,
    tenantId: c.tenant_id,
    authMethod: c.auth_method === "post" ? "client_secret_post" : "client_secret_basic",
    createdAt: at,
    lastAccessAt: null,
    lastAccessFromIp: null,
    scopes: c.scopes ?? DEFAULT_CLIENT_SCOPES,
    status: "enabled",
    data: { client_name: "emulator" },
    redirectUris: [],
    originId: null,
  };
}

export function userFromSeed(u: SeedUser, at: string): UserRecord {
  // Seed choice: an activated account has confirmed its address; a new one has not.
  const contact = newContact(at, u.email, u.activated, {
    firstname: u.firstname ?? null,
    lastname: u.lastname ?? null,
  });
  return newUserRecord(
    at,
    {
      id: u.id,
      tenantId: u.tenant_id,
      login: u.login,
      version: u.version ?? 1,
      activated: u.activated,
      enabled: u.enabled,
      language: u.language,
    },
    contact,
  );
}
