import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_CLIENT_ID, TENANTS, USERS } from "./demo-seeds";
import {
  ALPHA_ADMIN,
  expectError,
  MISSING,
  type ScopedPlatform,
  startScopedPlatform,
  VIEWER,
} from "./scoped-platform";
import type { RunningEmulator } from "./server";
import { api, basic, getToken, request } from "./test-helpers";

/** PUT and DELETE /clients/{id}, and the scopes of the reading and writing routes, through HTTP. */

let p: ScopedPlatform;
let emu: RunningEmulator;
let admin: string;
let viewer: string;
let noScope: string;
let alphaAdmin: string;

beforeAll(async () => {
  p = await startScopedPlatform();
  ({ emu, admin, viewer, noScope, alphaAdmin } = p);
});

afterAll(async () => {
  await emu.close();
});

beforeEach(async () => {
  await emu.control.reset();
});

const anonymous = (method: string, path: string, body?: unknown) => p.anonymous(method, path, body);

describe("PUT and DELETE /clients/{id}", () => {
  it("PUT changes the sent fields; a disabled client gets no new token until enabled again", async () => {
    expect((await api(emu.baseUrl, viewer, "GET", `/users/${USERS.alice}`)).status).toBe(200);
    const r = await api(emu.baseUrl, admin, "PUT", `/clients/${VIEWER.id}`, {
      status: "disabled",
      data: { client_name: "reports" },
      redirect_uris: ["https://x.example/cb"],
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      client_id: VIEWER.id,
      status: "disabled",
      data: { client_name: "reports" },
      redirect_uris: ["https://x.example/cb"],
    });
    expect(JSON.stringify(r.body)).not.toContain(VIEWER.secret);
    expect((await api(emu.baseUrl, admin, "GET", `/clients/${VIEWER.id}`)).body.status).toBe(
      "disabled",
    );
    const refused = await request(`${emu.baseUrl}/idp/token`, {
      method: "POST",
      headers: {
        authorization: basic(VIEWER.id, VIEWER.secret),
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials",
    });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({
      error: "invalid_client",
      error_description: "client is disabled",
    });
    // The token it was given before it was disabled answers 401 too, on every call.
    const held = await api(emu.baseUrl, viewer, "GET", `/users/${USERS.alice}`);
    expect(held.status).toBe(401);
    expect(JSON.stringify(held.body)).toContain("client is disabled");
    await api(emu.baseUrl, admin, "PUT", `/clients/${VIEWER.id}`, { status: "enabled" });
    expect(await getToken(emu.baseUrl, VIEWER.id, VIEWER.secret)).toMatch(/./);
    expect((await api(emu.baseUrl, viewer, "GET", `/users/${USERS.alice}`)).status).toBe(200);
  });

  it("PUT refuses a bad body (400), no JSON (415), no token (401), a viewer (403), outside (403), unknown (404)", async () => {
    expectError(
      await api(emu.baseUrl, admin, "PUT", `/clients/${VIEWER.id}`, { status: "paused" }),
      400,
      400,
      /status/,
    );
    expectError(
      await api(emu.baseUrl, admin, "PUT", `/clients/${VIEWER.id}`, { client_secret: "x" }),
      400,
      400,
      /client_secret: unknown field/,
    );
    const text = await request(`${emu.baseUrl}/clients/${VIEWER.id}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${admin}` },
      body: "{}",
    });
    expectError(text, 415, 415);
    expectError(await anonymous("PUT", `/clients/${VIEWER.id}`, {}), 401, 401);
    expectError(
      await api(emu.baseUrl, viewer, "PUT", `/clients/${VIEWER.id}`, {}),
      403,
      1002,
      /tenant_admin/,
    );
    expectError(
      await api(emu.baseUrl, alphaAdmin, "PUT", `/clients/${DEMO_CLIENT_ID}`, {}),
      403,
      1002,
      /outside/,
    );
    expectError(await api(emu.baseUrl, admin, "PUT", `/clients/${MISSING}`, {}), 404, 404);
    expect((await api(emu.baseUrl, admin, "GET", `/clients/${VIEWER.id}`)).body.status).toBe(
      "enabled",
    );
  });

  it("DELETE removes the client: its tokens answer 401 and it is 404; refusals as for PUT", async () => {
    expectError(await anonymous("DELETE", `/clients/${ALPHA_ADMIN.id}`), 401, 401);
    expectError(await api(emu.baseUrl, viewer, "DELETE", `/clients/${ALPHA_ADMIN.id}`), 403, 1002);
    expectError(
      await api(emu.baseUrl, alphaAdmin, "DELETE", `/clients/${VIEWER.id}`),
      403,
      1002,
      /outside/,
    );
    expectError(await api(emu.baseUrl, admin, "DELETE", `/clients/${MISSING}`), 404, 404);
    expect((await api(emu.baseUrl, alphaAdmin, "GET", "/users/me")).status).toBe(200);
    expect((await api(emu.baseUrl, admin, "DELETE", `/clients/${ALPHA_ADMIN.id}`)).status).toBe(
      204,
    );
    expectError(await api(emu.baseUrl, alphaAdmin, "GET", "/users/me"), 401, 401);
    expectError(await api(emu.baseUrl, admin, "GET", `/clients/${ALPHA_ADMIN.id}`), 404, 404);
    // Back with the seed.
    await emu.control.reset();
    alphaAdmin = await getToken(emu.baseUrl, ALPHA_ADMIN.id, ALPHA_ADMIN.secret);
  });
});

describe("scopes on the reading and writing routes", () => {
  it("a viewer reads but cannot PUT; a client without scopes reads nothing", async () => {
    expect((await api(emu.baseUrl, viewer, "GET", `/users/${USERS.bob}`)).status).toBe(200);
    expect(
      (await api(emu.baseUrl, viewer, "GET", `/search?tenant=${TENANTS.partner}&text=bob`)).status,
    ).toBe(200);
    expectError(
      await api(emu.baseUrl, viewer, "PUT", `/users/${USERS.bob}`, {
        contact: { email: "b@x.example" },
        version: 1,
      }),
      403,
      1002,
      /tenant_admin/,
    );
    expect((await emu.control.getUser(USERS.bob)).version).toBe(1);
    for (const path of [
      `/users/${USERS.bob}`,
      `/users?uuids=${USERS.bob}`,
      `/search?tenant=${TENANTS.partner}&text=bob`,
      `/clients/${DEMO_CLIENT_ID}`,
    ]) {
      expectError(await api(emu.baseUrl, noScope, "GET", path), 403, 1002, /tenant_viewer/);
    }
  });
});
