import { inspect } from "node:util";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AcronisApiError,
  AcronisClient,
  type AcronisClientOptions,
  isVersionMismatch,
  OutcomeUnknownError,
  VersionMismatchError,
} from "./index";

const ORIGIN = "https://cloud.example.test";
const API = `${ORIGIN}/api/2`;
const CLIENT_ID = "3f1b2c4d-client";
const SECRET = "s3cr3t-Value-XYZ-0987";
const BASIC_VALUE = Buffer.from(`${CLIENT_ID}:${SECRET}`).toString("base64");
const BASIC = `Basic ${BASIC_VALUE}`;

function user(id: string, over: Record<string, unknown> = {}) {
  return {
    id,
    version: 1559561146223,
    tenant_id: "tenant-1",
    login: `login-${id}`,
    contact: { email: `${id}@example.com`, firstname: "A" },
    activated: true,
    enabled: true,
    created_at: "2020-01-01T00:00:00Z",
    updated_at: "2020-01-01T00:00:00Z",
    deleted_at: null,
    language: "en",
    business_types: [],
    notifications: [],
    ...over,
  };
}

/** An error body as the platform writes it (schema `errorScheme`). */
function platformError(code: number, message: string, info: string | null) {
  return {
    error: { code, message, details: { info }, context: {}, domain: "PlatformAccountServer" },
  };
}

function token(scope: nock.Scope, accessToken = "tok-1", expiresIn = 7200) {
  return scope
    .post("/api/2/idp/token", "grant_type=client_credentials")
    .matchHeader("authorization", BASIC)
    .matchHeader("content-type", "application/x-www-form-urlencoded")
    .reply(200, {
      access_token: accessToken,
      token_type: "bearer",
      id_token: "id",
      expires_in: expiresIn,
    });
}

const clients: AcronisClient[] = [];
function mk(opts: Partial<AcronisClientOptions> = {}): AcronisClient {
  const c = new AcronisClient({
    baseUrl: API,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    sleep: async () => {},
    ...opts,
  });
  clients.push(c);
  return c;
}

async function rejection(p: Promise<unknown>): Promise<AcronisApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AcronisApiError);
    return e as AcronisApiError;
  }
  throw new Error("expected a rejection");
}

beforeAll(() => nock.disableNetConnect());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

