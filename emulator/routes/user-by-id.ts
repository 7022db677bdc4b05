import { authorize } from "../authorize";
import { userPutSchema } from "../body-schemas";
import { jsonBody, methodNotAllowed, parseBool, type Reply } from "../http";
import { parseUuid } from "../patterns";
import type { PlatformState } from "../state";
import { putUser } from "../user-writes";
import type { ApiCall } from "./api-call";

/** GET and PUT /api/2/users/{id} (DELETE is the lifecycle's, answered before this route). */
export function routeUserById(state: PlatformState, call: ApiCall): Reply | undefined {
  const { method, rest, query, req, body } = call;
  const [coll, id] = rest;
  if (rest.length !== 2 || coll !== "users" || !id) return undefined;
  const auth = req.headers.authorization;
  if (method === "GET") {
    const caller = authorize(state, auth, "fetchUser");
    const u = state.requireUser(caller, id, parseBool(query.get("allow_deleted")));
    return { status: 200, body: state.userJson(u) };
  }
  if (method === "PUT") {
    const caller = authorize(state, auth, "updateUser");
    parseUuid(id, "user_id");
    const put = jsonBody(req, body, userPutSchema);
    return { status: 200, body: state.userJson(putUser(state, caller, id, put)) };
  }
  throw methodNotAllowed(["GET", "PUT", "DELETE"]);
}
