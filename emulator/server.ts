import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { openActivationLink } from "./activation";
import { EmulatorControl } from "./control";
import {
  badRequest,
  ErrorCode,
  notFound,
  PlatformError,
  platformErrorBody,
  TokenError,
} from "./errors";
import {
  type FaultAction,
  FaultEngine,
  faultRulesSchema,
  normalizePath,
  RequestStats,
  retryAfterHeader,
} from "./faults";
import { RequestHolds } from "./hold";
import {
  mediaType,
  methodNotAllowed,
  parseBool,
  parseJson,
  type Reply,
  requireJsonBody,
} from "./http";
import { routeClients } from "./routes/clients";
import { routeUserLifecycle } from "./routes/users";
import { authorize } from "./scopes";
import { resolveSeed, type Seed } from "./seed";
import {
  type ClientCredentials,
  DEFAULT_BATCH_LIMIT,
  DEFAULT_SEARCH_LIMIT,
  type Lod,
  MAX_BATCH_UUIDS,
  type Mail,
  PlatformState,
  parseUuid,
  userPatchSchema,
  userPutSchema,
  zodInfo,
} from "./state";

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Seed object or path to a YAML seed file; default `defaultSeed`. */
  seed?: Seed | string;
  tokenTtlSeconds?: number;
  /** Added before every API response. */
  latencyMs?: number;
  /** One line per API request, and errors. */
  log?: (line: string) => void;
  /** Injectable wall clock (ms). */
  clock?: () => number;
}

export interface RunningEmulator {
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + "/api/2" */
  baseUrl: string;
  port: number;
  control: EmulatorControl;
  /** The live in-memory platform, for in-process assertions. */
  state: PlatformState;
  close(): Promise<void>;
  /** Close the listener and every connection, then listen again on the same port, same state. */
  restart(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

function errorReply(e: unknown): Reply {
  if (e instanceof PlatformError) return { status: e.status, headers: e.headers, body: e.body() };
  if (e instanceof TokenError) {
    return { status: e.status, body: { error: e.error, error_description: e.description } };
  }
  return {
    status: 500,
    body: platformErrorBody(ErrorCode.internal, "Internal error", String(e)),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new PlatformError(413, ErrorCode.tooLarge, "Request body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parsePositiveInt(raw: string | null, field: string, dflt: number): number {
  if (raw === null) return dflt;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw badRequest(`${field}: must be a positive integer`);
  }
  return n;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false;
  return addr === "::1" || addr.startsWith("127.") || addr.startsWith("::ffff:127.");
}

interface BatchCursor {
  r: string;
  o: number;
  l: Lod;
  d: boolean;
}

const latencySchema = z.strictObject({ ms: z.number().int().min(0).max(600_000) });
const clockSchema = z.strictObject({ advanceSeconds: z.number() });

/** Starts the emulator on 127.0.0.1 (default) and resolves once it listens. */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = opts.host ?? "127.0.0.1";
  const state = new PlatformState(resolveSeed(opts.seed), {
    tokenTtlSeconds: opts.tokenTtlSeconds,
    clock: opts.clock,
  });
  const faults = new FaultEngine();
  const stats = new RequestStats();
  const holds = new RequestHolds();
  const initialLatency = opts.latencyMs ?? 0;
  let latencyMs = initialLatency;
  const log = opts.log;
  let url = "";

  const mailJson = (m: Mail) => ({
    id: m.id,
    kind: m.kind,
    to: m.to,
    userId: m.userId,
    requestedEmail: m.requestedEmail,
    link: url + m.linkPath,
    sentAt: m.sentAt,
    opened: m.openedAt !== null,
    openedAt: m.openedAt,
    outcome: m.outcome,
  });

  // ---- API (/api/2) ----

  function token(req: IncomingMessage, body: Buffer): Reply {
    if (mediaType(req) !== "application/x-www-form-urlencoded") {
      throw new TokenError(
        400,
        "invalid_request",
        "body must be application/x-www-form-urlencoded",
      );
    }
    const form = new URLSearchParams(body.toString("utf8"));
    let creds: ClientCredentials | undefined;
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Basic\s+(\S+)$/i.exec(auth);
      const decoded = m?.[1] ? Buffer.from(m[1], "base64").toString("utf8") : "";
      const colon = decoded.indexOf(":");
      if (colon < 0) throw new TokenError(400, "invalid_request", "malformed Basic authorization");
      creds = { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1), via: "basic" };
    } else if (form.has("client_id")) {
      creds = {
        id: form.get("client_id") ?? "",
        secret: form.get("client_secret") ?? "",
        via: "post",
      };
    }
    const ip = req.socket.remoteAddress ?? null;
    const grant = form.get("grant_type") ?? undefined;
    return { status: 200, body: state.issueToken(grant, creds, ip) };
  }

