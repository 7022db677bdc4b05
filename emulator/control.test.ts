import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EmulatorControlError } from "./control";
import { TENANTS, USERS } from "./demo-seeds";
import { ErrorCode } from "./errors";
import { normalizePath } from "./faults";
import { GET_USER } from "./request-keys";
import { type RunningEmulator, startEmulator } from "./server";
import { api, getToken, request, waitFor } from "./test-helpers";

let emu: RunningEmulator;
let token: string;

beforeAll(async () => {
  emu = await startEmulator();
  token = await getToken(emu.baseUrl);
});

afterAll(async () => {
  await emu.close();
});

beforeEach(async () => {
  await emu.control.reset();
});

const putBob = (email: string, version = 1, signal?: AbortSignal) =>
  fetch(`${emu.baseUrl}/users/${USERS.bob}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ contact: { email }, version }),
    signal,
  });

describe("request counters", () => {
  it("counts API requests by normalized route", async () => {
    await api(emu.baseUrl, token, "GET", `/users/${USERS.bob}`);
    await api(emu.baseUrl, token, "GET", `/users/${USERS.alice}`);
    await api(emu.baseUrl, token, "GET", `/users?uuids=${USERS.bob}`);
    await getToken(emu.baseUrl);
    await putBob("b2@alpha.example");
    await emu.control.outbox(); // control calls are not counted
    const r = await emu.control.requests();
    expect(r.counts).toEqual({
      "GET /api/2/users/{id}": 2,
      "GET /api/2/users": 1,
      "POST /api/2/idp/token": 1,
      "PUT /api/2/users/{id}": 1,
    });
    expect(r.total).toBe(5);
    await emu.control.resetRequests();
    expect((await emu.control.requests()).total).toBe(0);
  });

  it("tracks the maximum number of concurrent API requests", async () => {
    await emu.control.latency(60);
    await Promise.all(
      Array.from({ length: 5 }, () => api(emu.baseUrl, token, "GET", `/users/${USERS.bob}`)),
    );
    const r = await emu.control.requests();
    expect(r.maxInFlight).toBe(5);
    expect(r.inFlight).toBe(0);
  });

  it("normalizes ids in paths", () => {
    expect(normalizePath(`/api/2/users/${USERS.bob}`)).toBe("/api/2/users/{id}");
    expect(normalizePath("/api/2/users/garbage")).toBe("/api/2/users/{id}");
    expect(normalizePath("/api/2/search")).toBe("/api/2/search");
  });
});

describe("faults", () => {
  it("status: answers the injected status with Retry-After, `times` times", async () => {
    await emu.control.faults({
      method: "GET",
      path: "/api/2/users/{id}",
      times: 2,
      action: { type: "status", status: 503, retryAfter: "2" },
    });
    const a = await api(emu.baseUrl, token, "GET", `/users/${USERS.bob}`);
    expect(a.status).toBe(503);
    expect(a.headers.get("retry-after")).toBe("2");
    expect(a.body.error.domain).toBe("PlatformAccountServer");
    // Other routes are not affected.
    expect((await api(emu.baseUrl, token, "GET", `/users?uuids=${USERS.bob}`)).status).toBe(200);
    expect((await api(emu.baseUrl, token, "GET", `/users/${USERS.bob}`)).status).toBe(503);
    expect((await api(emu.baseUrl, token, "GET", `/users/${USERS.bob}`)).status).toBe(200);
    expect((await emu.control.requests()).counts[GET_USER]).toBe(3);
  });

  it("status: custom body and HTTP-date Retry-After; `always` lasts until cleared", async () => {
    const date = new Date(Date.now() + 3000).toUTCString();
    await emu.control.faults([
      {
        path: "^/api/2/idp/token$",
        always: true,
        action: { type: "status", status: 429, retryAfter: date, body: { slow: "down" } },
      },
    ]);
    for (let i = 0; i < 3; i++) {
      const r = await request(`${emu.baseUrl}/idp/token`, { method: "POST" });
      expect(r.status).toBe(429);
      expect(r.headers.get("retry-after")).toBe(date);
      expect(r.body).toEqual({ slow: "down" });
    }
    expect((await emu.control.listFaults())[0]?.remaining).toBe("always");
    await emu.control.clearFaults();
    await getToken(emu.baseUrl);
  });

  it("drop: the socket closes with no response and the PUT is not applied", async () => {
    await emu.control.faults({ method: "PUT", action: { type: "drop" } });
    await expect(putBob("dropped@alpha.example")).rejects.toThrow();
    const u = await emu.control.getUser(USERS.bob);
    expect(u.contact.email).toBe("bob@alpha.example");
    expect(u.version).toBe(1);
    expect((await putBob("later@alpha.example")).status).toBe(200);
  });

  it("lose-response: the PUT is applied but no answer arrives", async () => {
    await emu.control.faults({ method: "PUT", action: { type: "lose-response" } });
    await expect(putBob("lost@alpha.example")).rejects.toThrow();
    const u = await emu.control.getUser(USERS.bob);
    expect(u.contact.email).toBe("lost@alpha.example");
    expect(u.version).toBe(2);
  });

  it("hang: never answers; a client-side timeout ends it and the server stays healthy", async () => {
    await emu.control.faults({ path: "/api/2/users/{id}", action: { type: "hang" } });
    const started = Date.now();
    await expect(
      fetch(`${emu.baseUrl}/users/${USERS.bob}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(150),
      }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect((await api(emu.baseUrl, token, "GET", `/users/${USERS.bob}`)).status).toBe(200);
    // A request that is never answered is in flight until its socket closes.
    await waitFor(async () => (await emu.control.requests()).inFlight === 0);
  });

  it("a request whose caller hung up stays in flight until the platform has applied it", async () => {
    const held = await emu.control.holds.hold({ method: "PUT", path: "/api/2/users/{id}" });
    const caller = new AbortController();
    const put = putBob("late@new.example.com", 1, caller.signal);
    await held.parked();
    caller.abort();
    await expect(put).rejects.toThrow();
    expect((await emu.control.requests()).inFlight).toBe(1);
    await held.release();
    await waitFor(async () => (await emu.control.requests()).inFlight === 0);
    // "Nothing in flight" means the PUT was processed: a test waiting for it sees its effect.
    expect(await emu.control.getUser(USERS.bob)).toMatchObject({
      contact: { email: "late@new.example.com" },
      version: 2,
    });
  });

  it("latency: delays one request; global latency delays every API response", async () => {
    // Delays are lower bounds (a busy machine only adds); "no delay" is read from the emulator's
    // own timestamps, so a busy test process cannot fail it.
    await emu.control.faults({ path: "/api/2/users/{id}", action: { type: "latency", ms: 500 } });
    let t = Date.now();
    expect((await api(emu.baseUrl, token, "GET", `/users/${USERS.bob}`)).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(495);
    await api(emu.baseUrl, token, "GET", `/users/${USERS.bob}`);
    // The one-shot rule is used up: by the emulator's own clock, answered without the 500 ms.
    const [, second] = await emu.control.holds.arrivals(GET_USER);
    expect((second?.answeredAt ?? Infinity) - (second?.at ?? 0)).toBeLessThan(495);
    await emu.control.latency(100);
    t = Date.now();
    await api(emu.baseUrl, token, "GET", `/users/${USERS.bob}`);
    expect(Date.now() - t).toBeGreaterThanOrEqual(95);
  });

  it("rejects invalid rules with 400", async () => {
    await expect(
      emu.control.faults({ action: { type: "explode" } } as never),
    ).rejects.toBeInstanceOf(EmulatorControlError);
    await expect(
      emu.control.faults({ path: "([", action: { type: "drop" } }),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe("reset, out-of-band changes, restart, close", () => {
  it("reset restores users, outbox, counters, faults and latency", async () => {
    await putBob("changed@alpha.example");
    await api(emu.baseUrl, token, "PUT", `/users/${USERS.alice}`, {
      contact: { email: "x@alpha.example" },
      version: 3,
    });
    await emu.control.deleteUser(USERS.carol);
    await emu.control.faults({ path: "/api/2/search", always: true, action: { type: "drop" } });
    await emu.control.latency(5_000);
    await emu.control.reset();
    expect((await emu.control.getUser(USERS.bob)).contact.email).toBe("bob@alpha.example");
    expect((await emu.control.getUser(USERS.carol)).deleted_at).toBeNull();
    expect(await emu.control.outbox()).toEqual([]);
    expect(await emu.control.listFaults()).toEqual([]);
    expect((await emu.control.requests()).total).toBe(0);
    const s = await api(emu.baseUrl, token, "GET", `/search?tenant=${TENANTS.partner}&text=bob`);
    expect(s.status).toBe(200);
    // Latency is back to none: by the emulator's own clock, answered well before the 5 s it was.
    const [search] = await emu.control.holds.arrivals("GET /api/2/search");
    expect((search?.answeredAt ?? Infinity) - (search?.at ?? 0)).toBeLessThan(5_000);
  });

  it("patchUser sets fields as another writer would", async () => {
    const u = await emu.control.patchUser(USERS.bob, { activated: true, version: 42 });
    expect(u.activated).toBe(true);
    expect(u.version).toBe(42);
    const r = await putBob("now-needs-mail@alpha.example", 42);
    expect(r.status).toBe(200);
    expect((await emu.control.outbox())[0]?.to).toBe("bob@alpha.example");
  });

  it("patchUser refuses another user's login with 409 and leaves both users as they were", async () => {
    const err = await emu.control
      .patchUser(USERS.bob, { login: "alice", email: "x@alpha.example" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmulatorControlError);
    expect(err).toMatchObject({ status: 409 });
    expect(JSON.parse((err as EmulatorControlError).body).error.code).toBe(ErrorCode.conflict);
    const bob = await emu.control.getUser(USERS.bob);
    expect(bob).toMatchObject({ login: "bob", version: 1 });
    expect(bob.contact.email).toBe("bob@alpha.example");
    // The login index still knows both owners: others are refused either login...
    for (const login of ["alice", "bob"]) {
      await expect(emu.control.patchUser(USERS.carol, { login })).rejects.toMatchObject({
        status: 409,
      });
    }
    // ...and "alice" belongs to alice: once she moves on, it is free.
    await emu.control.patchUser(USERS.alice, { login: "alice2" });
    expect((await emu.control.patchUser(USERS.bob, { login: "alice" })).login).toBe("alice");
  });

  it("control rejects unknown users and bad bodies", async () => {
    await expect(emu.control.patchUser(USERS.bob, { nope: 1 } as never)).rejects.toMatchObject({
      status: 400,
    });
    await expect(
      emu.control.deleteUser("20000000-0000-4000-8000-0000000000ff"),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("restart keeps state, tokens and port, and drops open connections", async () => {
    const own = await startEmulator();
    try {
      const t = await getToken(own.baseUrl);
      const put = await api(own.baseUrl, t, "PUT", `/users/${USERS.bob}`, {
        contact: { email: "kept@alpha.example" },
        version: 1,
      });
      expect(put.status).toBe(200);
      await own.control.faults({ action: { type: "hang" } });
      const hung = fetch(`${own.baseUrl}/users/${USERS.bob}`, {
        headers: { authorization: `Bearer ${t}` },
      });
      // The hung request is in: restart has an open connection to drop.
      await own.control.holds.arrived(GET_USER);
      const port = own.port;
      await own.restart();
      await expect(hung).rejects.toThrow();
      expect(own.port).toBe(port);
      const g = await api(own.baseUrl, t, "GET", `/users/${USERS.bob}`);
      expect(g.status).toBe(200);
      expect(g.body.contact.email).toBe("kept@alpha.example");
      expect(g.body.version).toBe(2);
    } finally {
      await own.close();
    }
  });

  it("close() returns promptly with hung and keep-alive connections open", async () => {
    const own = await startEmulator({ latencyMs: 0 });
    const t = await getToken(own.baseUrl); // leaves a keep-alive connection
    await own.control.faults({ always: true, action: { type: "hang" } });
    const hung = fetch(`${own.baseUrl}/users/${USERS.bob}`, {
      headers: { authorization: `Bearer ${t}` },
    }).catch((e: unknown) => e);
    await own.control.holds.arrived(GET_USER);
    // A hung socket would block close() forever: the suite's safety net then fails this test.
    await own.close();
    expect(await hung).toBeInstanceOf(Error);
  });
});
