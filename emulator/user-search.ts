import { badRequest } from "./errors";
import type { ApiClient } from "./platform-records";
import type { PlatformState } from "./state";
import { listed, requireTenantRoot } from "./user-listing";

/** GET /search: tenants and accounts of a subtree whose names match every query word. */

export const DEFAULT_SEARCH_LIMIT = 10;

function words(s: string | null): string[] {
  if (!s) return [];
  const lower = s.toLowerCase();
  // The whole value counts as a word too, so "alice@alpha" matches login "alice@alpha.example".
  return [lower, ...lower.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0)];
}

function matchesAll(query: string[], fields: (string | null)[]): boolean {
  const ws = fields.flatMap(words);
  return query.every((q) => ws.some((w) => w.startsWith(q)));
}

/**
 * Every query word must prefix some word of login, email, first or last name (tenants: of the
 * name), case-insensitively. Depth-first from the search root.
 */
export function search(
  state: PlatformState,
  caller: ApiClient,
  rawTenant: string | null,
  text: string | null,
  limit: number,
  allowDeleted: boolean,
): Record<string, unknown>[] {
  if (!rawTenant) throw badRequest("tenant: required");
  const root = requireTenantRoot(state, caller, rawTenant, "tenant");
  const query = (text ?? "")
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  if (query.length === 0) throw badRequest("text: required");
  const items: Record<string, unknown>[] = [];
  const visit = (tenantId: string, pathToParent: string[]): void => {
    const t = state.tenants.get(tenantId);
    if (!t || items.length >= limit) return;
    if (matchesAll(query, [t.name])) {
      items.push({
        obj_type: "tenant",
        kind: t.kind,
        id: t.id,
        parent_id: t.parentId ?? t.id,
        // The guide's example: a tenant hit's path ends with its own name.
        path: [...pathToParent, t.name],
        name: t.name,
        first_name: null,
        last_name: null,
        deleted_at: null,
      });
    }
    const here = [...pathToParent, t.name];
    for (const id of state.userIdsOf(tenantId)) {
      if (items.length >= limit) return;
      const u = state.users.get(id);
      if (!listed(u, allowDeleted)) continue;
      const ct = u.contact;
      if (matchesAll(query, [u.login, ct.email, ct.firstname, ct.lastname])) {
        // Email is searched but deliberately not returned (schema `global_search`).
        items.push({
          obj_type: "user",
          id: u.id,
          parent_id: u.tenantId,
          path: here,
          login: u.login,
          first_name: ct.firstname,
          last_name: ct.lastname,
          deleted_at: u.deletedAt,
        });
      }
    }
    for (const child of t.children) visit(child, here);
  };
  visit(root, []);
  return items;
}
