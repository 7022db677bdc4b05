/**
 * A small platform for engine-level tests: one API client at the root tenant, accounts in a
 * customer tenant below it, and one account in a tenant outside the client's reach.
 */

export const ROOT_TENANT = "a0000000-0000-4000-8000-000000000000";
export const CUSTOMER_TENANT = "a0000000-0000-4000-8000-000000000001";
export const FOREIGN_TENANT = "a0000000-0000-4000-8000-0000000000ff";

export const CLIENT_ID = "c0000000-0000-4000-8000-000000000001";
/** Distinctive, so a leak anywhere is easy to find. */
export const CLIENT_SECRET = "s3cr3t-Fixture-ClientSecret-9f8e7d";

export const USERS = {
  /** Not activated: a PUT changes the email at once. */
  fresh: "b0000000-0000-4000-8000-000000000001",
  /** Activated: a PUT mails a confirmation link to the old address. */
  active: "b0000000-0000-4000-8000-000000000002",
  /** Activated, a second one for replace and race scenarios. */
  active2: "b0000000-0000-4000-8000-000000000003",
  /** Not activated, second. */
  fresh2: "b0000000-0000-4000-8000-000000000004",
  /** In a tenant the API client cannot see (403). */
  foreign: "b0000000-0000-4000-8000-0000000000ff",
  /** Never existed (404). */
  missing: "b0000000-0000-4000-8000-00000000dead",
} as const;

export const seed = {
  tenants: [
    { id: ROOT_TENANT, name: "Root Partner" },
    { id: CUSTOMER_TENANT, name: "Customer One", parent_id: ROOT_TENANT },
    { id: FOREIGN_TENANT, name: "Somebody Else" },
  ],
  clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, tenant_id: ROOT_TENANT }],
  users: [
    {
      id: USERS.fresh,
      login: "fresh",
      email: "fresh@old.example.com",
      tenant_id: CUSTOMER_TENANT,
      activated: false,
      version: 1,
    },
    {
      id: USERS.active,
      login: "active",
      email: "active@old.example.com",
      tenant_id: CUSTOMER_TENANT,
      activated: true,
      version: 1559561146223,
    },
    {
      id: USERS.active2,
      login: "active2",
      email: "active2@old.example.com",
      tenant_id: CUSTOMER_TENANT,
      activated: true,
      version: 3,
    },
    {
      id: USERS.fresh2,
      login: "fresh2",
      email: "fresh2@old.example.com",
      tenant_id: CUSTOMER_TENANT,
      activated: false,
      version: 1,
    },
    {
      id: USERS.foreign,
      login: "foreign",
      email: "foreign@else.example.org",
      tenant_id: FOREIGN_TENANT,
      activated: true,
      version: 1,
    },
  ],
};

export function stackConfig(baseUrl: string): Record<string, string> {
  return {
    "acronis:baseUrl": baseUrl,
    "acronis:clientId": CLIENT_ID,
    "acronis:clientSecret": CLIENT_SECRET,
  };
}