describe("token", () => {
  it("reuses one token across calls", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope
      .get("/api/2/users/u1")
      .times(3)
      .matchHeader("authorization", "Bearer tok-1")
      .reply(200, user("u1"));
    const c = mk({ batchReads: false });
    for (let i = 0; i < 3; i++) await c.getUser("u1");
    expect(c.stats.tokenRequests).toBe(1);
    expect(c.stats.requests).toBe(4);
    expect(scope.isDone()).toBe(true);
  });

  it("single flight: 20 concurrent calls share one token request", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    token(scope, "tok-extra"); // would be consumed if a second token request were made
    scope
      .get(/\/api\/2\/users\/u\d+$/)
      .times(20)
      .reply(200, (req: Request) => user(new URL(req.url).pathname.split("/").pop() ?? ""));
    const c = mk({ batchReads: false });
    const users = await Promise.all(Array.from({ length: 20 }, (_, i) => c.getUser(`u${i}`)));
    expect(users.map((u) => u.id)).toEqual(Array.from({ length: 20 }, (_, i) => `u${i}`));
    expect(c.stats.tokenRequests).toBe(1);
    expect(scope.pendingMocks()).toHaveLength(1);
  });

  it("renews 900 s before expiry (10% of lifetime for short-lived tokens)", async () => {
    let clock = 1_000_000;
    const scope = nock(ORIGIN);
    token(scope, "tok-1", 7200);
    token(scope, "tok-2", 600);
    token(scope, "tok-3", 600);
    scope.get("/api/2/clients/c").times(5).reply(200, { client_id: "c", tenant_id: "t" });
    const c = mk({ now: () => clock });
    await c.getClient("c");
    clock += (7200 - 901) * 1000;
    await c.getClient("c");
    expect(c.stats.tokenRequests).toBe(1);
    clock += 2000; // now 899 s before expiry
    await c.getClient("c");
    expect(c.stats.tokenRequests).toBe(2);
    clock += 539_000; // 61 s before the 600 s token expires: still good
    await c.getClient("c");
    expect(c.stats.tokenRequests).toBe(2);
    clock += 2000; // 59 s before expiry: inside the 10% margin
    await c.getClient("c");
    expect(c.stats.tokenRequests).toBe(3);
  });

  it("a 401 renews the token once and retries once", async () => {
    const scope = nock(ORIGIN);
    token(scope, "tok-old");
    token(scope, "tok-new");
    scope.get("/api/2/users/u1").matchHeader("authorization", "Bearer tok-old").reply(401, {});
    scope
      .get("/api/2/users/u1")
      .matchHeader("authorization", "Bearer tok-new")
      .reply(200, user("u1"));
    const c = mk({ batchReads: false });
    expect((await c.getUser("u1")).id).toBe("u1");
    expect(c.stats.tokenRequests).toBe(2);
    expect(scope.isDone()).toBe(true);
  });

  it("a second 401 is an error (no renewal loop)", async () => {
    const scope = nock(ORIGIN);
    token(scope, "tok-a");
    token(scope, "tok-b");
    token(scope, "tok-c");
    scope.get("/api/2/users/u1").times(3).reply(401, {});
    const c = mk({ batchReads: false });
    const err = await rejection(c.getUser("u1"));
    expect(err.status).toBe(401);
    expect(err.kind).toBe("http");
    expect(c.stats.tokenRequests).toBe(2);
    expect(scope.pendingMocks()).toHaveLength(2); // tok-c and the third GET untouched
  });

  it("token endpoint 401 is an auth error naming the client, not retried, secret-free", async () => {
    const scope = nock(ORIGIN);
    scope
      .post("/api/2/idp/token")
      .times(2)
      .reply(401, { error: "invalid_client", error_description: "invalid client credentials" });
    const c = mk({ batchReads: false });
    const err = await rejection(c.getUser("u1"));
    expect(err.kind).toBe("auth");
    expect(err.message).toContain(CLIENT_ID);
    expect(err.message).toContain("invalid_client");
    expect(err.message).toContain("invalid client credentials");
    expect(err.path).toBe("/idp/token");
    expect(JSON.stringify(err) + inspect(err)).not.toContain(SECRET);
    expect(c.stats.tokenRequests).toBe(1);
  });

  it("remembers a refusal of the credentials: later calls fail at once, no login storm", async () => {
    const scope = nock(ORIGIN);
    scope
      .post("/api/2/idp/token")
      .times(2)
      .reply(401, { error: "invalid_client", error_description: "invalid client credentials" });
    const c = mk({ batchReads: false });
    const first = await rejection(c.getUser("u1"));
    const later = await rejection(c.getUser("u2"));
    expect(later.kind).toBe("auth");
    expect(later.message).toBe(first.message);
    expect(c.stats.tokenRequests).toBe(1);
    expect(scope.pendingMocks()).toHaveLength(1);
  });

  // The platform writes its other errors (a published 401 of GET /users/me) in its own shape;
  // the token endpoint may answer the same way.
  it.each([
    {
      status: 401,
      body: platformError(401, "Client authentication failed", ""),
      said: "code 401, PlatformAccountServer: Client authentication failed",
    },
    {
      status: 403,
      body: platformError(1002, "Access denied", "API client is disabled"),
      said: "code 1002, PlatformAccountServer: Access denied: API client is disabled",
    },
    { status: 400, body: { code: 400, message: "Bad request" }, said: "code 400: Bad request" },
  ])(
    "token endpoint $status in the platform's shape: its code and message reach the user",
    async ({ status, body, said }) => {
      nock(ORIGIN).post("/api/2/idp/token").reply(status, body);
      const c = mk({ batchReads: false });
      const err = await rejection(c.getUser("u1"));
      expect(err.kind).toBe("auth");
      expect(err.status).toBe(status);
      expect(err.message).toBe(
        `Acronis API POST /idp/token failed: HTTP ${status}: could not obtain a token for API client ${CLIENT_ID} (${said}); check the client id and secret`,
      );
      expect(err.code).toBe("error" in body ? body.error.code : body.code);
      expect(err.platformMessage).toBe("error" in body ? body.error.message : body.message);
      expect(c.stats.tokenRequests).toBe(1);
    },
  );

  it("a platform-shaped token error echoing the credentials keeps its message, not the secret", async () => {
    nock(ORIGIN)
      .post("/api/2/idp/token")
      .reply(401, {
        error: {
          code: 401,
          message: `Invalid client credentials (client_secret=${SECRET})`,
          details: { info: `Authorization: ${BASIC}` },
          context: { client_id: CLIENT_ID, client_secret: SECRET },
          domain: "PlatformAccountServer",
        },
      });
    const err = await rejection(mk({ batchReads: false }).getUser("u1"));
    expect(err.message).toContain("code 401, PlatformAccountServer: Invalid client credentials");
    const all = `${String(err)} ${JSON.stringify(err)} ${inspect(err, { depth: 10 })}`;
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(BASIC_VALUE);
  });
});

