import { z } from "zod";
import { sendActivationEmail } from "../activation";
import { authorize } from "../authorize";
import { userPostSchema } from "../body-schemas";
import { badRequest } from "../errors";
import { jsonBody, methodNotAllowed, parsed, parseJson, type Reply } from "../http";
import type { PlatformState } from "../state";
import { checkLogin, createUser, currentUser, deleteUser } from "../users-lifecycle";
import type { ApiCall } from "./api-call";

/**
 * The account lifecycle routes under /api/2/users: check_login, me, POST (create),
 * send-activation-email and DELETE. Answers undefined for the user routes it does not own
 * (GET /users, GET and PUT /users/{id}), which routes after it answer.
 */
export function routeUserLifecycle(state: PlatformState, call: ApiCall): Reply | undefined {
  const { method, rest, query, req, body } = call;
  const [coll, id, action] = rest;
  if (coll !== "users") return undefined;
  const auth = req.headers.authorization;
  if (rest.length === 1 && method === "POST") {
    const caller = authorize(state, auth, "createUser");
    const post = jsonBody(req, body, userPostSchema);
    return { status: 200, body: state.userJson(createUser(state, caller, post)) };
  }
  if (rest.length === 2 && id === "check_login") {
    if (method !== "GET") throw methodNotAllowed(["GET"]);
    authorize(state, auth, "checkLogin");
    checkLogin(state, query.get("username"));
    return { status: 204 };
  }
  if (rest.length === 2 && id === "me") {
    if (method !== "GET") throw methodNotAllowed(["GET"]);
    return { status: 200, body: currentUser(state, authorize(state, auth, "fetchCurrentUser")) };
  }
  if (rest.length === 2 && id && method === "DELETE") {
    const caller = authorize(state, auth, "deleteUser");
    const version = requiredVersion(query.get("version"));
    deleteUser(state, caller, id, version);
    return { status: 204 };
  }
  if (rest.length === 3 && id && action === "send-activation-email") {
    if (method !== "POST") throw methodNotAllowed(["POST"]);
    const caller = authorize(state, auth, "sendActivationEmail");
    emptyBody(body);
    sendActivationEmail(state, caller, id);
    return { status: 204 };
  }
  return undefined;
}

/** DELETE's `version` query parameter: required, a non-negative integer. */
function requiredVersion(raw: string | null): number {
  if (raw === null) throw badRequest("version: required (the account's current version)");
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) {
    throw badRequest(`version: '${raw}' is not an integer`);
  }
  return n;
}

const emptyObject = z.strictObject({});

/** send-activation-email takes no fields: an empty body or `{}` (emulator choice). */
function emptyBody(body: Buffer): void {
  if (body.length === 0) return;
  parsed(emptyObject, parseJson(body));
}