  function usersBatch(req: IncomingMessage, query: URLSearchParams): Reply {
    const caller = authorize(state, req.headers.authorization, "fetchUsersBatch");
    const uuids = query.get("uuids");
    const root = query.get("subtree_root_tenant_id");
    const after = query.get("after");
    const lodRaw = query.get("lod") ?? "full";
    if (lodRaw !== "stamps" && lodRaw !== "basic" && lodRaw !== "full") {
      throw badRequest("lod: must be stamps, basic or full");
    }
    let lod: Lod = lodRaw;
    const allowDeleted = parseBool(query.get("allow_deleted"));
    const timestamp = new Date(state.now()).toISOString();
    if (uuids !== null) {
      if (root !== null) throw badRequest("uuids: mutually exclusive with subtree_root_tenant_id");
      const ids = uuids.split(",").filter((s) => s.length > 0);
      if (ids.length === 0) throw badRequest("uuids: empty");
      if (ids.length > MAX_BATCH_UUIDS) {
        throw badRequest(`uuids: at most ${MAX_BATCH_UUIDS} UUIDs, got ${ids.length}`);
      }
      const norm = ids.map((id) => parseUuid(id, "uuids"));
      const users = state.usersByIds(caller, norm, allowDeleted);
      return {
        status: 200,
        body: {
          items: users.map((u) => state.userJson(u, lod)),
          paging: { cursors: {} },
          timestamp,
        },
      };
    }
    let cursor: BatchCursor;
    if (after !== null) {
      try {
        cursor = JSON.parse(Buffer.from(after, "base64url").toString("utf8")) as BatchCursor;
      } catch {
        throw badRequest("after: invalid cursor");
      }
      if (typeof cursor.r !== "string" || typeof cursor.o !== "number") {
        throw badRequest("after: invalid cursor");
      }
      lod = cursor.l;
    } else if (root !== null) {
      cursor = { r: root, o: 0, l: lod, d: allowDeleted };
    } else {
      throw badRequest("one of uuids, subtree_root_tenant_id or after is required");
    }
    const limit = parsePositiveInt(query.get("limit"), "limit", DEFAULT_BATCH_LIMIT);
    const page = state.usersInSubtree(caller, cursor.r, cursor.o, limit, cursor.d === true);
    const next =
      page.next === null
        ? {}
        : {
            after: Buffer.from(
              JSON.stringify({ r: cursor.r, o: page.next, l: lod, d: cursor.d === true }),
            ).toString("base64url"),
          };
    return {
      status: 200,
      body: {
        items: page.users.map((u) => state.userJson(u, lod)),
        paging: { cursors: next },
        timestamp,
      },
    };
  }

  function putUser(req: IncomingMessage, id: string, body: Buffer): Reply {
    const caller = authorize(state, req.headers.authorization, "updateUser");
    parseUuid(id, "user_id");
    requireJsonBody(req);
    const parsed = userPutSchema.safeParse(parseJson(body));
    if (!parsed.success) throw badRequest(zodInfo(parsed.error));
    return { status: 200, body: state.userJson(state.putUser(caller, id, parsed.data)) };
  }

  function routeApi(
    method: string,
    path: string,
    query: URLSearchParams,
    req: IncomingMessage,
    body: Buffer,
  ): Reply {
    const segs = path.split("/"); // ["", "api", "2", ...]
    if (segs[1] !== "api" || segs[2] !== "2") throw notFound(`no route for ${path}`);
    const rest = segs.slice(3);
    const [a, b] = rest;
    if (rest.length === 2 && a === "idp" && b === "token") {
      if (method !== "POST") throw methodNotAllowed(["POST"]);
      return token(req, body);
    }
    const lifecycle =
      routeClients(state, method, rest, req, body) ??
      routeUserLifecycle(state, method, rest, query, req, body);
    if (lifecycle) return lifecycle;
    if (rest.length === 1 && a === "users") {
      if (method !== "GET") throw methodNotAllowed(["GET", "POST"]);
      return usersBatch(req, query);
    }
    if (rest.length === 2 && a === "users" && b) {
      if (method === "GET") {
        const caller = authorize(state, req.headers.authorization, "fetchUser");
        const u = state.requireUser(caller, b, parseBool(query.get("allow_deleted")));
        return { status: 200, body: state.userJson(u) };
      }
      if (method === "PUT") return putUser(req, b, body);
      throw methodNotAllowed(["GET", "PUT", "DELETE"]);
    }
    if (rest.length === 1 && a === "search") {
      if (method !== "GET") throw methodNotAllowed(["GET"]);
      const caller = authorize(state, req.headers.authorization, "search");
      const limit = parsePositiveInt(query.get("limit"), "limit", DEFAULT_SEARCH_LIMIT);
      const items = state.search(
        caller,
        query.get("tenant"),
        query.get("text"),
        limit,
        parseBool(query.get("allow_deleted")),
      );
      return { status: 200, body: { items } };
    }
    throw notFound(`no route for ${path}`);
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const normalized = normalizePath(path);
    const started = Date.now();
    stats.begin(`${method} ${normalized}`);
    holds.arrive(req, res, method, path, query.toString(), normalized);
    const action = faults.take(method, path, normalized);
    if (action?.type === "hang") {
      // Never answered: in flight until close()/restart() destroy the socket.
      log?.(`${method} ${path} -> fault: hang`);
      res.once("close", () => stats.end());
      return;
    }
    // In flight means "still being processed": a request whose caller hung up stays counted
    // until the platform has applied it, so a test can wait for that event.
    try {
      await processApi(req, res, method, path, query, action, started);
    } finally {
      stats.end();
    }
  }