describe("retry", () => {
  it("retries GET on 503 with growing delays, bounded by maxAttempts", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope.get("/api/2/users/u1").times(5).reply(503, "busy");
    const delays: number[] = [];
    const c = mk({
      batchReads: false,
      random: () => 0.9999,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const err = await rejection(c.getUser("u1"));
    expect(err.status).toBe(503);
    expect(delays).toEqual([499, 999, 1999]);
    expect(c.stats.retries).toBe(3);
    expect(scope.pendingMocks()).toHaveLength(1); // 4 attempts of 5 possible
  });

  it("recovers after transient failures, including a connection reset on GET", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope.get("/api/2/users/u1").reply(502);
    scope
      .get("/api/2/users/u1")
      .replyWithError(Object.assign(new Error("reset"), { code: "ECONNRESET" }));
    scope.get("/api/2/users/u1").reply(200, user("u1"));
    const c = mk({ batchReads: false });
    expect((await c.getUser("u1")).id).toBe("u1");
    expect(c.stats.retries).toBe(2);
  });

  it("honours Retry-After seconds and HTTP-date", async () => {
    const start = Date.parse("2030-01-01T00:00:00Z");
    const scope = nock(ORIGIN);
    token(scope);
    scope.get("/api/2/users/u1").reply(503, "", { "Retry-After": "3" });
    scope.get("/api/2/users/u1").reply(503, "", { "Retry-After": "Tue, 01 Jan 2030 00:00:07 GMT" });
    scope.get("/api/2/users/u1").reply(200, user("u1"));
    const delays: number[] = [];
    const c = mk({
      batchReads: false,
      now: () => start,
      random: () => 0,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    await c.getUser("u1");
    expect(delays).toEqual([3000, 7000]);
  });

  it("stops when the next delay would exceed maxElapsedMs", async () => {
    let clock = 0;
    const scope = nock(ORIGIN);
    token(scope);
    scope.get("/api/2/users/u1").times(10).reply(504);
    const delays: number[] = [];
    const c = mk({
      batchReads: false,
      now: () => clock,
      random: () => 0.9999,
      retry: { maxAttempts: 10, baseDelayMs: 1000, maxElapsedMs: 2500 },
      sleep: async (ms) => {
        delays.push(ms);
        clock += ms;
      },
    });
    const err = await rejection(c.getUser("u1"));
    expect(err.status).toBe(504);
    expect(delays).toEqual([999]); // 999 + 1999 > 2500
    expect(clock).toBeLessThanOrEqual(2500);
  });

  it("does not retry other 4xx", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope
      .get("/api/2/users/u1")
      .times(2)
      .reply(404, {
        error: { code: 404, domain: "PlatformAccountServer", message: "Not found", details: {} },
      });
    const c = mk({ batchReads: false });
    const err = await rejection(c.getUser("u1"));
    expect(err.status).toBe(404);
    expect(err.code).toBe(404);
    expect(scope.pendingMocks()).toHaveLength(1);
  });

  it("a 429 pauses the whole client, not just the call that got it", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope.get("/api/2/users/u1").reply(429, "", { "Retry-After": "2" });
    scope.get("/api/2/users/u1").reply(200, user("u1"));
    const clientsHit: number[] = [];
    scope.get("/api/2/clients/c").reply(200, () => {
      clientsHit.push(Date.now());
      return { client_id: "c", tenant_id: "t" };
    });
    const pending: Array<{ ms: number; resolve: () => void }> = [];
    let bothPausing!: () => void;
    const paused = new Promise<void>((resolve) => {
      bothPausing = resolve;
    });
    const c = mk({
      batchReads: false,
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          if (pending.push({ ms, resolve }) === 2) bothPausing();
        }),
    });
    const a = c.getUser("u1");
    await paused; // a signal: the client is in its pause
    const b = c.getClient("c");
    // A signal either way, whatever the machine's speed: a working client parks b behind the
    // pause, a broken one sends it.
    while (c.queuedRequests === 0 && clientsHit.length === 0) {
      await new Promise((r) => setImmediate(r));
    }
    expect(clientsHit).toHaveLength(0); // held back by the pause
    expect(c.queuedRequests).toBe(1);
    expect(pending.map((p) => p.ms).sort()).toEqual([2000, 2000]);
    for (const p of pending.splice(0)) p.resolve();
    await Promise.all([a, b]);
    expect(clientsHit).toHaveLength(1);
  });
});

