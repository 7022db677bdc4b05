import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, TENANTS, USERS } from "./demo-seeds";
import { type AnswerProblem, answerValidator } from "./openapi/answer-validator";
import {
  ALPHA_ADMIN,
  MISSING,
  type ScopedPlatform,
  startScopedPlatform,
  VIEWER,
} from "./scoped-platform";
import { basic, request } from "./test-helpers";

/**
 * Every operation the emulator serves, driven over HTTP to its success and to each error it
 * answers, and each real answer (status and body) checked against Acronis's published OpenAPI
 * (emulator/openapi/account-management-v2.cut.json) by Ajv. Undeclared statuses pass only when
 * they are the generic ones (400/405/413) or a guess the README lists.
 */

const validator = answerValidator();
let p: ScopedPlatform;
const seen: { operationId: string; status: number }[] = [];
const problems: AnswerProblem[] = [];

beforeAll(async () => {
  p = await startScopedPlatform();
});

afterAll(async () => {
  await p.emu.close();
});

interface Call {
  token?: string | null;
  body?: unknown;
  /** Sent as is, with this content type, instead of a JSON body. */
  raw?: { type: string; text: string };
  headers?: Record<string, string>;
}

/** One real exchange: sent, answered, checked against the cut, remembered. */
async function exchange(method: string, path: string, call: Call = {}): Promise<number> {
  const headers: Record<string, string> = { ...call.headers };
  if (call.token !== null) headers.authorization = `Bearer ${call.token ?? p.admin}`;
  let body: string | undefined;
  if (call.raw !== undefined) {
    headers["content-type"] = call.raw.type;
    body = call.raw.text;
  } else if (call.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(call.body);
  }
  const r = await request(p.emu.baseUrl + path, { method, headers, body });
  const operationId = validator.operationOf(method, path) ?? `? ${method} ${path}`;
  seen.push({ operationId, status: r.status });
  problems.push(...validator.check(method, path, r.status, r.body ?? undefined));
  return r.status;
}

const form = (text: string) => ({ raw: { type: "application/x-www-form-urlencoded", text } });
const json = (body: unknown) => ({ body });

async function createZed(login: string): Promise<{ id: string }> {
  const r = await request(`${p.emu.baseUrl}/users`, {
    method: "POST",
    headers: { authorization: `Bearer ${p.admin}`, "content-type": "application/json" },
    body: JSON.stringify({ tenant_id: TENANTS.alpha, login, contact: { email: `${login}@a.ex` } }),
  });
  return r.body as { id: string };
}

