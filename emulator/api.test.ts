import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, defaultSeed, TENANTS, USERS } from "./demo-seeds";
import { type RunningEmulator, startEmulator } from "./server";
import { api, basic, getToken, request } from "./test-helpers";

let emu: RunningEmulator;
let token: string;

beforeAll(async () => {
  // The demo platform, plus a client that authenticates with form fields (client_secret_post).
  emu = await startEmulator({
    seed: {
      ...defaultSeed,
      clients: [
        ...defaultSeed.clients,
        {
          client_id: "6e1a2f0c-de70-4c1e-a000-000000000002",
          client_secret: "post-secret",
          tenant_id: TENANTS.alpha,
          auth_method: "post",
        },
      ],
    },
  });
  token = await getToken(emu.baseUrl);
});

afterAll(async () => {
  await emu.close();
});

beforeEach(async () => {
  await emu.control.reset();
});

const form = "application/x-www-form-urlencoded";

describe("POST /idp/token", () => {
  it("issues a bearer token with HTTP Basic credentials", async () => {
    const r = await request(`${emu.baseUrl}/idp/token`, {
      method: "POST",
      headers: { authorization: basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET), "content-type": form },
      body: "grant_type=client_credentials",
    });
    expect(r.status).toBe(200);
    expect(r.body.token_type).toBe("bearer");
    expect(r.body.expires_in).toBe(7200);
    expect(r.body.expires_on).toBeGreaterThan(Date.now() / 1000 + 7000);
    expect(typeof r.body.id_token).toBe("string");
    expect(JSON.stringify(r.body)).not.toContain(DEMO_CLIENT_SECRET);
    const me = await api(emu.baseUrl, r.body.access_token, "GET", `/clients/${DEMO_CLIENT_ID}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      client_id: DEMO_CLIENT_ID,
      tenant_id: TENANTS.partner,
      type: "api_client",
      token_endpoint_auth_method: "client_secret_basic",
      client_secret_expires_at: 0,
      status: "enabled",
    });
    expect(me.body.last_access_from_ip).toMatch(/127\.0\.0\.1/);
    expect(JSON.stringify(me.body)).not.toContain(DEMO_CLIENT_SECRET);
  });

  it("accepts form credentials for a client_secret_post client", async () => {
    const r = await request(`${emu.baseUrl}/idp/token`, {
      method: "POST",
      headers: { "content-type": form },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: "6e1a2f0c-de70-4c1e-a000-000000000002",
        client_secret: "post-secret",
      }).toString(),
    });
    expect(r.status).toBe(200);
    // This client sits in Alpha: the partner admin above it is out of reach.
    const admin = await api(
      emu.baseUrl,
      r.body.access_token,
      "GET",
      `/users/${USERS.partnerAdmin}`,
    );
    expect(admin.status).toBe(403);
  });

  it("rejects a bad secret with 401 invalid_client, as recorded answers of the platform show", async () => {
    const r = await request(`${emu.baseUrl}/idp/token`, {
      method: "POST",
      headers: { authorization: basic(DEMO_CLIENT_ID, "wrong"), "content-type": form },
      body: "grant_type=client_credentials",
    });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({
      domain: "Access",
      reason: "InvalidClient",
      error: "invalid_client",
    });
    expect(typeof r.body.error_description).toBe("string");
  });

  it("rejects form credentials for a Basic-only client", async () => {
    const r = await request(`${emu.baseUrl}/idp/token`, {
      method: "POST",
      headers: { "content-type": form },
      body: `grant_type=client_credentials&client_id=${DEMO_CLIENT_ID}&client_secret=${DEMO_CLIENT_SECRET}`,
    });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe("invalid_client");
  });

  it("answers 400 invalid_request for a bad grant or body", async () => {
    const auth = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    const grant = await request(`${emu.baseUrl}/idp/token`, {
      method: "POST",
      headers: { authorization: auth, "content-type": form },
      body: "grant_type=password",
    });
    expect(grant.status).toBe(400);
    expect(grant.body.error).toBe("invalid_request");
    const json = await request(`${emu.baseUrl}/idp/token`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: '{"grant_type":"client_credentials"}',
    });
    expect(json.status).toBe(400);
    expect(json.body.error).toBe("invalid_request");
  });

  it("expires tokens after the TTL (clock advanced) with a platform 401", async () => {
    const t = await getToken(emu.baseUrl);
    expect((await api(emu.baseUrl, t, "GET", `/users/${USERS.bob}`)).status).toBe(200);
    await emu.control.advanceClock(7199);
    expect((await api(emu.baseUrl, t, "GET", `/users/${USERS.bob}`)).status).toBe(200);
    await emu.control.advanceClock(2);
    const r = await api(emu.baseUrl, t, "GET", `/users/${USERS.bob}`);
    expect(r.status).toBe(401);
    expect(r.body.error.domain).toBe("PlatformAccountServer");
    expect(r.body.error.details.info).toMatch(/expired/);
  });

  it("answers 401 without or with an unknown bearer token", async () => {
    const none = await request(`${emu.baseUrl}/users/${USERS.bob}`);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBeTypeOf("number");
    const bogus = await api(emu.baseUrl, "nope", "GET", `/users/${USERS.bob}`);
    expect(bogus.status).toBe(401);
  });
});

describe("GET /users/{id}", () => {
  it("returns the full user object", async () => {
    const r = await api(emu.baseUrl, token, "GET", `/users/${USERS.partnerAdmin}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: USERS.partnerAdmin,
      version: 1559561146223,
      tenant_id: TENANTS.partner,
      login: "partner.admin",
      activated: true,
      enabled: true,
      deleted_at: null,
      language: "en",
      business_types: [],
      contact: {
        email: "admin@demo-partner.example",
        firstname: "Pat",
        lastname: "Admin",
        email_confirmed: true,
        types: [],
      },
    });
    for (const k of ["created_at", "updated_at", "notifications"]) expect(r.body).toHaveProperty(k);
  });

  it("answers 403 outside the client's subtree, 404 unknown, 400 for a non-UUID", async () => {
    const out = await api(emu.baseUrl, token, "GET", `/users/${USERS.mallory}`);
    expect(out.status).toBe(403);
    expect(out.body.error.code).toBe(1002);
    const missing = await api(
      emu.baseUrl,
      token,
      "GET",
      "/users/20000000-0000-4000-8000-0000000000ff",
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ domain: "PlatformAccountServer", code: 404 });
    const bad = await api(emu.baseUrl, token, "GET", "/users/not-a-uuid");
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.info).toContain("user_id");
  });

  it("hides deleted users unless allow_deleted=true", async () => {
    await emu.control.deleteUser(USERS.bob);
    expect((await api(emu.baseUrl, token, "GET", `/users/${USERS.bob}`)).status).toBe(404);
    const r = await api(emu.baseUrl, token, "GET", `/users/${USERS.bob}?allow_deleted=true`);
    expect(r.status).toBe(200);
    expect(r.body.deleted_at).not.toBeNull();
  });

  it("answers 404 for unknown routes and 405 for a wrong method", async () => {
    const r = await api(emu.baseUrl, token, "GET", "/tenants/whatever");
    expect(r.status).toBe(404);
    expect(r.body.error.domain).toBe("PlatformAccountServer");
    const m = await api(emu.baseUrl, token, "PATCH", `/users/${USERS.bob}`);
    expect(m.status).toBe(405);
    expect(m.headers.get("allow")).toBe("GET, PUT, DELETE");
  });

  it("answers 404 for API routes under a prefix other than /api/2", async () => {
    const v1 = await api(emu.url, token, "GET", `/api/1/users/${USERS.bob}`);
    expect(v1.status).toBe(404);
    expect(v1.body.error.domain).toBe("PlatformAccountServer");
    const other = await request(`${emu.url}/x/2/idp/token`, {
      method: "POST",
      headers: { authorization: basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET), "content-type": form },
      body: "grant_type=client_credentials",
    });
    expect(other.status).toBe(404);
    expect((await api(emu.url, token, "GET", `/nope/9/users/${USERS.bob}`)).status).toBe(404);
    expect((await api(emu.url, token, "GET", `/api/2/users/${USERS.bob}`)).status).toBe(200);
  });
});

