import { authorize } from "../authorize";
import { methodNotAllowed, parseBool, parsePositiveInt, type Reply } from "../http";
import type { PlatformState } from "../state";
import { DEFAULT_SEARCH_LIMIT, search } from "../user-search";
import type { ApiCall } from "./api-call";

/** GET /api/2/search?tenant=&text=[&limit=&allow_deleted=]. */
export function routeSearch(state: PlatformState, call: ApiCall): Reply | undefined {
  const { method, rest, query, req } = call;
  if (rest.length !== 1 || rest[0] !== "search") return undefined;
  if (method !== "GET") throw methodNotAllowed(["GET"]);
  const caller = authorize(state, req.headers.authorization, "search");
  const limit = parsePositiveInt(query.get("limit"), "limit", DEFAULT_SEARCH_LIMIT);
  const items = search(
    state,
    caller,
    query.get("tenant"),
    query.get("text"),
    limit,
    parseBool(query.get("allow_deleted")),
  );
  return { status: 200, body: { items } };
}