describe("updateUserEmail", () => {
  it("sends exactly {contact:{email},version} as JSON", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    const seen: string[] = [];
    scope
      .put("/api/2/users/u1", (body) => {
        seen.push(JSON.stringify(body));
        return true;
      })
      .matchHeader("content-type", "application/json")
      .matchHeader("authorization", "Bearer tok-1")
      .reply(200, user("u1", { contact: { email: "x@y.z" } }));
    const c = mk();
    const u = await c.updateUserEmail("u1", "x@y.z", 1559561146223);
    expect(u.email).toBe("x@y.z");
    expect(seen).toEqual(['{"contact":{"email":"x@y.z"},"version":1559561146223}']);
  });

  it("exact raw body string", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope.put("/api/2/users/u1", '{"contact":{"email":"x"},"version":7}').reply(200, user("u1"));
    await mk().updateUserEmail("u1", "x", 7);
    expect(scope.isDone()).toBe(true);
  });

  it("409 and platform code 1001 are VersionMismatchError, not retried", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope.put("/api/2/users/u1").reply(409, {
      error: {
        code: 1001,
        domain: "PlatformAccountServer",
        message: "Version mismatch",
        details: {},
      },
    });
    scope.put("/api/2/users/u2").reply(400, {
      error: {
        code: 1001,
        domain: "PlatformAccountServer",
        message: "Version mismatch",
        details: {},
      },
    });
    scope.put("/api/2/users/u1").reply(200, user("u1"));
    const c = mk();
    const e1 = await rejection(c.updateUserEmail("u1", "x", 1));
    const e2 = await rejection(c.updateUserEmail("u2", "x", 1));
    for (const e of [e1, e2]) {
      expect(e).toBeInstanceOf(VersionMismatchError);
      expect(isVersionMismatch(e)).toBe(true);
    }
    expect(e1.status).toBe(409);
    expect(scope.pendingMocks()).toHaveLength(1);
  });

  it.each([
    ["no body", ""],
    ["a proxy's page", "<html>409 Conflict</html>"],
    ["an error without a code", { error: { message: "Conflict" } }],
  ])("a 409 with %s is taken as a version mismatch", async (_what, body) => {
    const scope = nock(ORIGIN);
    token(scope);
    scope.put("/api/2/users/u1").reply(409, body);
    const err = await rejection(mk().updateUserEmail("u1", "x", 1));
    expect(err).toBeInstanceOf(VersionMismatchError);
  });

  it.each([
    // Published answer of GET /users/check_login: code and message at the top level.
    [
      "check_login's published shape",
      { code: 409, message: "User 'stas.test' exists" },
      "HTTP 409 (code 409): User 'stas.test' exists",
    ],
    [
      "the documented shape",
      platformError(409, "Another object of the same type already exists", null),
      "HTTP 409 (code 409, PlatformAccountServer): Another object of the same type already exists",
    ],
  ])(
    "a 409 with another platform code (%s) fails at once with its code and message",
    async (_what, body, detail) => {
      const scope = nock(ORIGIN);
      token(scope);
      scope.put("/api/2/users/u1").reply(409, body);
      const again = nock(ORIGIN).put("/api/2/users/u1").reply(200, user("u1"));
      const c = mk();
      const err = await rejection(c.updateUserEmail("u1", "x", 1));
      expect(err).not.toBeInstanceOf(VersionMismatchError);
      expect(isVersionMismatch(err)).toBe(false);
      expect(err.status).toBe(409);
      expect(err.code).toBe(409);
      expect(err.message).toBe(`Acronis API PUT /users/u1 failed: ${detail}`);
      expect(again.isDone()).toBe(false);
      expect(c.stats.retries).toBe(0);
    },
  );

  it("403 keeps the platform error and the documented message format", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope.put("/api/2/users/u1").reply(403, {
      error: {
        code: 1002,
        domain: "PlatformAccountServer",
        message: "Access denied",
        details: { info: "user is outside the client's tenant" },
      },
    });
    const err = await rejection(mk().updateUserEmail("u1", "x", 1));
    expect(isVersionMismatch(err)).toBe(false);
    expect(err.message).toBe(
      "Acronis API PUT /users/u1 failed: HTTP 403 (code 1002, PlatformAccountServer): Access denied (user is outside the client's tenant)",
    );
    expect(err.summary).toBe("Acronis API PUT /users/u1 failed");
    expect(err.domain).toBe("PlatformAccountServer");
    expect(err.platformMessage).toBe("Access denied");
    expect(err.details).toEqual({ info: "user is outside the client's tenant" });
  });

  it.each([
    ["empty", ""],
    ["null", null],
  ])("an %s details.info adds nothing to the message", async (_what, info) => {
    const scope = nock(ORIGIN);
    token(scope);
    scope.put("/api/2/users/u1").reply(403, platformError(1002, "Access denied", info));
    const err = await rejection(mk().updateUserEmail("u1", "x", 1));
    expect(err.message).toBe(
      "Acronis API PUT /users/u1 failed: HTTP 403 (code 1002, PlatformAccountServer): Access denied",
    );
    expect(err.details).toEqual({ info });
  });

  it("a connection reset after sending is OutcomeUnknownError and the PUT is not repeated", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope
      .put("/api/2/users/u1")
      .replyWithError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    const second = nock(ORIGIN).put("/api/2/users/u1").reply(200, user("u1"));
    const c = mk();
    const err = await rejection(c.updateUserEmail("u1", "x", 1));
    expect(err).toBeInstanceOf(OutcomeUnknownError);
    expect(err.kind).toBe("outcome-unknown");
    expect(err.status).toBeUndefined();
    expect(second.isDone()).toBe(false);
    expect(c.stats.retries).toBe(0);
  });

  it("PUT 503 is retried (the platform said it did not process it)", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope.put("/api/2/users/u1").reply(503);
    scope.put("/api/2/users/u1").reply(200, user("u1"));
    const c = mk();
    expect((await c.updateUserEmail("u1", "x", 1)).id).toBe("u1");
    expect(c.stats.retries).toBe(1);
  });
});

