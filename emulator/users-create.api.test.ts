import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TENANTS, USERS } from "./demo-seeds";
import {
  ALPHA_ADMIN,
  createAccount,
  expectError,
  MISSING,
  newAccount,
  type ScopedPlatform,
  startScopedPlatform,
} from "./scoped-platform";
import type { RunningEmulator } from "./server";
import { api, request } from "./test-helpers";

/**
 * Creating accounts through HTTP: check_login, POST /users, GET /users/me, with their refusals
 * and the scope each operation requires (activation and delete: users-activate-delete.api.test.ts).
 */

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

const create = (login: string, extra: Record<string, unknown> = {}) =>
  createAccount(p, login, extra);

describe("GET /users/check_login", () => {
  it("answers 204 for a free login and 409 for a taken one, deleted accounts included", async () => {
    const free = await api(emu.baseUrl, admin, "GET", "/users/check_login?username=zed");
    expect(free.status).toBe(204);
    expect(free.body).toBeNull();
    expectError(
      await api(emu.baseUrl, viewer, "GET", "/users/check_login?username=alice"),
      409,
      409,
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
    expectError(await api(emu.baseUrl, admin, "GET", "/users/check_login"), 406, 406, /username/);
    expectError(await anonymous("GET", "/users/check_login?username=zed"), 401, 401);
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
        phone: "",
      },
    });
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);
    // Timestamps as the published examples write them: microseconds, `+00:00`.
    expect(r.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    // Alpha is a customer: the spec's CreateUser gives the account a personal tenant.
    expect(r.body.personal_tenant_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.personal_tenant_id).not.toBe(TENANTS.alpha);
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
    expectError(r, 409, 409, /login 'alice' is taken/);
    const found = await api(
      emu.baseUrl,
      admin,
      "GET",
      `/search?tenant=${TENANTS.partner}&text=zeta`,
    );
    expect(found.body.items).toEqual([]);
  });

  it.each([
    ["zz", /at least 3 characters/],
    [" zed", /trimmed/],
    ["zed ", /trimmed/],
    ["zed smith", /ASCII letters, digits/],
    ["zéd", /ASCII letters, digits/],
  ])("refuses login %j with 400 naming the guide's login rule it breaks", async (login, rule) => {
    const body = newAccount(login, { contact: { email: "z@alpha.example" } });
    const post = await api(emu.baseUrl, admin, "POST", "/users", body);
    expectError(post, 400, 400, rule);
    expect((await api(emu.baseUrl, admin, "GET", "/users/check_login?username=zed")).status).toBe(
      204,
    );
  });

  it("accepts a login of the guide's characters, an email among them", async () => {
    for (const login of ["z.e_d-1+2:3", "zed@alpha.example", "a!#$%^*={}'`/?"]) {
      expect((await create(login)).version).toBe(1);
    }
  });

  it("creates a partner-level account without a personal tenant", async () => {
    const r = await api(emu.baseUrl, admin, "POST", "/users", {
      ...newAccount("zed"),
      tenant_id: TENANTS.partner,
    });
    expect(r.status).toBe(200);
    expect(r.body.personal_tenant_id).toBeNull();
  });

  it("answers 400 naming the field for a bad body, 415 without JSON", async () => {
    expectError(
      await api(emu.baseUrl, admin, "POST", "/users", {
        login: "zed",
        contact: { email: "z@x.example" },
      }),
      400,
      400,
      /tenant_id/,
    );
    expectError(
      await api(emu.baseUrl, admin, "POST", "/users", newAccount("zed", { id: MISSING })),
      400,
      400,
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
      400,
      /contact\.email/,
    );
    expectError(
      await api(emu.baseUrl, admin, "POST", "/users", {
        tenant_id: TENANTS.alpha,
        contact: { email: "z@x.example" },
      }),
      400,
      400,
      /login: required/,
    );
    const text = await request(`${emu.baseUrl}/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "text/plain" },
      body: JSON.stringify(newAccount("zed")),
    });
    expectError(text, 415, 415);
    expect((await api(emu.baseUrl, admin, "GET", "/users/check_login?username=zed")).status).toBe(
      204,
    );
  });

  it("refuses no token (401), a viewer (403), a tenant outside the subtree (403), an unknown tenant (404)", async () => {
    expectError(await anonymous("POST", "/users", newAccount("zed")), 401, 401);
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
      404,
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
    expectError(await anonymous("GET", "/users/me"), 401, 401);
    expectError(await api(emu.baseUrl, noScope, "GET", "/users/me"), 403, 1002);
  });
});
