import { authorize } from "../authorize";
import { clientPutSchema } from "../body-schemas";
import { clientJson, deleteClient, getClient, updateClient } from "../clients-lifecycle";
import { jsonBody, methodNotAllowed, type Reply } from "../http";
import type { PlatformState } from "../state";
import type { ApiCall } from "./api-call";

/** GET, PUT and DELETE /api/2/clients/{id}; undefined for any other path. */
export function routeClients(state: PlatformState, call: ApiCall): Reply | undefined {
  const { method, rest, req, body } = call;
  const [coll, id] = rest;
  if (rest.length !== 2 || coll !== "clients" || !id) return undefined;
  const auth = req.headers.authorization;
  if (method === "GET") {
    return { status: 200, body: getClient(state, authorize(state, auth, "fetchClient"), id) };
  }
  if (method === "PUT") {
    const caller = authorize(state, auth, "updateClient");
    const put = jsonBody(req, body, clientPutSchema);
    return { status: 200, body: clientJson(updateClient(state, caller, id, put)) };
  }
  if (method === "DELETE") {
    deleteClient(state, authorize(state, auth, "deleteClient"), id);
    return { status: 204 };
  }
  throw methodNotAllowed(["GET", "PUT", "DELETE"]);
}
