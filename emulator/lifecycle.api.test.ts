import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OutboxMail } from "./control";
import { DEMO_CLIENT_ID, defaultSeed, TENANTS, USERS } from "./seed";
import { type RunningEmulator, startEmulator } from "./server";
import { api, basic, getToken, type JsonResponse, request } from "./test-helpers";

/**
 * The account lifecycle and client operations of the API subset, through HTTP: check_login,
 * POST /users, GET /users/me, send-activation-email (and its link), DELETE /users/{id},
 * PUT/DELETE /clients/{id}, with their refusals and the scope each operation requires.
 */

const VIEWER = { id: "6e1a2f0c-de70-4c1e-a000-0000000000a1", secret: "viewer-secret" };
const NO_SCOPE = { id: "6e1a2f0c-de70-4c1e-a000-0000000000a2", secret: "none-secret" };
const ALPHA_ADMIN = { id: "6e1a2f0c-de70-4c1e-a000-0000000000a3", secret: "alpha-secret" };
const MISSING = "20000000-0000-4000-8000-00000000dead";

let emu: RunningEmulator;
let admin: string;
let viewer: string;
let noScope: string;
let alphaAdmin: string;

beforeAll(async () => {
  emu = await startEmulator({
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
  admin = await getToken(emu.baseUrl);
  viewer = await getToken(emu.baseUrl, VIEWER.id, VIEWER.secret);
  noScope = await getToken(emu.baseUrl, NO_SCOPE.id, NO_SCOPE.secret);
  alphaAdmin = await getToken(emu.baseUrl, ALPHA_ADMIN.id, ALPHA_ADMIN.secret);
});

afterAll(async () => {
  await emu.close();
});

beforeEach(async () => {
  await emu.control.reset();
});

/** A request without any Authorization header. */
function anonymous(method: string, path: string, body?: unknown) {
  return request(emu.baseUrl + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function expectError(r: JsonResponse, status: number, code: number, info?: RegExp) {
  expect(r.status).toBe(status);
  expect(r.body.error).toMatchObject({ code, domain: "PlatformAccountServer" });
  expect(typeof r.body.error.message).toBe("string");
  if (info) expect(r.body.error.details.info).toMatch(info);
}

const newAccount = (login: string, extra: Record<string, unknown> = {}) => ({
  tenant_id: TENANTS.alpha,
  login,
  contact: { email: `${login}@alpha.example`, firstname: "Zed", lastname: "Zeta" },
  ...extra,
});

async function create(login: string, extra: Record<string, unknown> = {}) {
  const r = await api(emu.baseUrl, admin, "POST", "/users", newAccount(login, extra));
  expect(r.status).toBe(200);
  return r.body as { id: string; version: number };
}

describe("GET /users/check_login", () => {
  it("answers 204 for a free login and 409 for a taken one, deleted accounts included", async () => {
    const free = await api(emu.baseUrl, admin, "GET", "/users/check_login?username=zed");
    expect(free.status).toBe(204);
    expect(free.body).toBeNull();
    expectError(
      await api(emu.baseUrl, viewer, "GET", "/users/check_login?username=alice"),
      409,
      1014,
      /alice/,
    );
    await create("zed");
    expect((await api(emu.baseUrl, admin, "GET", "/users/check_login?username=zed")).status).toBe(
      409,
    );
    // frank is disabled: once deleted, his login stays taken.
    expect(
      (await api(emu.baseUrl, admin, "DELETE", `/users/${USERS.frank}?version=1`)).status,
    ).toBe(204);
    expect((await api(emu.baseUrl, admin, "GET", "/users/check_login?username=frank")).status).toBe(
      409,
    );
  });

  it("refuses a missing username (406), no token (401), no scope (403), another method (405)", async () => {
    expectError(await api(emu.baseUrl, admin, "GET", "/users/check_login"), 406, 1010, /username/);
    expectError(await anonymous("GET", "/users/check_login?username=zed"), 401, 1011);
    expectError(
      await api(emu.baseUrl, noScope, "GET", "/users/check_login?username=zed"),
      403,
      1002,
      /tenant_viewer/,
    );
    const post = await api(emu.baseUrl, admin, "POST", "/users/check_login?username=zed", {});
    expect(post.status).toBe(405);
  });
});

describe("POST /users", () => {
  it("creates a new, not activated account at version 1 that every read then finds", async () => {
    const r = await api(
      emu.baseUrl,
      admin,
      "POST",
      "/users",
      newAccount("zed", { language: "de", business_types: ["buyer"] }),
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      tenant_id: TENANTS.alpha,
      login: "zed",
      version: 1,
      activated: false,
      enabled: true,
      deleted_at: null,
      language: "de",
      business_types: ["buyer"],
      contact: {
        email: "zed@alpha.example",
        email_confirmed: false,
        firstname: "Zed",
        phone: null,
      },
    });
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const read = await api(emu.baseUrl, admin, "GET", `/users/${r.body.id}`);
    expect(read.body).toEqual(r.body);
    const found = await api(
      emu.baseUrl,
      admin,
      "GET",
      `/search?tenant=${TENANTS.partner}&text=zed`,
    );
    expect(found.body.items.map((i: { id: string }) => i.id)).toEqual([r.body.id]);
    const listed = await api(
      emu.baseUrl,
      admin,
      "GET",
      `/users?subtree_root_tenant_id=${TENANTS.alpha}&lod=stamps`,
    );
    expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(r.body.id);
  });

  it("refuses a taken login (409) and creates nothing", async () => {
    const r = await api(emu.baseUrl, admin, "POST", "/users", newAccount("alice"));
    expectError(r, 409, 1014, /login 'alice' is taken/);
    const found = await api(
      emu.baseUrl,
      admin,
      "GET",
      `/search?tenant=${TENANTS.partner}&text=zeta`,
    );
    expect(found.body.items).toEqual([]);
  });

  it("answers 400 naming the field for a bad body, 415 without JSON", async () => {
    expectError(
      await api(emu.baseUrl, admin, "POST", "/users", {
        login: "zed",
        contact: { email: "z@x.example" },
      }),
      400,
      1010,
      /tenant_id/,
    );
    expectError(
      await api(emu.baseUrl, admin, "POST", "/users", newAccount("zed", { id: MISSING })),
      400,
      1010,
      /id: unknown field/,
    );
    expectError(
      await api(
        emu.baseUrl,
        admin,
        "POST",
        "/users",
        newAccount("zed", { contact: { email: "nope" } }),
      ),
      400,
      1010,
      /contact\.email/,
    );
    expectError(
      await api(emu.baseUrl, admin, "POST", "/users", {
        tenant_id: TENANTS.alpha,
        contact: { email: "z@x.example" },
      }),
      400,
      1010,
      /login: required/,
    );
    const text = await request(`${emu.baseUrl}/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "text/plain" },
      body: JSON.stringify(newAccount("zed")),
    });
    expectError(text, 415, 1013);
    expect((await api(emu.baseUrl, admin, "GET", "/users/check_login?username=zed")).status).toBe(
      204,
    );
  });

  it("refuses no token (401), a viewer (403), a tenant outside the subtree (403), an unknown tenant (404)", async () => {
    expectError(await anonymous("POST", "/users", newAccount("zed")), 401, 1011);
    expectError(
      await api(emu.baseUrl, viewer, "POST", "/users", newAccount("zed")),
      403,
      1002,
      /tenant_admin/,
    );
    expectError(
      await api(
        emu.baseUrl,
        alphaAdmin,
        "POST",
        "/users",
        newAccount("zed", { tenant_id: TENANTS.beta }),
      ),
      403,
      1002,
      /outside/,
    );
    expectError(
      await api(
        emu.baseUrl,
        admin,
        "POST",
        "/users",
        newAccount("zed", { tenant_id: "10000000-0000-4000-8000-0000000000aa" }),
      ),
      404,
      1004,
    );
    expect((await api(emu.baseUrl, admin, "GET", "/users/check_login?username=zed")).status).toBe(
      204,
    );
  });
});

describe("GET /users/me", () => {
  it("describes the API client behind the token, in its tenant", async () => {
    const r = await api(emu.baseUrl, alphaAdmin, "GET", "/users/me");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: ALPHA_ADMIN.id,
      tenant_id: TENANTS.alpha,
      tenant_kind: "customer",
      activated: true,
      enabled: true,
      terms_accepted: true,
    });
    expect(JSON.stringify(r.body)).not.toContain(ALPHA_ADMIN.secret);
    expect((await api(emu.baseUrl, admin, "GET", "/users/me")).body.tenant_id).toBe(
      TENANTS.partner,
    );
  });

  it("refuses no token (401) and a client without tenant_viewer (403)", async () => {
    expectError(await anonymous("GET", "/users/me"), 401, 1011);
    expectError(await api(emu.baseUrl, noScope, "GET", "/users/me"), 403, 1002);
  });
});

describe("POST /users/{id}/send-activation-email", () => {
  it("mails a link to the account's address; opening it activates the account, once", async () => {
    const zed = await create("zed");
    const sent = await api(
      emu.baseUrl,
      admin,
      "POST",
      `/users/${zed.id}/send-activation-email`,
      {},
    );
    expect(sent.status).toBe(204);
    const mails = await emu.control.outbox();
    expect(mails).toHaveLength(1);
    const mail = mails[0] as OutboxMail;
    expect(mail).toMatchObject({
      kind: "activation",
      to: "zed@alpha.example",
      userId: zed.id,
      opened: false,
      outcome: "pending",
    });
    // Not activated until the user opens the link.
    expect((await api(emu.baseUrl, admin, "GET", `/users/${zed.id}`)).body.activated).toBe(false);
    const opened = await emu.control.confirm(mail);
    expect(opened).toMatchObject({
      ok: true,
      status: 200,
      body: { activated: true, userId: zed.id, version: 2 },
    });
    const after = await api(emu.baseUrl, admin, "GET", `/users/${zed.id}`);
    expect(after.body).toMatchObject({
      activated: true,
      version: 2,
      contact: { email: "zed@alpha.example", email_confirmed: true },
    });
    expect((await emu.control.confirm(mail)).status).toBe(410);
    expect((await emu.control.outbox())[0]).toMatchObject({ opened: true, outcome: "confirmed" });
    // An activation link is no email confirmation link, and the other way round.
    const token = mail.link.split("/").pop();
    expect((await emu.control.confirm(`/_emulator/confirm/${token}`)).status).toBe(404);
    // Now activated: an email change waits for the confirmation link sent to the old address.
    const put = await api(emu.baseUrl, admin, "PUT", `/users/${zed.id}`, {
      contact: { email: "zed@new.example" },
      version: 2,
    });
    expect(put.body.contact.email).toBe("zed@alpha.example");
    expect((await emu.control.outbox()).map((m) => [m.kind, m.to, m.requestedEmail])).toEqual([
      ["activation", "zed@alpha.example", "zed@alpha.example"],
      ["email-change", "zed@alpha.example", "zed@new.example"],
    ]);
  });

  it("refuses an activated account (409), no token (401), no user_admin (403), outside (403), unknown (404), a body (400)", async () => {
    expectError(
      await api(emu.baseUrl, admin, "POST", `/users/${USERS.alice}/send-activation-email`, {}),
      409,
      1027,
      /already activated/,
    );
    expectError(
      await api(emu.baseUrl, admin, "POST", `/users/${USERS.frank}/send-activation-email`, {}),
      409,
      1018,
    );
    expectError(
      await anonymous("POST", `/users/${USERS.bob}/send-activation-email`, {}),
      401,
      1011,
    );
    expectError(
      await api(emu.baseUrl, viewer, "POST", `/users/${USERS.bob}/send-activation-email`, {}),
      403,
      1002,
      /user_admin/,
    );
    expectError(
      await api(emu.baseUrl, admin, "POST", `/users/${USERS.mallory}/send-activation-email`, {}),
      403,
      1002,
      /outside/,
    );
    expectError(
      await api(emu.baseUrl, admin, "POST", `/users/${MISSING}/send-activation-email`, {}),
      404,
      1004,
    );
    expectError(
      await api(emu.baseUrl, admin, "POST", `/users/${USERS.bob}/send-activation-email`, {
        to: "x@y",
      }),
      400,
      1010,
      /to: unknown field/,
    );
    expect(await emu.control.outbox()).toEqual([]);
  });

  it("a link dies when the account's address changed since the mail", async () => {
    expect(
      (await api(emu.baseUrl, admin, "POST", `/users/${USERS.bob}/send-activation-email`)).status,
    ).toBe(204);
    const mail = (await emu.control.outbox())[0] as OutboxMail;
    await api(emu.baseUrl, admin, "PUT", `/users/${USERS.bob}`, {
      contact: { email: "bob@moved.example" },
      version: 1,
    });
    expect((await emu.control.confirm(mail)).status).toBe(410);
    expect((await emu.control.getUser(USERS.bob)).activated).toBe(false);
  });
});

describe("DELETE /users/{id}", () => {
  it("deletes only a disabled account; then 404, or deleted_at with allow_deleted", async () => {
    const enabled = await api(emu.baseUrl, admin, "DELETE", `/users/${USERS.bob}?version=1`);
    expectError(enabled, 409, 1027, /enabled/);
    expect(
      (await api(emu.baseUrl, admin, "GET", `/users/${USERS.bob}`)).body.deleted_at,
    ).toBeNull();

    const put = await api(emu.baseUrl, admin, "PUT", `/users/${USERS.bob}`, {
      enabled: false,
      version: 1,
    });
    expect(put.body).toMatchObject({ enabled: false, version: 2 });
    expectError(
      await api(emu.baseUrl, admin, "DELETE", `/users/${USERS.bob}?version=1`),
      409,
      1001,
    );
    const gone = await api(emu.baseUrl, admin, "DELETE", `/users/${USERS.bob}?version=2`);
    expect(gone.status).toBe(204);
    expect(gone.body).toBeNull();
    expectError(await api(emu.baseUrl, admin, "GET", `/users/${USERS.bob}`), 404, 1004);
    const kept = await api(emu.baseUrl, admin, "GET", `/users/${USERS.bob}?allow_deleted=true`);
    expect(kept.body).toMatchObject({ version: 3, enabled: false });
    expect(kept.body.deleted_at).toBe(kept.body.updated_at);
    expectError(
      await api(emu.baseUrl, admin, "DELETE", `/users/${USERS.bob}?version=3`),
      404,
      1004,
    );
  });

  it("refuses no token (401), no tenant_admin (403), outside (403), unknown (404), no version (400)", async () => {
    expectError(await anonymous("DELETE", `/users/${USERS.frank}?version=1`), 401, 1011);
    expectError(
      await api(emu.baseUrl, viewer, "DELETE", `/users/${USERS.frank}?version=1`),
      403,
      1002,
      /tenant_admin/,
    );
    expectError(
      await api(emu.baseUrl, alphaAdmin, "DELETE", `/users/${USERS.frank}?version=1`),
      403,
      1002,
      /outside/,
    );
    expectError(await api(emu.baseUrl, admin, "DELETE", `/users/${MISSING}?version=1`), 404, 1004);
    expectError(
      await api(emu.baseUrl, admin, "DELETE", `/users/${USERS.frank}`),
      400,
      1010,
      /version: required/,
    );
    expectError(
      await api(emu.baseUrl, admin, "DELETE", `/users/${USERS.frank}?version=one`),
      400,
      1010,
      /version/,
    );
    expect(
      (await api(emu.baseUrl, admin, "GET", `/users/${USERS.frank}`)).body.deleted_at,
    ).toBeNull();
  });
});

describe("PUT and DELETE /clients/{id}", () => {
  it("PUT changes the sent fields; a disabled client gets no new token until enabled again", async () => {
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
      error: "access_denied",
      error_description: "client is disabled",
    });
    await api(emu.baseUrl, admin, "PUT", `/clients/${VIEWER.id}`, { status: "enabled" });
    expect(await getToken(emu.baseUrl, VIEWER.id, VIEWER.secret)).toMatch(/./);
  });

  it("PUT refuses a bad body (400), no JSON (415), no token (401), a viewer (403), outside (403), unknown (404)", async () => {
    expectError(
      await api(emu.baseUrl, admin, "PUT", `/clients/${VIEWER.id}`, { status: "paused" }),
      400,
      1010,
      /status/,
    );
    expectError(
      await api(emu.baseUrl, admin, "PUT", `/clients/${VIEWER.id}`, { client_secret: "x" }),
      400,
      1010,
      /client_secret: unknown field/,
    );
    const text = await request(`${emu.baseUrl}/clients/${VIEWER.id}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${admin}` },
      body: "{}",
    });
    expectError(text, 415, 1013);
    expectError(await anonymous("PUT", `/clients/${VIEWER.id}`, {}), 401, 1011);
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
    expectError(await api(emu.baseUrl, admin, "PUT", `/clients/${MISSING}`, {}), 404, 1004);
    expect((await api(emu.baseUrl, admin, "GET", `/clients/${VIEWER.id}`)).body.status).toBe(
      "enabled",
    );
  });

  it("DELETE removes the client: its tokens answer 401 and it is 404; refusals as for PUT", async () => {
    expectError(await anonymous("DELETE", `/clients/${ALPHA_ADMIN.id}`), 401, 1011);
    expectError(await api(emu.baseUrl, viewer, "DELETE", `/clients/${ALPHA_ADMIN.id}`), 403, 1002);
    expectError(
      await api(emu.baseUrl, alphaAdmin, "DELETE", `/clients/${VIEWER.id}`),
      403,
      1002,
      /outside/,
    );
    expectError(await api(emu.baseUrl, admin, "DELETE", `/clients/${MISSING}`), 404, 1004);
    expect((await api(emu.baseUrl, alphaAdmin, "GET", "/users/me")).status).toBe(200);
    expect((await api(emu.baseUrl, admin, "DELETE", `/clients/${ALPHA_ADMIN.id}`)).status).toBe(
      204,
    );
    expectError(await api(emu.baseUrl, alphaAdmin, "GET", "/users/me"), 401, 1011);
    expectError(await api(emu.baseUrl, admin, "GET", `/clients/${ALPHA_ADMIN.id}`), 404, 1004);
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
