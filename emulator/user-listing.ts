import { accessDenied, notFound } from "./errors";
import { parseUuid } from "./patterns";
import type { ApiClient, UserRecord } from "./platform-records";
import type { PlatformState } from "./state";

/** GET /users: accounts by id, or a tenant subtree page by page. */

export const MAX_BATCH_UUIDS = 100;
export const DEFAULT_BATCH_LIMIT = 2000;

/** Whether a listing shows `u`: it exists, and is not deleted unless those are asked for. */
export function listed(u: UserRecord | undefined, allowDeleted: boolean): u is UserRecord {
  return u !== undefined && (u.deletedAt === null || allowDeleted);
}

/** GET /users?uuids=...: unknown, deleted and out-of-subtree ids are simply absent. */
export function usersByIds(
  state: PlatformState,
  caller: ApiClient,
  ids: string[],
  allowDeleted: boolean,
): UserRecord[] {
  const out: UserRecord[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    const u = state.users.get(id);
    if (!listed(u, allowDeleted)) continue;
    if (!state.inSubtree(u.tenantId, caller.tenantId)) continue;
    out.push(u);
  }
  return out;
}

/** A tenant id the caller may list from: 400 malformed, 404 unknown, 403 outside its subtree. */
export function requireTenantRoot(
  state: PlatformState,
  caller: ApiClient,
  raw: string,
  field: string,
): string {
  const root = parseUuid(raw, field);
  if (!state.tenants.has(root)) throw notFound(`tenant ${root} not found`);
  if (!state.inSubtree(root, caller.tenantId)) {
    throw accessDenied(`tenant ${root} is outside the caller's tenant subtree`);
  }
  return root;
}

/** GET /users?subtree_root_tenant_id=...: depth-first by tenant, then seed order. */
export function usersInSubtree(
  state: PlatformState,
  caller: ApiClient,
  rawRoot: string,
  offset: number,
  limit: number,
  allowDeleted: boolean,
): { users: UserRecord[]; next: number | null } {
  const root = requireTenantRoot(state, caller, rawRoot, "subtree_root_tenant_id");
  const out: UserRecord[] = [];
  let index = 0;
  let more = false;
  const stack = [root];
  outer: while (stack.length > 0) {
    const t = stack.pop() as string;
    for (const id of state.userIdsOf(t)) {
      const u = state.users.get(id);
      if (!listed(u, allowDeleted)) continue;
      if (index++ < offset) continue;
      if (out.length >= limit) {
        more = true;
        break outer;
      }
      out.push(u);
    }
    const kids = state.tenants.get(t)?.children ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as string);
  }
  return { users: out, next: more ? offset + out.length : null };
}

/** FetchTenantUsers' `order` keys the emulator sorts by; any other sorts by `name` (choice). */
const ORDER_KEYS = ["as_is", "login", "name"] as const;

function sortKey(u: UserRecord, key: string): string {
  if (key === "login") return u.login.toLowerCase();
  const name = [u.contact.firstname, u.contact.lastname].filter((s) => s).join(" ");
  return (name || u.login).toLowerCase();
}

/**
 * GET /tenants/{tenant_id}/users (FetchTenantUsers): the ids of the tenant's own accounts; with
 * `include_grand_children`, also those of nested `unit` tenants under a customer, or nested
 * `folder` tenants under any other kind (the spec's words). Not paged. `order`: `as_is`,
 * `login` or `name` (default: first and last name, else login), `-` reverses.
 */
export function tenantUserIds(
  state: PlatformState,
  caller: ApiClient,
  tenantId: string,
  opts: { includeGrandChildren: boolean; allowDeleted: boolean; order: string },
): string[] {
  if (!state.tenants.has(tenantId)) throw notFound(`tenant ${tenantId} not found`);
  if (!state.inSubtree(tenantId, caller.tenantId)) {
    throw accessDenied(`tenant ${tenantId} is outside the caller's tenant subtree`);
  }
  const tenant = state.tenants.get(tenantId);
  const nestedKind = tenant?.kind === "customer" ? "unit" : "folder";
  const tenants = [tenantId];
  for (let i = 0; opts.includeGrandChildren && i < tenants.length; i++) {
    for (const child of state.tenants.get(tenants[i] as string)?.children ?? []) {
      if (state.tenants.get(child)?.kind === nestedKind) tenants.push(child);
    }
  }
  const users = tenants
    .flatMap((t) => state.userIdsOf(t))
    .map((id) => state.users.get(id))
    .filter((u) => listed(u, opts.allowDeleted));
  const reverse = opts.order.startsWith("-");
  const key = opts.order.replace(/^-/, "");
  if (key !== "as_is") {
    const k = (ORDER_KEYS as readonly string[]).includes(key) ? key : "name";
    users.sort((a, b) => sortKey(a, k).localeCompare(sortKey(b, k)));
  }
  if (reverse) users.reverse();
  return users.map((u) => u.id);
}