describe("responses", () => {
  it("schema errors name the endpoint and the field", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope.get("/api/2/users/u1").reply(200, user("u1", { contact: { email: 42 } }));
    const err = await rejection(mk({ batchReads: false }).getUser("u1"));
    expect(err.kind).toBe("schema");
    expect(err.detail).toContain("GET /users/{id}: response field contact.email: expected string");
  });

  it("schema errors on batch and on non-JSON bodies", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope
      .get("/api/2/users")
      .query(true)
      .reply(200, { items: [user("a"), user("b", { version: "7" })] });
    scope.get("/api/2/clients/c").reply(200, "<html>");
    const c = mk();
    const e1 = await rejection(c.getUsers(["a", "b"]));
    expect(e1.detail).toContain("response field items[1].version");
    const e2 = await rejection(c.getClient("c"));
    expect(e2.kind).toBe("schema");
    expect(e2.detail).toContain("GET /clients/{id}: response body is not valid JSON");
  });

  it("a redirect on an authenticated call is an error", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope
      .get("/api/2/users/u1")
      .reply(302, "", { Location: "https://evil.example/api/2/users/u1" });
    const err = await rejection(mk({ batchReads: false }).getUser("u1"));
    expect(err.kind).toBe("redirect");
    expect(err.status).toBe(302);
  });

  it("findUsers keeps only users; getClient maps the tenant", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope
      .get("/api/2/search")
      .query({ tenant: "t1", text: "bob smith", limit: "5" })
      .reply(200, {
        items: [
          { obj_type: "tenant", id: "t2", parent_id: "t1", path: ["a"], name: "x" },
          { obj_type: "user", id: "u9", parent_id: "t2", path: ["a", "b"], login: "bob" },
        ],
      });
    scope
      .get("/api/2/clients/cid")
      .reply(200, { client_id: "cid", tenant_id: "t1", type: "api_client" });
    const c = mk();
    expect(await c.findUsers("t1", "bob smith", 5)).toEqual([
      { id: "u9", tenantId: "t2", login: "bob", path: ["a", "b"] },
    ]);
    expect(await c.getClient("cid")).toEqual({ clientId: "cid", tenantId: "t1" });
  });
});

