/**
 * The names the emulator counts, logs and holds API requests under: "METHOD /normalized/path",
 * the path with each account or client id written `{id}` (faults.ts `normalizePath`). Tests,
 * scripts and the emulator's control routes (`requests().counts`, `holds.arrivals(key)`) use
 * these rather than spelling the strings out; fault and hold rules match the paths.
 */

/** The token endpoint (client credentials). */
export const TOKEN_PATH = "/api/2/idp/token";
/** All users: batch reads (`?uuids=`) and a tenant subtree's listing (`?subtree_root_tenant_id=`). */
export const USERS_PATH = "/api/2/users";
/** One account. */
export const USER_PATH = "/api/2/users/{id}";
/** Search by login or email text. */
export const SEARCH_PATH = "/api/2/search";

/** The key of a request: its method and normalized path, as the emulator builds it. */
export function requestKey<M extends string, P extends string>(method: M, path: P): `${M} ${P}` {
  return `${method} ${path}`;
}

/** Issuing a token. */
export const POST_TOKEN = requestKey("POST", TOKEN_PATH);
/** A batch read or a subtree listing page: the query is not part of the key. */
export const GET_USERS = requestKey("GET", USERS_PATH);
/** Reading one account. */
export const GET_USER = requestKey("GET", USER_PATH);
/** Changing an account (its email): what sends a confirmation link to an activated account. */
export const PUT_USER = requestKey("PUT", USER_PATH);
/** A search. */
export const GET_SEARCH = requestKey("GET", SEARCH_PATH);
