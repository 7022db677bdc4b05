import { authorize } from "../authorize";
import { notFound } from "../errors";
import { methodNotAllowed, parseBool, type Reply } from "../http";
import { UUID_RE } from "../patterns";
import type { PlatformState } from "../state";
import { tenantUserIds } from "../user-listing";
import type { ApiCall } from "./api-call";

/**
 * GET /api/2/tenants/{tenant_id}/users (FetchTenantUsers): `{"items": [uuid, ...]}`. The spec
 * declares 200/401/403/404 only, so an id that is no UUID answers 404 (no such tenant).
 */
export function routeTenantUsers(state: PlatformState, call: ApiCall): Reply | undefined {
  const { method, rest, query, req } = call;
  const [coll, rawId, sub] = rest;
  if (rest.length !== 3 || coll !== "tenants" || sub !== "users" || !rawId) return undefined;
  if (method !== "GET") throw methodNotAllowed(["GET"]);
  const caller = authorize(state, req.headers.authorization, "fetchTenantUsers");
  if (!UUID_RE.test(rawId)) throw notFound(`tenant ${rawId} not found`);
  const items = tenantUserIds(state, caller, rawId.toLowerCase(), {
    includeGrandChildren: parseBool(query.get("include_grand_children")),
    allowDeleted: parseBool(query.get("allow_deleted")),
    order: query.get("order") ?? "name",
  });
  return { status: 200, body: { items } };
}