describe("PUT /users/{id}", () => {
  it("changes the email of a not-activated account at once and increments version", async () => {
    const r = await api(emu.baseUrl, token, "PUT", `/users/${USERS.bob}`, {
      contact: { email: "bobby@alpha.example" },
      version: 1,
    });
    expect(r.status).toBe(200);
    expect(r.body.contact.email).toBe("bobby@alpha.example");
    expect(r.body.version).toBe(2);
    expect(r.body.contact.firstname).toBe("Bob");
    expect(r.body.updated_at).not.toBe(r.body.created_at);
    const g = await api(emu.baseUrl, token, "GET", `/users/${USERS.bob}`);
    expect(g.body.contact.email).toBe("bobby@alpha.example");
    expect(await emu.control.outbox()).toEqual([]);
  });

  it("activated: 200 unchanged, mail to the OLD address; the link confirms once", async () => {
    const r = await api(emu.baseUrl, token, "PUT", `/users/${USERS.partnerAdmin}`, {
      contact: { email: "new-admin@demo-partner.example" },
      version: 1559561146223,
    });
    expect(r.status).toBe(200);
    expect(r.body.contact.email).toBe("admin@demo-partner.example");
    expect(r.body.version).toBe(1559561146223);
    const g = await api(emu.baseUrl, token, "GET", `/users/${USERS.partnerAdmin}`);
    expect(g.body.contact.email).toBe("admin@demo-partner.example");
    expect(g.body.version).toBe(1559561146223);

    const [mail, ...more] = await emu.control.outbox();
    expect(more).toEqual([]);
    expect(mail).toMatchObject({
      to: "admin@demo-partner.example",
      userId: USERS.partnerAdmin,
      requestedEmail: "new-admin@demo-partner.example",
      opened: false,
    });
    if (!mail) throw new Error("no mail");
    expect(mail.link.startsWith(`${emu.url}/_emulator/confirm/`)).toBe(true);

    const c = await emu.control.confirm(mail);
    expect(c.status).toBe(200);
    const after = await api(emu.baseUrl, token, "GET", `/users/${USERS.partnerAdmin}`);
    expect(after.body.contact.email).toBe("new-admin@demo-partner.example");
    expect(after.body.version).toBe(1559561146224);
    expect(after.body.contact.email_confirmed).toBe(true);

    const again = await emu.control.confirm(mail.link);
    expect(again.status).toBe(410);
    expect((await emu.control.outbox())[0]?.opened).toBe(true);
  });

  it("activated: a link dies once the account's version moved on", async () => {
    await api(emu.baseUrl, token, "PUT", `/users/${USERS.alice}`, {
      contact: { email: "a1@alpha.example" },
      version: 3,
    });
    await api(emu.baseUrl, token, "PUT", `/users/${USERS.alice}`, {
      contact: { email: "a2@alpha.example" },
      version: 3,
    });
    const [first, second] = await emu.control.outbox();
    if (!first || !second) throw new Error("two mails expected");
    // Opening the older link first wins; the newer one is then superseded.
    expect((await emu.control.confirm(first)).status).toBe(200);
    expect((await emu.control.confirm(second)).status).toBe(410);
    const g = await api(emu.baseUrl, token, "GET", `/users/${USERS.alice}`);
    expect(g.body.contact.email).toBe("a1@alpha.example");
    expect(g.body.version).toBe(4);
    const outcomes = (await emu.control.outbox()).map((m) => m.outcome);
    expect(outcomes).toEqual(["confirmed", "superseded"]);
  });

  it("activated: other fields apply at once, the email still waits", async () => {
    const r = await api(emu.baseUrl, token, "PUT", `/users/${USERS.alice}`, {
      contact: { email: "al@alpha.example", firstname: "Alicia" },
      version: 3,
    });
    expect(r.body.contact.firstname).toBe("Alicia");
    expect(r.body.contact.email).toBe("alice@alpha.example");
    expect(r.body.version).toBe(4);
    const [mail] = await emu.control.outbox();
    if (!mail) throw new Error("mail expected");
    expect((await emu.control.confirm(mail)).status).toBe(200);
    expect((await emu.control.getUser(USERS.alice)).version).toBe(5);
  });

  it("same email as current: 200, no mail, version unchanged", async () => {
    const r = await api(emu.baseUrl, token, "PUT", `/users/${USERS.alice}`, {
      contact: { email: "alice@alpha.example" },
      version: 3,
    });
    expect(r.status).toBe(200);
    expect(r.body.version).toBe(3);
    expect(await emu.control.outbox()).toEqual([]);
  });

  it("stale version: 409 with platform code 1001", async () => {
    const r = await api(emu.baseUrl, token, "PUT", `/users/${USERS.bob}`, {
      contact: { email: "x@alpha.example" },
      version: 0,
    });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 1001, message: "Version mismatch" });
    expect((await emu.control.getUser(USERS.bob)).contact.email).toBe("bob@alpha.example");
  });

  it("415 without application/json", async () => {
    const r = await request(`${emu.baseUrl}/users/${USERS.bob}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
      body: JSON.stringify({ contact: { email: "x@y.z" }, version: 1 }),
    });
    expect(r.status).toBe(415);
    expect(r.body.error.domain).toBe("PlatformAccountServer");
  });

  it("400 naming the unknown or invalid field", async () => {
    const top = await api(emu.baseUrl, token, "PUT", `/users/${USERS.bob}`, {
      id: USERS.bob,
      version: 1,
    });
    expect(top.status).toBe(400);
    expect(top.body.error.details.info).toContain("id: unknown field");
    const nested = await api(emu.baseUrl, token, "PUT", `/users/${USERS.bob}`, {
      contact: { email: "x@y.z", email2: "a" },
      version: 1,
    });
    expect(nested.status).toBe(400);
    expect(nested.body.error.details.info).toContain("contact.email2");
    const noVersion = await api(emu.baseUrl, token, "PUT", `/users/${USERS.bob}`, {
      contact: { email: "x@y.z" },
    });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.error.details.info).toContain("version");
    const badEmail = await api(emu.baseUrl, token, "PUT", `/users/${USERS.bob}`, {
      contact: { email: "not-an-email" },
      version: 1,
    });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.error.details.info).toContain("contact.email");
    expect((await emu.control.getUser(USERS.bob)).version).toBe(1);
  });

  it("403 outside the subtree, 404 unknown", async () => {
    const out = await api(emu.baseUrl, token, "PUT", `/users/${USERS.mallory}`, { version: 1 });
    expect(out.status).toBe(403);
    const missing = await api(
      emu.baseUrl,
      token,
      "PUT",
      "/users/20000000-0000-4000-8000-0000000000ff",
      { version: 1 },
    );
    expect(missing.status).toBe(404);
  });

  it("an out-of-band PATCH moves the version on and kills pending links", async () => {
    await api(emu.baseUrl, token, "PUT", `/users/${USERS.alice}`, {
      contact: { email: "a1@alpha.example" },
      version: 3,
    });
    const patched = await emu.control.patchUser(USERS.alice, { email: "other@alpha.example" });
    expect(patched.version).toBe(4);
    const [mail] = await emu.control.outbox();
    if (!mail) throw new Error("mail expected");
    expect((await emu.control.confirm(mail)).status).toBe(410);
    expect((await emu.control.getUser(USERS.alice)).contact.email).toBe("other@alpha.example");
  });
});

describe("GET /users (batch)", () => {
  it("returns requested users; unknown and out-of-subtree ids are absent", async () => {
    const ids = [USERS.bob, USERS.mallory, "20000000-0000-4000-8000-0000000000ff", USERS.alice];
    const r = await api(emu.baseUrl, token, "GET", `/users?uuids=${ids.join(",")}`);
    expect(r.status).toBe(200);
    expect(r.body.items.map((u: { id: string }) => u.id)).toEqual([USERS.bob, USERS.alice]);
    expect(r.body.paging).toEqual({ cursors: {} });
    expect(typeof r.body.timestamp).toBe("string");
    expect(r.body.items[0].contact.email).toBe("bob@alpha.example");
  });

  it("rejects more than 100 uuids and malformed ones", async () => {
    const ids = Array.from(
      { length: 101 },
      (_, i) => `20000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`,
    );
    const r = await api(emu.baseUrl, token, "GET", `/users?uuids=${ids.join(",")}`);
    expect(r.status).toBe(400);
    expect(r.body.error.details.info).toContain("100");
    const ok = await api(emu.baseUrl, token, "GET", `/users?uuids=${ids.slice(0, 100).join(",")}`);
    expect(ok.status).toBe(200);
    const bad = await api(emu.baseUrl, token, "GET", "/users?uuids=abc");
    expect(bad.status).toBe(400);
  });

  it("pages a subtree with limit and the after cursor", async () => {
    const ids: string[] = [];
    let page = await api(
      emu.baseUrl,
      token,
      "GET",
      `/users?subtree_root_tenant_id=${TENANTS.partner}&limit=3`,
    );
    for (;;) {
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      ids.push(...page.body.items.map((u: { id: string }) => u.id));
      const after = page.body.paging.cursors.after as string | undefined;
      if (after === undefined) break;
      page = await api(emu.baseUrl, token, "GET", `/users?after=${after}&limit=3`);
    }
    // Every account of the partner's tree, once; the unrelated tenant's account is not in it.
    const inTree = defaultSeed.users.filter((u) => u.id !== USERS.mallory).map((u) => u.id);
    expect(ids.sort()).toEqual([...inTree].sort());
    const denied = await api(
      emu.baseUrl,
      token,
      "GET",
      `/users?subtree_root_tenant_id=${TENANTS.unrelated}`,
    );
    expect(denied.status).toBe(403);
  });
});

describe("GET /search", () => {
  const search = (q: string) => api(emu.baseUrl, token, "GET", `/search?${q}`);

  it("matches word prefixes case-insensitively and returns the tenant path", async () => {
    const r = await search(`tenant=${TENANTS.partner}&text=ALI`);
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([
      {
        obj_type: "user",
        id: USERS.alice,
        parent_id: TENANTS.alpha,
        path: ["Demo Partner", "Alpha Customer"],
        login: "alice",
        first_name: "Alice",
        last_name: "Anders",
        deleted_at: null,
      },
    ]);
    const two = await search(`tenant=${TENANTS.partner}&text=${encodeURIComponent("bob bro")}`);
    expect(two.body.items.map((i: { id: string }) => i.id)).toEqual([USERS.bob]);
    const none = await search(`tenant=${TENANTS.partner}&text=${encodeURIComponent("bob evans")}`);
    expect(none.body.items).toEqual([]);
    // Inner substrings are not word prefixes.
    expect((await search(`tenant=${TENANTS.partner}&text=lice`)).body.items).toEqual([]);
  });

  it("searches the email but never returns it", async () => {
    await emu.control.patchUser(USERS.erin, { email: "zed.quux@beta.example" });
    const r = await search(`tenant=${TENANTS.partner}&text=quux`);
    expect(r.body.items.map((i: { id: string }) => i.id)).toEqual([USERS.erin]);
    expect(JSON.stringify(r.body)).not.toContain("zed.quux");
    expect(r.body.items[0]).not.toHaveProperty("email");
  });

  it("matches tenants by name (path ending with its own name, as the guide shows), honours limit, 403 outside the subtree", async () => {
    const t = await search(`tenant=${TENANTS.partner}&text=beta`);
    expect(t.body.items[0]).toMatchObject({
      obj_type: "tenant",
      id: TENANTS.beta,
      name: "Beta Customer",
      path: ["Demo Partner", "Beta Customer"],
    });
    const limited = await search(`tenant=${TENANTS.partner}&text=example&limit=2`);
    expect(limited.body.items).toHaveLength(2);
    const denied = await search(`tenant=${TENANTS.unrelated}&text=mallory`);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe(1002);
    // Mallory is not reachable from the partner root either.
    expect((await search(`tenant=${TENANTS.partner}&text=mallory`)).body.items).toEqual([]);
  });
});
