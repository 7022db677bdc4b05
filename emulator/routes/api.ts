import type { IncomingMessage } from "node:http";
import { notFound } from "../errors";
import type { Reply } from "../http";
import type { PlatformState } from "../state";
import { routeClients } from "./clients";
import { routeSearch } from "./search";
import { routeToken } from "./token";
import { routeUserById } from "./user-by-id";
import { routeUserLifecycle } from "./users";
import { routeUsersBatch } from "./users-batch";

/** One API request, as every route reads it. */
export interface ApiCall {
  method: string;
  /** The path's segments after `/api/2`. */
  rest: string[];
  query: URLSearchParams;
  req: IncomingMessage;
  /** The whole body (empty for GET and HEAD). */
  body: Buffer;
}

/** A route answers the calls it owns and undefined for any other path. */
export type ApiRoute = (state: PlatformState, call: ApiCall) => Reply | undefined;

/** Asked in this order; the first that owns the path answers (405s included). */
const ROUTES: readonly ApiRoute[] = [
  routeToken,
  routeClients,
  routeUserLifecycle,
  routeUsersBatch,
  routeUserById,
  routeSearch,
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
