import { expect } from "vitest";
import { defaultSeed, TENANTS } from "./demo-seeds";
import { type RunningEmulator, startEmulator } from "./server";
import { api, getToken, type JsonResponse, request } from "./test-helpers";

/**
 * For the emulator's own API tests: the demo platform plus API clients of narrower reach, one
 * bearer token each, and the assertions on the platform's error shape.
 */

export const VIEWER = { id: "6e1a2f0c-de70-4c1e-a000-0000000000a1", secret: "viewer-secret" };
export const NO_SCOPE = { id: "6e1a2f0c-de70-4c1e-a000-0000000000a2", secret: "none-secret" };
/** Default scopes, but at Alpha Customer: the rest of the demo partner is outside its subtree. */
export const ALPHA_ADMIN = { id: "6e1a2f0c-de70-4c1e-a000-0000000000a3", secret: "alpha-secret" };
/** A UUID no seed uses. */
export const MISSING = "20000000-0000-4000-8000-00000000dead";

export interface ScopedPlatform {
  emu: RunningEmulator;
  /** The demo client: tenant_admin, tenant_viewer, user_admin at Demo Partner. */
  admin: string;
  viewer: string;
  noScope: string;
  alphaAdmin: string;
  /** A request without any Authorization header. */
  anonymous(method: string, path: string, body?: unknown): Promise<JsonResponse>;
}

export async function startScopedPlatform(): Promise<ScopedPlatform> {
  const emu = await startEmulator({
    seed: {
      ...defaultSeed,
      clients: [
        ...defaultSeed.clients,
        {
          client_id: VIEWER.id,
          client_secret: VIEWER.secret,
          tenant_id: TENANTS.partner,
          scopes: ["tenant_viewer"],
        },
        {
          client_id: NO_SCOPE.id,
          client_secret: NO_SCOPE.secret,
          tenant_id: TENANTS.partner,
          scopes: [],
        },
        { client_id: ALPHA_ADMIN.id, client_secret: ALPHA_ADMIN.secret, tenant_id: TENANTS.alpha },
      ],
    },
  });
  return {
    emu,
    admin: await getToken(emu.baseUrl),
    viewer: await getToken(emu.baseUrl, VIEWER.id, VIEWER.secret),
    noScope: await getToken(emu.baseUrl, NO_SCOPE.id, NO_SCOPE.secret),
    alphaAdmin: await getToken(emu.baseUrl, ALPHA_ADMIN.id, ALPHA_ADMIN.secret),
    anonymous: (method, path, body) =>
      request(emu.baseUrl + path, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
  };
}

/** An error answer in the platform's shape, with its status, code and (optionally) details. */
export function expectError(r: JsonResponse, status: number, code: number, info?: RegExp): void {
  expect(r.status).toBe(status);
  expect(r.body.error).toMatchObject({ code, domain: "PlatformAccountServer" });
  expect(typeof r.body.error.message).toBe("string");
  if (info) expect(r.body.error.details.info).toMatch(info);
}

/** The body of a POST /users for a new account of Alpha named `login`. */
export function newAccount(login: string, extra: Record<string, unknown> = {}) {
  return {
    tenant_id: TENANTS.alpha,
    login,
    contact: { email: `${login}@alpha.example`, firstname: "Zed", lastname: "Zeta" },
    ...extra,
  };
}

/** Creates that account as the platform's admin client; fails the test unless it answers 200. */
export async function createAccount(
  p: ScopedPlatform,
  login: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; version: number }> {
  const r = await api(p.emu.baseUrl, p.admin, "POST", "/users", newAccount(login, extra));
  expect(r.status).toBe(200);
  return r.body as { id: string; version: number };
}
