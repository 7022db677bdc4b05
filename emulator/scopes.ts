/**
 * Account-server scopes (`urn:acronis.com::account-server::<name>`) the emulated operations
 * name in the OpenAPI `security` of each operation.
 */
export const SCOPES = [
  "tenant_admin",
  "tenant_viewer",
  "user_admin",
  "replication_manager",
  "managed_clients_admin",
] as const;
export type Scope = (typeof SCOPES)[number];

/** What a seeded client without `scopes` holds: an API client of a partner administrator. */
export const DEFAULT_CLIENT_SCOPES: readonly Scope[] = [
  "tenant_admin",
  "tenant_viewer",
  "user_admin",
];

/** The scope each operation requires (any one of the list), from the subset's `security`. */
export const OPERATION_SCOPES = {
  fetchClient: ["tenant_viewer"],
  updateClient: ["tenant_admin", "replication_manager", "managed_clients_admin"],
  deleteClient: ["tenant_admin", "replication_manager", "managed_clients_admin"],
  fetchUser: ["tenant_viewer"],
  fetchUsersBatch: ["tenant_viewer"],
  fetchTenantUsers: ["tenant_viewer"],
  updateUser: ["tenant_admin"],
  createUser: ["tenant_admin"],
  deleteUser: ["tenant_admin"],
  search: ["tenant_viewer"],
  fetchCurrentUser: ["tenant_viewer"],
  checkLogin: ["tenant_viewer"],
  sendActivationEmail: ["user_admin"],
} as const satisfies Record<string, readonly Scope[]>;
export type Operation = keyof typeof OPERATION_SCOPES;

/**
 * Emulator choice (UNCONFIRMED): `tenant_admin` includes `tenant_viewer`, as an administrator
 * role includes reading what it administers.
 */
export function holds(scopes: readonly Scope[], scope: Scope): boolean {
  return scopes.includes(scope) || (scope === "tenant_viewer" && scopes.includes("tenant_admin"));
}