describe("every answer of the emulator matches Acronis's published OpenAPI", () => {
  it("drives each served operation to its success and each error it answers", async () => {
    const basicAuth = { authorization: basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET) };
    const token = (text: string, headers = basicAuth) => ({ token: null, headers, ...form(text) });
    // RequestTokens: 200, 400, 401.
    expect
      .soft(await exchange("POST", "/idp/token", token("grant_type=client_credentials")))
      .toBe(200);
    expect.soft(await exchange("POST", "/idp/token", token("grant_type=password"))).toBe(400);
    const wrong = { authorization: basic(DEMO_CLIENT_ID, "wrong") };
    expect(
      await exchange("POST", "/idp/token", token("grant_type=client_credentials", wrong)),
    ).toBe(401);

    // FetchClient, UpdateClient, DeleteClient.
    expect.soft(await exchange("GET", `/clients/${DEMO_CLIENT_ID}`)).toBe(200);
    expect.soft(await exchange("GET", `/clients/${DEMO_CLIENT_ID}`, { token: null })).toBe(401);
    expect
      .soft(await exchange("GET", `/clients/${DEMO_CLIENT_ID}`, { token: p.noScope }))
      .toBe(403);
    expect.soft(await exchange("GET", `/clients/${MISSING}`)).toBe(404);
    expect
      .soft(await exchange("PUT", `/clients/${VIEWER.id}`, json({ data: { note: "x" } })))
      .toBe(200);
    expect
      .soft(await exchange("PUT", `/clients/${VIEWER.id}`, { token: null, body: {} }))
      .toBe(401);
    expect
      .soft(await exchange("PUT", `/clients/${VIEWER.id}`, { token: p.viewer, body: {} }))
      .toBe(403);
    expect.soft(await exchange("PUT", `/clients/${MISSING}`, json({}))).toBe(404);
    const text = { raw: { type: "text/plain", text: "{}" } };
    expect.soft(await exchange("PUT", `/clients/${VIEWER.id}`, text)).toBe(415);
    expect.soft(await exchange("PUT", `/clients/${VIEWER.id}`, json({ bogus: 1 }))).toBe(400);
    expect.soft(await exchange("DELETE", `/clients/${VIEWER.id}`, { token: null })).toBe(401);
    expect.soft(await exchange("DELETE", `/clients/${VIEWER.id}`, { token: p.viewer })).toBe(403);
    expect.soft(await exchange("DELETE", `/clients/${MISSING}`)).toBe(404);
    expect.soft(await exchange("DELETE", `/clients/${ALPHA_ADMIN.id}`)).toBe(204);

    // FetchUser, UpdateUser.
    expect.soft(await exchange("GET", `/users/${USERS.alice}`)).toBe(200);
    expect.soft(await exchange("GET", `/users/${USERS.alice}`, { token: null })).toBe(401);
    expect.soft(await exchange("GET", `/users/${USERS.mallory}`)).toBe(403);
    expect.soft(await exchange("GET", `/users/${MISSING}`)).toBe(404);
    expect.soft(await exchange("GET", "/users/not-a-uuid")).toBe(400);
    const put = (body: unknown, extra: Call = {}) => ({ body, ...extra });
    expect
      .soft(await exchange("PUT", `/users/${USERS.bob}`, put({ version: 1, language: "de" })))
      .toBe(200);
    expect
      .soft(await exchange("PUT", `/users/${USERS.bob}`, put({ version: 1 }, { token: null })))
      .toBe(401);
    expect.soft(await exchange("PUT", `/users/${USERS.mallory}`, put({ version: 5 }))).toBe(403);
    expect.soft(await exchange("PUT", `/users/${MISSING}`, put({ version: 1 }))).toBe(404);
    expect.soft(await exchange("PUT", `/users/${USERS.bob}`, put({ version: 1 }))).toBe(409);
    expect.soft(await exchange("PUT", `/users/${USERS.bob}`, text)).toBe(415);
    expect
      .soft(await exchange("PUT", `/users/${USERS.bob}`, put({ id: USERS.bob, version: 2 })))
      .toBe(400);

    // FetchUsersBatch: 200 (ids, subtree, next page, each lod), 400, 401, 403, 404.
    expect.soft(await exchange("GET", `/users?uuids=${USERS.alice},${USERS.bob}`)).toBe(200);
    for (const lod of ["stamps", "basic", "full"]) {
      const path = `/users?subtree_root_tenant_id=${TENANTS.partner}&limit=2&lod=${lod}`;
      expect.soft(await exchange("GET", path)).toBe(200);
    }
    expect.soft(await exchange("GET", "/users")).toBe(400);
    expect.soft(await exchange("GET", "/users", { token: null })).toBe(401);
    expect
      .soft(await exchange("GET", `/users?subtree_root_tenant_id=${TENANTS.unrelated}`))
      .toBe(403);
    expect.soft(await exchange("GET", `/users?subtree_root_tenant_id=${MISSING}`)).toBe(404);

    // FetchTenantUsers: 200, 401, 403, 404.
    expect.soft(await exchange("GET", `/tenants/${TENANTS.alpha}/users`)).toBe(200);
    expect
      .soft(await exchange("GET", `/tenants/${TENANTS.alpha}/users`, { token: null }))
      .toBe(401);
    expect.soft(await exchange("GET", `/tenants/${TENANTS.unrelated}/users`)).toBe(403);
    expect.soft(await exchange("GET", `/tenants/${MISSING}/users`)).toBe(404);

    // Search: 200 (a user and a tenant hit), 400, 401, 403, 404.
    expect.soft(await exchange("GET", `/search?tenant=${TENANTS.partner}&text=a`)).toBe(200);
    expect.soft(await exchange("GET", `/search?tenant=${TENANTS.partner}`)).toBe(400);
    expect
      .soft(await exchange("GET", `/search?tenant=${TENANTS.partner}&text=a`, { token: null }))
      .toBe(401);
    expect.soft(await exchange("GET", `/search?tenant=${TENANTS.unrelated}&text=a`)).toBe(403);
    expect.soft(await exchange("GET", `/search?tenant=${MISSING}&text=a`)).toBe(404);

    // FetchCurrentUserInfo, CheckLoginNameAvailability.
    expect.soft(await exchange("GET", "/users/me")).toBe(200);
    expect.soft(await exchange("GET", "/users/me", { token: null })).toBe(401);
    expect.soft(await exchange("GET", "/users/me", { token: p.noScope })).toBe(403);
    expect.soft(await exchange("GET", "/users/check_login?username=zed")).toBe(204);
    expect.soft(await exchange("GET", "/users/check_login?username=alice")).toBe(409);
    expect.soft(await exchange("GET", "/users/check_login")).toBe(406);
    expect.soft(await exchange("GET", "/users/check_login?username=z", { token: null })).toBe(401);
    expect
      .soft(await exchange("GET", "/users/check_login?username=z", { token: p.noScope }))
      .toBe(403);

    // CreateUser: 200 (customer level: a personal tenant), 400, 401, 403, 404, 409, 415.
    const zed = { tenant_id: TENANTS.alpha, login: "zed", contact: { email: "zed@a.example" } };
    expect.soft(await exchange("POST", "/users", json(zed))).toBe(200);
    expect(
      await exchange(
        "POST",
        "/users",
        json({ ...zed, login: "partnerlevel", tenant_id: TENANTS.partner }),
      ),
    ).toBe(200);
    expect.soft(await exchange("POST", "/users", json({ ...zed, login: "zz" }))).toBe(400);
    expect.soft(await exchange("POST", "/users", { token: null, body: zed })).toBe(401);
    expect.soft(await exchange("POST", "/users", { token: p.viewer, body: zed })).toBe(403);
    expect.soft(await exchange("POST", "/users", json({ ...zed, tenant_id: MISSING }))).toBe(404);
    expect.soft(await exchange("POST", "/users", json(zed))).toBe(409);
    expect.soft(await exchange("POST", "/users", text)).toBe(415);

    // SendActivationEmail: 204, 400, 401, 403 (scope, own tenant, activated, disabled), 404.
    const send = (id: string) => `/users/${id}/send-activation-email`;
    expect.soft(await exchange("POST", send(USERS.bob), json({}))).toBe(204);
    expect.soft(await exchange("POST", send(USERS.bob), json({ to: "x@y" }))).toBe(400);
    expect.soft(await exchange("POST", send(USERS.bob), { token: null })).toBe(401);
    expect.soft(await exchange("POST", send(USERS.bob), { token: p.viewer })).toBe(403);
    expect.soft(await exchange("POST", send(USERS.partnerAdmin))).toBe(403);
    expect.soft(await exchange("POST", send(USERS.alice))).toBe(403);
    expect.soft(await exchange("POST", send(USERS.frank))).toBe(403);
    expect.soft(await exchange("POST", send(MISSING))).toBe(404);

    // DeleteUser: 204, 400 (no version, enabled), 401, 403, 404, 409 (stale version).
    const doomed = await createZed("doomed");
    expect.soft(await exchange("DELETE", `/users/${doomed.id}`)).toBe(400);
    expect.soft(await exchange("DELETE", `/users/${doomed.id}?version=1`)).toBe(400);
    expect
      .soft(await exchange("PUT", `/users/${doomed.id}`, put({ version: 1, enabled: false })))
      .toBe(200);
    expect.soft(await exchange("DELETE", `/users/${doomed.id}?version=1`)).toBe(409);
    expect
      .soft(await exchange("DELETE", `/users/${doomed.id}?version=2`, { token: null }))
      .toBe(401);
    expect.soft(await exchange("DELETE", `/users/${USERS.mallory}?version=5`)).toBe(403);
    expect.soft(await exchange("DELETE", `/users/${MISSING}?version=1`)).toBe(404);
    expect.soft(await exchange("DELETE", `/users/${doomed.id}?version=2`)).toBe(204);
    // A deleted account, read with allow_deleted: deleted_at set.
    expect.soft(await exchange("GET", `/users/${doomed.id}?allow_deleted=true`)).toBe(200);
    // Another method: the generic 405.
    expect.soft(await exchange("PATCH", `/users/${USERS.alice}`)).toBe(405);
    seen.pop(); // a 405 is no operation of the cut

    expect([...new Set(problems.map((x) => `${x.operationId} ${x.status} ${x.problem}`))]).toEqual(
      [],
    );
    const exercised = new Set(seen.map((s) => s.operationId));
    expect([...exercised].sort()).toEqual([...validator.operations()].sort());
  });
});