describe("redaction", () => {
  it("secret, Basic value and bearer token never appear, even in the cause", async () => {
    const TOKEN = "eyJ-bearer-token-VALUE-123";
    const scope = nock(ORIGIN);
    token(scope, TOKEN);
    const leaky = Object.assign(
      new Error(
        `socket closed while sending Authorization: Bearer ${TOKEN} / ${BASIC} client_secret=${SECRET}`,
      ),
      { code: "ECONNRESET" },
    );
    scope.get("/api/2/users/u1").replyWithError(leaky);
    const c = mk({ batchReads: false, retry: { maxAttempts: 1 } });
    const err = await rejection(c.getUser("u1"));
    expect(err.kind).toBe("network");
    expect(err.cause).toBeInstanceOf(Error);
    const texts = [
      String(err),
      err.message,
      err.detail,
      JSON.stringify(err),
      inspect(err, { depth: 10 }),
      String((err.cause as Error).message),
      String((err.cause as Error).stack),
    ];
    for (const t of texts) {
      expect(t).not.toContain(SECRET);
      expect(t).not.toContain(BASIC_VALUE);
      expect(t).not.toContain(TOKEN);
    }
    expect(inspect(err, { depth: 10 })).toContain("[REDACTED]");
  });

  it("platform error messages echoing a token are scrubbed", async () => {
    const TOKEN = "tok-echoed-back-999";
    const scope = nock(ORIGIN);
    token(scope, TOKEN);
    scope.get("/api/2/users/u1").reply(400, {
      error: { code: 1, domain: "d", message: `bad token ${TOKEN}`, details: { info: TOKEN } },
    });
    const err = await rejection(mk({ batchReads: false }).getUser("u1"));
    expect(JSON.stringify(err) + inspect(err, { depth: 10 })).not.toContain(TOKEN);
  });
});