  async function processApi(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    query: URLSearchParams,
    action: FaultAction | null,
    started: number,
  ): Promise<void> {
    if (action?.type === "drop") {
      log?.(`${method} ${path} -> fault: drop`);
      req.socket.destroy();
      return;
    }
    if (action?.type === "status") {
      const headers: Record<string, string> = {};
      const retryAfter = retryAfterHeader(action, Date.now());
      if (retryAfter !== undefined) headers["Retry-After"] = retryAfter;
      const body =
        action.body ??
        platformErrorBody(
          action.status >= 500 ? ErrorCode.internal : ErrorCode.badRequest,
          "Injected fault",
          `emulator fault rule answered ${action.status}`,
        );
      log?.(`${method} ${path} -> fault: ${action.status}`);
      send(res, { status: action.status, headers, body });
      return;
    }
    let reply: Reply;
    try {
      const body = method === "GET" || method === "HEAD" ? Buffer.alloc(0) : await readBody(req);
      await holds.gate(req);
      const delay = latencyMs + (action?.type === "latency" ? action.ms : 0);
      if (delay > 0) await sleep(delay);
      // A platform that received the whole request processes it even if the caller has gone:
      // that is what makes a lost answer ambiguous for the caller.
      reply = routeApi(method, path, query, req, body);
    } catch (e) {
      reply = errorReply(e);
      if (reply.status === 500) log?.(`error: ${String((e as Error)?.stack ?? e)}`);
    }
    if (action?.type === "lose-response") {
      // Applied, but the caller never learns the outcome.
      log?.(`${method} ${path} -> ${reply.status} (fault: lose-response)`);
      req.socket.destroy();
      return;
    }
    log?.(`${method} ${path} -> ${reply.status} ${Date.now() - started}ms`);
    send(res, reply);
  }

  // ---- control surface (/_emulator) ----

