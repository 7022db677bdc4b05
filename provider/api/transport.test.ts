import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AcronisClient, type AcronisClientOptions, OutcomeUnknownError } from "./index";
import { Transport, TransportError } from "./transport";

// A real loopback server: nock cannot hold a response back or refuse a connection.

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface Local {
  server: Server;
  port: number;
  seen: string[];
}

const servers: Server[] = [];
const clients: AcronisClient[] = [];
const transports: Transport[] = [];

function tokenOk(res: ServerResponse): void {
  res.setHeader("content-type", "application/json");
  res.end(
    JSON.stringify({ access_token: "t", token_type: "bearer", id_token: "i", expires_in: 7200 }),
  );
}

function userJson(id: string): string {
  return JSON.stringify({
    id,
    version: 3,
    tenant_id: "t",
    login: id,
    contact: { email: `${id}@x.y` },
    activated: false,
    enabled: true,
    deleted_at: null,
  });
}

async function listen(handler: Handler, port = 0): Promise<Local> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url?.endsWith("/idp/token")) tokenOk(res);
      else handler(req, res, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

async function stop(s: Server): Promise<void> {
  s.closeAllConnections();
  await new Promise<void>((resolve) => s.close(() => resolve()));
}

function mk(port: number, opts: Partial<AcronisClientOptions> = {}): AcronisClient {
  const c = new AcronisClient({
    baseUrl: `http://127.0.0.1:${port}/api/2`,
    clientId: "cid",
    clientSecret: "secret-secret",
    batchReads: false,
    sleep: async () => {},
    ...opts,
  });
  clients.push(c);
  return c;
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => (s.listening ? stop(s) : undefined)));
});
afterAll(() => nock.enableNetConnect());

describe("concurrency", () => {
  it("never more than maxConcurrentRequests in flight, whatever callers do", async () => {
    let inFlight = 0;
    let peak = 0;
    const local = await listen((req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        res.setHeader("content-type", "application/json");
        res.end(userJson(req.url?.split("/").pop() ?? ""));
      }, 20);
    });
    const c = mk(local.port, { maxConcurrentRequests: 3 });
    const users = await Promise.all(Array.from({ length: 30 }, (_, i) => c.getUser(`u${i}`)));
    expect(users).toHaveLength(30);
    expect(peak).toBe(3);
    expect(c.peakInFlight).toBe(3);
  });
});

describe("PUT safety", () => {
  it("a PUT refused at connect time is retried (it never reached the server)", async () => {
    const handler: Handler = (req, res, body) => {
      res.setHeader("content-type", "application/json");
      if (req.method === "PUT") res.end(userJson(JSON.parse(body).contact.email));
      else {
        // No kept-alive socket survives, so the PUT below needs a fresh connect.
        res.setHeader("connection", "close");
        res.end(JSON.stringify({ client_id: "cid", tenant_id: "t" }));
      }
    };
    const first = await listen(handler);
    let restarted: Local | undefined;
    const sleeps: number[] = [];
    const c = mk(first.port, {
      sleep: async (ms) => {
        sleeps.push(ms);
        // Bring the server back during the first back-off.
        restarted ??= await listen(handler, first.port);
      },
    });
    await c.getClient("cid"); // token obtained
    await stop(first.server); // now nothing listens: the next connect is refused
    const u = await c.updateUserEmail("u1", "after-restart", 1);
    expect(u.id).toBe("after-restart");
    expect(sleeps).toHaveLength(1);
    expect(first.seen.filter((s) => s.startsWith("PUT"))).toHaveLength(0);
    expect(restarted?.seen.filter((s) => s.startsWith("PUT"))).toEqual(["PUT /api/2/users/u1"]);
  });

  // undici's own timeouts, on the Transport alone: a client would first ask for a token on the
  // same pool, under the same 100 ms, and a loaded machine can stall that past it. Here the one
  // request the test sends is the only one, and the server never answers it, so the timeout fires
  // whatever the load. What the client does with such a failure (a PUT: OutcomeUnknownError, no
  // repeat; a GET: retried, then kind timeout) is call-decision.ts's table, and the SocketError
  // test below shows it on the wire.
  function transport(port: number, timeouts: { headersMs?: number; bodyMs?: number }) {
    const t = new Transport({
      origin: `http://127.0.0.1:${port}`,
      connections: 1,
      connectMs: 10_000,
      headersMs: timeouts.headersMs ?? 60_000,
      bodyMs: timeouts.bodyMs ?? 60_000,
    });
    transports.push(t);
    return t;
  }

  async function failureOf(sending: Promise<unknown>): Promise<TransportError> {
    const error = await sending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }

  it.each([
    ["PUT", "UND_ERR_HEADERS_TIMEOUT"],
    ["GET", "UND_ERR_HEADERS_TIMEOUT"],
  ] as const)(
    "no answer to a %s (headers timeout): maybe applied, a timeout, sent once",
    async (method, code) => {
      const local = await listen(() => {
        // never answer
      });
      const error = await failureOf(
        transport(local.port, { headersMs: 100 }).send({
          method,
          path: "/api/2/users/u1",
          headers: { "content-type": "application/json" },
          ...(method === "PUT" ? { body: "{}" } : {}),
        }),
      );
      expect([error.phase, error.timeout, error.fatal, error.originalCode]).toEqual([
        "after-send",
        true,
        false,
        code,
      ]);
      expect(local.seen).toEqual([`${method} /api/2/users/u1`]);
    },
  );

  it("a PUT whose answer's body never completes (body timeout): maybe applied, sent once", async () => {
    const local = await listen((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write("{"); // headers and a first byte, then nothing
    });
    const error = await failureOf(
      transport(local.port, { bodyMs: 100 }).send({
        method: "PUT",
        path: "/api/2/users/u1",
        headers: { "content-type": "application/json" },
        body: "{}",
      }),
    );
    expect([error.phase, error.timeout, error.originalCode]).toEqual([
      "after-send",
      true,
      "UND_ERR_BODY_TIMEOUT",
    ]);
    expect(local.seen).toEqual(["PUT /api/2/users/u1"]);
  });

  it("a PUT whose connection the server closes after reading it (undici SocketError) is OutcomeUnknownError after one PUT", async () => {
    const local = await listen((req, res) => {
      if (req.method === "PUT") req.socket.destroy();
      else res.end(JSON.stringify({ client_id: "cid", tenant_id: "t" }));
    });
    const c = mk(local.port);
    const err = await c.updateUserEmail("u1", "x@y.z", 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutcomeUnknownError);
    expect(local.seen.filter((s) => s.startsWith("PUT"))).toHaveLength(1);
  });
});
