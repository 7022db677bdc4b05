import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { sendActivationEmail } from "../activation";
import { badRequest } from "../errors";
import { methodNotAllowed, parseJson, type Reply, requireJsonBody } from "../http";
import { authorize } from "../scopes";
import { type PlatformState, zodInfo } from "../state";
import {
  checkLogin,
  createUser,
  currentUser,
  deleteUser,
  userPostSchema,
} from "../users-lifecycle";

/**
 * The account lifecycle routes under /api/2/users: check_login, me, POST (create),
 * send-activation-email and DELETE. Answers undefined for the user routes it does not own
 * (GET /users, GET and PUT /users/{id}), which the server routes itself.
 */
export function routeUserLifecycle(
  state: PlatformState,
  method: string,
  rest: string[],
  query: URLSearchParams,
  req: IncomingMessage,
  body: Buffer,
): Reply | undefined {
  const [coll, id, action] = rest;
  if (coll !== "users") return undefined;
  const auth = req.headers.authorization;
  if (rest.length === 1 && method === "POST") {
    const caller = authorize(state, auth, "createUser");
    requireJsonBody(req);
    const parsed = userPostSchema.safeParse(parseJson(body));
    if (!parsed.success) throw badRequest(zodInfo(parsed.error));
    return { status: 200, body: state.userJson(createUser(state, caller, parsed.data)) };
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
  const parsed = emptyObject.safeParse(parseJson(body));
  if (!parsed.success) throw badRequest(zodInfo(parsed.error));
}