  async function routeControl(
    req: IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
  ): Promise<Reply> {
    if (!isLoopback(req.socket.remoteAddress)) {
      throw new PlatformError(403, ErrorCode.accessDenied, "Access denied", "loopback only");
    }
    const rest = path.split("/").slice(2); // ["", "_emulator", ...]
    const [a, b] = rest;
    const json = async (): Promise<unknown> => {
      const raw = await readBody(req);
      return raw.length === 0 ? {} : parseJson(raw);
    };
    const bad = (e: z.ZodError) => badRequest(zodInfo(e));
    if (a === undefined || a === "") {
      if (method !== "GET") throw methodNotAllowed(["GET"]);
      return {
        status: 200,
        body: {
          url,
          baseUrl: `${url}/api/2`,
          // The seed's first API client (the demo client for the default seed).
          clientId: state.clients.keys().next().value ?? null,
          latencyMs,
          faults: faults.size,
        },
      };
    }
    if (a === "outbox" && rest.length === 1) {
      if (method !== "GET") throw methodNotAllowed(["GET"]);
      const to = query.get("to");
      const mails = to === null ? state.outbox : state.outbox.filter((m) => m.to === to);
      return { status: 200, body: mails.map(mailJson) };
    }
    if (a === "activate" && b && rest.length === 2) {
      if (method !== "GET") throw methodNotAllowed(["GET"]);
      const { mail, user } = openActivationLink(state, b);
      return {
        status: 200,
        body: { activated: true, mailId: mail.id, userId: user.id, version: user.version },
      };
    }
    if (a === "confirm" && b && rest.length === 2) {
      if (method !== "GET") throw methodNotAllowed(["GET"]);
      const { mail, user } = state.confirm(b);
      return {
        status: 200,
        body: {
          confirmed: true,
          mailId: mail.id,
          userId: user.id,
          email: user.contact.email,
          version: user.version,
        },
      };
    }
    if (a === "requests") {
      if (rest.length === 1) {
        if (method !== "GET") throw methodNotAllowed(["GET"]);
        return { status: 200, body: stats.snapshot() };
      }
      if (b === "reset" && rest.length === 2) {
        if (method !== "POST") throw methodNotAllowed(["POST"]);
        stats.reset();
        holds.clearArrivals();
        return { status: 204 };
      }
    }
    if (a === "faults" && rest.length === 1) {
      if (method === "GET") return { status: 200, body: faults.list() };
      if (method === "DELETE") {
        faults.clear();
        return { status: 204 };
      }
      if (method === "POST") {
        const r = faultRulesSchema.safeParse(await json());
        if (!r.success) throw bad(r.error);
        const rules = Array.isArray(r.data) ? r.data : [r.data];
        try {
          faults.add(rules);
        } catch (e) {
          throw badRequest(`path: ${String((e as Error).message)}`);
        }
        return { status: 200, body: faults.list() };
      }
      throw methodNotAllowed(["GET", "POST", "DELETE"]);
    }
    if (a === "latency" && rest.length === 1) {
      if (method === "GET") return { status: 200, body: { ms: latencyMs } };
      if (method !== "POST") throw methodNotAllowed(["GET", "POST"]);
      const r = latencySchema.safeParse(await json());
      if (!r.success) throw bad(r.error);
      latencyMs = r.data.ms;
      return { status: 200, body: { ms: latencyMs } };
    }
    if (a === "reset" && rest.length === 1) {
      if (method !== "POST") throw methodNotAllowed(["POST"]);
      state.reset();
      stats.reset();
      faults.clear();
      holds.reset();
      latencyMs = initialLatency;
      return { status: 204 };
    }
    if (a === "clock" && rest.length === 1) {
      if (method === "POST") {
        const r = clockSchema.safeParse(await json());
        if (!r.success) throw bad(r.error);
        state.advanceClock(r.data.advanceSeconds);
      } else if (method !== "GET") {
        throw methodNotAllowed(["GET", "POST"]);
      }
      return { status: 200, body: { now: new Date(state.now()).toISOString() } };
    }
    if (a === "users" && b && rest.length === 2) {
      if (method === "GET") {
        const u = state.users.get(parseUuid(b, "user_id"));
        if (!u) throw notFound(`user ${b} not found`);
        return { status: 200, body: state.userJson(u) };
      }
      if (method === "PATCH") {
        const r = userPatchSchema.safeParse(await json());
        if (!r.success) throw bad(r.error);
        return { status: 200, body: state.userJson(state.patchUser(b, r.data)) };
      }
      if (method === "DELETE") {
        state.deleteUser(b);
        return { status: 204 };
      }
      throw methodNotAllowed(["GET", "PATCH", "DELETE"]);
    }
    const held = await holds.route(method, rest, query, json);
    if (held !== undefined) return held;
    throw notFound(`no control route for ${path}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const path = q >= 0 ? raw.slice(0, q) : raw;
    const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : "");
    const method = req.method ?? "GET";
    if (path === "/_emulator" || path.startsWith("/_emulator/")) {
      let reply: Reply;
      try {
        reply = await routeControl(req, method, path, query);
      } catch (e) {
        reply = errorReply(e);
      }
      send(res, reply);
      return;
    }
    await handleApi(req, res, method, path, query);
  }

  // ---- listener lifecycle ----

  let server: Server | null = null;
  let port = opts.port ?? 0;

  function listen(): Promise<void> {
    const s = createServer((req, res) => {
      handle(req, res).catch((e: unknown) => {
        log?.(`error: ${String(e)}`);
        send(res, errorReply(e));
      });
    });
    s.keepAliveTimeout = 5000;
    return new Promise((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, host, () => {
        s.off("error", reject);
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  }

  function closeListener(): Promise<void> {
    const s = server;
    server = null;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => {
      s.close(() => resolve());
      // Keep-alive, hung and in-latency sockets would otherwise hold close() open.
      s.closeAllConnections();
    });
  }

  await listen();
  const hostPart = host.includes(":") ? `[${host}]` : host;
  url = `http://${hostPart}:${port}`;
  return {
    url,
    baseUrl: `${url}/api/2`,
    port,
    control: new EmulatorControl(url),
    state,
    close: closeListener,
    async restart() {
      await closeListener();
      await listen();
    },
  };
}

function send(res: ServerResponse, r: Reply): void {
  if (res.writableEnded || res.destroyed) return;
  const headers: Record<string, string | number> = { ...r.headers };
  let payload = "";
  if (r.body !== undefined) {
    payload = typeof r.body === "string" ? r.body : JSON.stringify(r.body);
    headers["Content-Type"] ??= "application/json";
  }
  headers["Content-Length"] = Buffer.byteLength(payload);
  res.writeHead(r.status, headers);
  res.end(payload);
}
