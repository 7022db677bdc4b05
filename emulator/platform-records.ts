import type { Scope } from "./scopes";

/** The in-memory records of the emulated platform, and the fixed lists their fields use. */

export const NOTIFICATIONS = [
  "maintenance",
  "quota",
  "reports",
  "backup_error",
  "backup_warning",
  "backup_info",
  "backup_daily_report",
  "backup_critical",
  "device_control_warning",
  "certificate_management_error",
  "certificate_management_warning",
  "certificate_management_info",
] as const;

/** Contact fields that are nullable strings in both `items` (GET) and `contactPut`. */
export const CONTACT_STRING_FIELDS = [
  "address1",
  "address2",
  "country",
  "state",
  "city",
  "zipcode",
  "phone",
  "firstname",
  "lastname",
  "title",
  "website",
  "industry",
  "organization_size",
  "aan",
  "fax",
  "language",
] as const;
export type ContactStringField = (typeof CONTACT_STRING_FIELDS)[number];

export interface Tenant {
  id: string;
  name: string;
  parentId: string | null;
  kind: string;
  children: string[];
  /**
   * A user's personal tenant: held in `tenants` but not among its parent's `children`, so
   * listings and search walk past it (emulator choice; the API's tenant routes are not served).
   */
  personalOf?: string;
}

export interface ApiClient {
  clientId: string;
  secret: string;
  tenantId: string;
  authMethod: "client_secret_basic" | "client_secret_post";
  createdAt: string;
  lastAccessAt: string | null;
  lastAccessFromIp: string | null;
  scopes: readonly Scope[];
  /** Disabled clients get no new tokens (schema `client.status`). */
  status: "enabled" | "disabled";
  data: Record<string, unknown>;
  redirectUris: string[];
  originId: string | null;
}

export interface Contact extends Record<ContactStringField, string | null> {
  id: string;
  created_at: string;
  updated_at: string;
  types: string[];
  email: string;
  email_confirmed: boolean | null;
}

export interface UserRecord {
  id: string;
  tenantId: string;
  login: string;
  version: number;
  activated: boolean;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  language: string;
  notifications: string[];
  externalId: string | null;
  idpId: string | null;
  disableAfter: string | null;
  businessTypes: string[];
  originId: string | null;
  originExternalId: string | null;
  /** The account's personal tenant (a `unit`), created with it at customer level and below. */
  personalTenantId: string | null;
  contact: Contact;
}

export interface Mail {
  id: string;
  /** An email-change confirmation (PUT) or an activation mail (send-activation-email). */
  kind: "email-change" | "activation";
  /** The address the link was sent to: the account's email at the time of the PUT (the OLD one). */
  to: string;
  userId: string;
  requestedEmail: string;
  /** Path of the confirmation link; the server makes it absolute. */
  linkPath: string;
  sentAt: string;
  /** Set when the link is opened; a link opens once. */
  openedAt: string | null;
  /** pending until opened; then confirmed, or rejected when the account moved on. */
  outcome: "pending" | "confirmed" | "superseded" | "deleted";
  /** Account version the link is valid for. */
  baseVersion: number;
}

/** Level of detail of a user in GET /users (`lod`). */
export type Lod = "stamps" | "basic" | "full";

/** Timestamps as the platform writes them. */
/**
 * A timestamp as the published examples write them: UTC as `+00:00`, with microseconds
 * (e.g. `2026-12-08T00:06:13.123000+00:00`; schema `item1` allows at most 32 characters).
 */
export const iso = (ms: number) =>
  new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00");