describe("batching", () => {
  it("10 concurrent getUser calls become one GET /users?uuids= with the 10 ids", async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `id-${i}`);
    const scope = nock(ORIGIN);
    token(scope);
    scope
      .get("/api/2/users")
      .query({ uuids: ids.join(",") })
      .reply(200, { timestamp: "x", items: ids.map((id) => user(id)) });
    const c = mk();
    const users = await Promise.all(ids.map((id) => c.getUser(id)));
    expect(users.map((u) => u.id)).toEqual(ids);
    expect(c.stats.requests).toBe(2);
    expect(scope.isDone()).toBe(true);
  });

  it("250 ids -> 3 batch requests of at most 100", async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `id-${i}`);
    const sizes: number[] = [];
    const scope = nock(ORIGIN);
    token(scope);
    scope
      .get("/api/2/users")
      .query(true)
      .times(3)
      .reply(200, (req: Request) => {
        const q = new URL(req.url).searchParams.get("uuids") ?? "";
        const got = q.split(",");
        sizes.push(got.length);
        return { timestamp: "x", items: got.map((id) => user(id)) };
      });
    const c = mk();
    const users = await Promise.all(ids.map((id) => c.getUser(id)));
    expect(users).toHaveLength(250);
    expect(sizes.sort((a, b) => b - a)).toEqual([100, 100, 50]);
    const viaGetUsers = mk();
    token(nock(ORIGIN));
    nock(ORIGIN)
      .get("/api/2/users")
      .query(true)
      .times(3)
      .reply(200, (req: Request) => {
        const got = (new URL(req.url).searchParams.get("uuids") ?? "").split(",");
        return { timestamp: "x", items: got.slice(1).map((id) => user(id)) };
      });
    const map = await viaGetUsers.getUsers(ids);
    expect(map.size).toBe(247); // the first id of each chunk is missing: simply absent
    expect(map.has("id-0")).toBe(false);
  });

  it("an id missing from the batch falls back to GET /users/{id}; its 404 reaches only its caller", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope
      .get("/api/2/users")
      .query({ uuids: "a,b,gone" })
      .reply(200, { timestamp: "x", items: [user("a"), user("b")] });
    scope.get("/api/2/users/gone").reply(404, {
      error: { code: 404, domain: "PlatformAccountServer", message: "User not found", details: {} },
    });
    const c = mk();
    const [a, b, gone] = await Promise.allSettled([
      c.getUser("a"),
      c.getUser("b"),
      c.getUser("gone"),
    ]);
    expect(a.status).toBe("fulfilled");
    expect(b.status).toBe("fulfilled");
    expect(gone.status).toBe("rejected");
    const err = (gone as PromiseRejectedResult).reason as AcronisApiError;
    expect(err.status).toBe(404);
    expect(err.path).toBe("/users/gone");
  });

  it("identical concurrent ids share one request", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope
      .get("/api/2/users")
      .query({ uuids: "a,b" })
      .reply(200, { timestamp: "x", items: [user("a"), user("b")] });
    const c = mk();
    const res = await Promise.all([c.getUser("a"), c.getUser("a"), c.getUser("b"), c.getUser("a")]);
    expect(res.map((u) => u.id)).toEqual(["a", "a", "b", "a"]);
    expect(c.stats.requests).toBe(2);
  });

  it("batchReads:false makes one GET /users/{id} per call", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    for (const id of ["a", "b", "c"]) scope.get(`/api/2/users/${id}`).reply(200, user(id));
    const c = mk({ batchReads: false });
    await Promise.all(["a", "b", "c"].map((id) => c.getUser(id)));
    expect(scope.isDone()).toBe(true);
    expect(c.stats.requests).toBe(4);
  });
});

describe("listTenantUsers", () => {
  it("follows paging.cursors.after to the last page, deleted users asked for once", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope
      .get("/api/2/users")
      .query({ subtree_root_tenant_id: "t-1", lod: "full", allow_deleted: "true" })
      .reply(200, { items: [user("a"), user("b")], paging: { cursors: { after: "c1" } } });
    // The cursor carries the filter: later pages send it alone.
    scope
      .get("/api/2/users")
      .query({ after: "c1" })
      .reply(200, {
        items: [user("c", { deleted_at: "2026-01-01T00:00:00Z", contact: { email: "" } })],
        paging: { cursors: {} },
      });
    const c = mk();
    const pages: string[][] = [];
    for await (const page of c.listTenantUsers("t-1", { includeDeleted: true })) {
      pages.push(page.map((u) => `${u.id}${u.deletedAt ? " deleted" : ""}`));
    }
    expect(pages).toEqual([["a", "b"], ["c deleted"]]);
    expect(scope.isDone()).toBe(true);
  });

  it("stops with an error when the platform hands out a cursor twice", async () => {
    const scope = nock(ORIGIN);
    token(scope);
    scope
      .get("/api/2/users")
      .query(true)
      .times(2)
      .reply(200, { items: [user("a")], paging: { cursors: { after: "same" } } });
    const c = mk();
    const pages = async () => {
      for await (const _ of c.listTenantUsers("t-1")) {
        // drain
      }
    };
    const err = await rejection(pages());
    expect(err.message).toBe(
      "Acronis API GET /users failed: GET /users?subtree_root_tenant_id=: paging.cursors.after repeats an earlier cursor",
    );
  });
});
