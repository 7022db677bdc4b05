import type { IncomingMessage } from "node:http";
import {
  clientJson,
  clientPutSchema,
  deleteClient,
  getClient,
  updateClient,
} from "../clients-lifecycle";
import { badRequest } from "../errors";
import { methodNotAllowed, parseJson, type Reply, requireJsonBody } from "../http";
import { authorize } from "../scopes";
import { type PlatformState, zodInfo } from "../state";

/** GET, PUT and DELETE /api/2/clients/{id}; undefined for any other path. */
export function routeClients(
  state: PlatformState,
  method: string,
  rest: string[],
  req: IncomingMessage,
  body: Buffer,
): Reply | undefined {
  const [coll, id] = rest;
  if (rest.length !== 2 || coll !== "clients" || !id) return undefined;
  const auth = req.headers.authorization;
  if (method === "GET") {
    return { status: 200, body: getClient(state, authorize(state, auth, "fetchClient"), id) };
  }
  if (method === "PUT") {
    const caller = authorize(state, auth, "updateClient");
    requireJsonBody(req);
    const parsed = clientPutSchema.safeParse(parseJson(body));
    if (!parsed.success) throw badRequest(zodInfo(parsed.error));
    return { status: 200, body: clientJson(updateClient(state, caller, id, parsed.data)) };
  }
  if (method === "DELETE") {
    deleteClient(state, authorize(state, auth, "deleteClient"), id);
    return { status: 204 };
  }
  throw methodNotAllowed(["GET", "PUT", "DELETE"]);
}
