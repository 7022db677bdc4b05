import type { IncomingMessage } from "node:http";
import { notFound } from "../errors";
import type { Reply } from "../http";
import type { PlatformState } from "../state";
import type { ApiCall, ApiRoute } from "./api-call";
import { routeClients } from "./clients";
import { routeSearch } from "./search";
import { routeTenantUsers } from "./tenant-users";
import { routeToken } from "./token";
import { routeUserById } from "./user-by-id";
import { routeUserLifecycle } from "./users";
import { routeUsersBatch } from "./users-batch";

/** Asked in this order; the first that owns the path answers (405s included). */
const ROUTES: readonly ApiRoute[] = [
  routeToken,
  routeClients,
  routeUserLifecycle,
  routeUsersBatch,
  routeUserById,
  routeSearch,
  routeTenantUsers,
];

/** Applies one `/api/2` request to the platform; throws the error answers. */
export function routeApi(
  state: PlatformState,
  method: string,
  path: string,
  query: URLSearchParams,
  req: IncomingMessage,
  body: Buffer,
): Reply {
  const segs = path.split("/"); // ["", "api", "2", ...]
  if (segs[1] !== "api" || segs[2] !== "2") throw notFound(`no route for ${path}`);
  const call: ApiCall = { method, rest: segs.slice(3), query, req, body };
  for (const route of ROUTES) {
    const reply = route(state, call);
    if (reply !== undefined) return reply;
  }
  throw notFound(`no route for ${path}`);
}
