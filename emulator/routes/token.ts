import { TokenError } from "../errors";
import { mediaType, methodNotAllowed, type Reply } from "../http";
import type { PlatformState } from "../state";
import type { ClientCredentials } from "../tokens";
import type { ApiCall } from "./api-call";

/** POST /api/2/idp/token: client credentials (Basic, or in the form) for a bearer token. */
export function routeToken(state: PlatformState, call: ApiCall): Reply | undefined {
  const { method, rest, req, body } = call;
  if (rest.length !== 2 || rest[0] !== "idp" || rest[1] !== "token") return undefined;
  if (method !== "POST") throw methodNotAllowed(["POST"]);
  if (mediaType(req) !== "application/x-www-form-urlencoded") {
    throw new TokenError(400, "invalid_request", "body must be application/x-www-form-urlencoded");
  }
  const form = new URLSearchParams(body.toString("utf8"));
  const ip = req.socket.remoteAddress ?? null;
  const grant = form.get("grant_type") ?? undefined;
  return {
    status: 200,
    body: state.issueToken(grant, credentials(req.headers.authorization, form), ip),
  };
}

/** From a Basic authorization header, else from the form's client_id and client_secret. */
function credentials(
  auth: string | undefined,
  form: URLSearchParams,
): ClientCredentials | undefined {
  if (auth !== undefined) {
    const m = /^Basic\s+(\S+)$/i.exec(auth);
    const decoded = m?.[1] ? Buffer.from(m[1], "base64").toString("utf8") : "";
    const colon = decoded.indexOf(":");
    if (colon < 0) throw new TokenError(400, "invalid_request", "malformed Basic authorization");
    return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1), via: "basic" };
  }
  if (form.has("client_id")) {
    return {
      id: form.get("client_id") ?? "",
      secret: form.get("client_secret") ?? "",
      via: "post",
    };
  }
  return undefined;
}
