import type { ClientPut } from "./body-schemas";
import { accessDenied, notFound } from "./errors";
import { parseUuid } from "./patterns";
import type { ApiClient } from "./platform-records";
import type { PlatformState } from "./state";

/** 400 bad id, 404 unknown, 403 a client of a tenant outside the caller's subtree. */
function requireClient(state: PlatformState, caller: ApiClient, rawId: string): ApiClient {
  const id = parseUuid(rawId, "client_id");
  const c = state.clients.get(id);
  if (!c) throw notFound(`client ${id} not found`);
  if (!state.inSubtree(c.tenantId, caller.tenantId)) {
    throw accessDenied(`client ${id} is outside the caller's tenant subtree`);
  }
  return c;
}

/** Schema `client`; never the secret. */
export function clientJson(c: ApiClient): Record<string, unknown> {
  return {
    client_id: c.clientId,
    client_secret_expires_at: 0,
    type: "api_client",
    tenant_id: c.tenantId,
    data: { ...c.data },
    token_endpoint_auth_method: c.authMethod,
    created_at: c.createdAt,
    created_by: c.clientId,
    last_access_at: c.lastAccessAt,
    last_access_from_ip: c.lastAccessFromIp,
    status: c.status,
    redirect_uris: [...c.redirectUris],
    ...(c.originId === null ? {} : { origin_id: c.originId }),
  };
}

/** GET /clients/{id}. */
export function getClient(state: PlatformState, caller: ApiClient, rawId: string) {
  return clientJson(requireClient(state, caller, rawId));
}

/**
 * PUT /clients/{id}: the sent fields replace the stored ones (`data` as a whole: emulator
 * choice). A disabled client gets no new token, and every token it already holds answers 401
 * until it is enabled again (published: a disabled client gets 401 on every call).
 */
export function updateClient(
  state: PlatformState,
  caller: ApiClient,
  rawId: string,
  body: ClientPut,
): ApiClient {
  const c = requireClient(state, caller, rawId);
  if (body.data !== undefined) c.data = { ...body.data };
  if (body.status !== undefined) c.status = body.status;
  if (body.redirect_uris !== undefined) c.redirectUris = [...body.redirect_uris];
  if (body.origin_id !== undefined) c.originId = body.origin_id;
  return c;
}

/** DELETE /clients/{id}: gone at once; its tokens then answer 401 (a client may delete itself). */
export function deleteClient(state: PlatformState, caller: ApiClient, rawId: string): void {
  const c = requireClient(state, caller, rawId);
  state.clients.delete(c.clientId);
}
