import type { z } from "zod";
import {
  clientSchema,
  searchSchema,
  tokenSchema,
  type UserWire,
  userBatchSchema,
  userPageSchema,
  userSchema,
} from "./schemas";

/**
 * The platform endpoints the client calls: for each, the request (method, path, query, body) and
 * the schema its answer must match, and what an answer becomes. No sending here (request-loop.ts).
 */

export interface AcronisUser {
  id: string;
  version: number;
  tenantId: string;
  login: string;
  email: string;
  activated: boolean;
  enabled: boolean;
  deletedAt: string | null;
}

export interface SearchUser {
  id: string;
  tenantId: string;
  login: string;
  path: string[];
}

export interface ApiClientInfo {
  clientId: string;
  tenantId: string;
}

export type Method = "GET" | "PUT" | "POST";

/** One request to one endpoint, and the schema its answer must match. */
export interface CallSpec<S extends z.ZodType> {
  method: Method;
  /** Path relative to the base URL, without query (used in errors). */
  path: string;
  /** Endpoint template for schema errors, e.g. "/users/{id}". */
  route: string;
  query?: string;
  body?: string;
  contentType?: string;
  schema: S;
  /** false only for the token call itself. */
  auth: boolean;
}

export function toUser(u: UserWire): AcronisUser {
  return {
    id: u.id,
    version: u.version,
    tenantId: u.tenant_id,
    login: u.login,
    email: u.contact.email,
    activated: u.activated,
    enabled: u.enabled,
    deletedAt: u.deleted_at ?? null,
  };
}

/** A GET with the bearer token; `route` names the endpoint in errors. */
function authGet<S extends z.ZodType>(
  route: string,
  path: string,
  schema: S,
  query?: string,
): CallSpec<S> {
  return { method: "GET", path, route, query, schema, auth: true };
}

/** POST /idp/token: a client-credentials token (the call that authenticates with Basic). */
export const tokenCall: CallSpec<typeof tokenSchema> = {
  method: "POST",
  path: "/idp/token",
  route: "/idp/token",
  body: "grant_type=client_credentials",
  contentType: "application/x-www-form-urlencoded",
  schema: tokenSchema,
  auth: false,
};

/** GET /users/{id}: one account. */
export function userCall(id: string): CallSpec<typeof userSchema> {
  return authGet("/users/{id}", `/users/${encodeURIComponent(id)}`, userSchema);
}

/** GET /users?uuids=: several accounts by id (at most MAX_BATCH, see batcher.ts). */
export function usersByIdCall(ids: readonly string[]): CallSpec<typeof userBatchSchema> {
  // Literal commas: the documented form is uuids=<id,id,...>.
  const query = `uuids=${ids.map(encodeURIComponent).join(",")}`;
  return authGet("/users?uuids=", "/users", userBatchSchema, query);
}

/** The route named in errors about a tenant's listing. */
export const TENANT_PAGE_ROUTE = "/users?subtree_root_tenant_id=";

/**
 * A page of the users of a tenant's subtree (`lod=full`): the first page, or the one `cursor`
 * points at; `limit` users at most, or the platform's default page size; deleted users too
 * with `allowDeleted` (the cursor keeps it for later pages).
 */
export function tenantPageCall(
  tenantId: string,
  cursor: string | undefined,
  limit: number | undefined,
  allowDeleted: boolean,
): CallSpec<typeof userPageSchema> {
  // The cursor carries the filter and the level of detail.
  const query =
    cursor === undefined
      ? new URLSearchParams({ subtree_root_tenant_id: tenantId, lod: "full" })
      : new URLSearchParams({ after: cursor });
  if (cursor === undefined && allowDeleted) query.set("allow_deleted", "true");
  if (limit !== undefined) query.set("limit", String(limit));
  return authGet(TENANT_PAGE_ROUTE, "/users", userPageSchema, query.toString());
}

/** PUT /users/{id}: the contact email, guarded by the version read. */
export function updateEmailCall(
  id: string,
  email: string,
  version: number,
): CallSpec<typeof userSchema> {
  return {
    method: "PUT",
    path: `/users/${encodeURIComponent(id)}`,
    route: "/users/{id}",
    body: JSON.stringify({ contact: { email }, version }),
    contentType: "application/json",
    schema: userSchema,
    auth: true,
  };
}

/** GET /search: objects of a tenant matching `text`. */
export function searchCall(
  tenantId: string,
  text: string,
  limit: number | undefined,
): CallSpec<typeof searchSchema> {
  const q = new URLSearchParams({ tenant: tenantId, text });
  if (limit !== undefined) q.set("limit", String(limit));
  return authGet("/search", "/search", searchSchema, q.toString());
}

/** The users among search results. */
export function searchUsers(res: z.infer<typeof searchSchema>): SearchUser[] {
  return res.items
    .filter((i) => i.obj_type === "user")
    .map((i) => ({ id: i.id, tenantId: i.parent_id ?? "", login: i.login ?? "", path: i.path }));
}

/** GET /clients/{id}: an API client and its tenant. */
export function clientCall(clientId: string): CallSpec<typeof clientSchema> {
  return authGet("/clients/{id}", `/clients/${encodeURIComponent(clientId)}`, clientSchema);
}