describe("the check itself", () => {
  const user = async () =>
    (
      await request(`${p.emu.baseUrl}/users/${USERS.alice}`, {
        headers: { authorization: `Bearer ${p.admin}` },
      })
    ).body as Record<string, unknown>;

  it("fails a renamed field, a wrong type, an undeclared status and a body where none is declared", async () => {
    const alice = await user();
    expect(validator.check("GET", `/users/${USERS.alice}`, 200, alice)).toEqual([]);
    const { tenant_id, ...rest } = alice;
    const renamed = { ...rest, tenantId: tenant_id };
    expect(validator.check("GET", `/users/${USERS.alice}`, 200, renamed)).not.toEqual([]);
    const wrongType = { ...alice, version: String(alice.version) };
    expect(validator.check("GET", `/users/${USERS.alice}`, 200, wrongType)).not.toEqual([]);
    const err = {
      error: { code: 409, domain: "PlatformAccountServer", message: "x", details: {} },
    };
    const path = `/users/${USERS.bob}/send-activation-email`;
    expect(validator.check("POST", path, 409, err)[0]?.problem).toMatch(/not declared/);
    expect(validator.check("POST", path, 204, err)[0]?.problem).toMatch(/declares no body/);
    // OpenAPI 3.0 `nullable`: null passes where declared, and only there.
    expect(
      validator.check("GET", `/users/${USERS.alice}`, 200, { ...alice, deleted_at: null }),
    ).toEqual([]);
    expect(
      validator.check("GET", `/users/${USERS.alice}`, 200, { ...alice, login: null }),
    ).not.toEqual([]);
  });
});
