import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { openActivationLink } from "./activation";
import { userPatchSchema } from "./body-schemas";
import { openConfirmationLink } from "./email-change";
import { badRequest, ErrorCode, notFound, PlatformError } from "./errors";
import { faultRulesSchema } from "./faults";
import { methodNotAllowed, parsed, parseJson, type Reply, readBody } from "./http";
import type { OpenedLink } from "./mail-links";
import { parseUuid } from "./patterns";
import type { Mail } from "./platform-records";
import type { EmulatorRuntime } from "./runtime";
import type { PlatformState } from "./state";
import { deleteUserOutOfBand, patchUser } from "./user-writes";

/**
 * The control surface under `/_emulator` (loopback peers only, no auth): the outbox and the
 * links in it, request counts, fault rules, latency, the clock, out-of-band user changes and
 * reset; arrivals and holds are answered by RequestHolds.
 */

interface ControlCall {
  method: string;
  /** The path's segments after `/_emulator`. */
  rest: string[];
  query: URLSearchParams;
  /** The body as JSON; `{}` when empty. */
  json: () => Promise<unknown>;
}

type ControlRoute = (rt: EmulatorRuntime, call: ControlCall) => Promise<Reply | undefined>;

const latencySchema = z.strictObject({ ms: z.number().int().min(0).max(600_000) });
const clockSchema = z.strictObject({ advanceSeconds: z.number() });

function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false;
  return addr === "::1" || addr.startsWith("127.") || addr.startsWith("::ffff:127.");
}

/** An outbox entry as the control surface shows it: the link absolute. */
function mailJson(url: string, m: Mail) {
  return {
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
  };
}

/** 405 unless the call is a `method`. */
function only(call: ControlCall, method: string): void {
  if (call.method !== method) throw methodNotAllowed([method]);
}

/** GET `/_emulator/<route>/{token}`: the user opens a mailed link. */
function linkRoute(
  open: (state: PlatformState, token: string) => OpenedLink,
  answer: (link: OpenedLink) => Record<string, unknown>,
): ControlRoute {
  return async (rt, call) => {
    const token = call.rest[1];
    if (!token || call.rest.length !== 2) return undefined;
    only(call, "GET");
    return { status: 200, body: answer(open(rt.state, token)) };
  };
}

/** By the path's first segment after `/_emulator`; undefined falls through to the holds. */
const ROUTES = new Map<string, ControlRoute>([
  [
    "",
    async (rt, call) => {
      only(call, "GET");
      const body = {
        url: rt.url,
        baseUrl: `${rt.url}/api/2`,
        // The seed's first API client (the demo client for the default seed).
        clientId: rt.state.clients.keys().next().value ?? null,
        latencyMs: rt.latencyMs,
        faults: rt.faults.size,
      };
      return { status: 200, body };
    },
  ],
  [
    "outbox",
    async (rt, call) => {
      if (call.rest.length !== 1) return undefined;
      only(call, "GET");
      const to = call.query.get("to");
      const outbox = rt.state.outbox;
      const mails = to === null ? outbox : outbox.filter((m) => m.to === to);
      return { status: 200, body: mails.map((m) => mailJson(rt.url, m)) };
    },
  ],
  [
    "activate",
    linkRoute(openActivationLink, ({ mail, user }) => ({
      activated: true,
      mailId: mail.id,
      userId: user.id,
      version: user.version,
    })),
  ],
  [
    "confirm",
    linkRoute(openConfirmationLink, ({ mail, user }) => ({
      confirmed: true,
      mailId: mail.id,
      userId: user.id,
      email: user.contact.email,
      version: user.version,
    })),
  ],
  [
    "requests",
    async (rt, call) => {
      if (call.rest.length === 1) {
        only(call, "GET");
        return { status: 200, body: rt.stats.snapshot() };
      }
      if (call.rest[1] !== "reset" || call.rest.length !== 2) return undefined;
      only(call, "POST");
      rt.stats.reset();
      rt.holds.clearArrivals();
      return { status: 204 };
    },
  ],
  [
    "faults",
    async (rt, call) => {
      if (call.rest.length !== 1) return undefined;
      if (call.method === "GET") return { status: 200, body: rt.faults.list() };
      if (call.method === "DELETE") {
        rt.faults.clear();
        return { status: 204 };
      }
      if (call.method !== "POST") throw methodNotAllowed(["GET", "POST", "DELETE"]);
      const r = parsed(faultRulesSchema, await call.json());
      try {
        rt.faults.add(Array.isArray(r) ? r : [r]);
      } catch (e) {
        throw badRequest(`path: ${String((e as Error).message)}`);
      }
      return { status: 200, body: rt.faults.list() };
    },
  ],
  [
    "latency",
    async (rt, call) => {
      if (call.rest.length !== 1) return undefined;
      if (call.method === "GET") return { status: 200, body: { ms: rt.latencyMs } };
      if (call.method !== "POST") throw methodNotAllowed(["GET", "POST"]);
      rt.latencyMs = parsed(latencySchema, await call.json()).ms;
      return { status: 200, body: { ms: rt.latencyMs } };
    },
  ],
  [
    "reset",
    async (rt, call) => {
      if (call.rest.length !== 1) return undefined;
      only(call, "POST");
      rt.state.reset();
      rt.stats.reset();
      rt.faults.clear();
      rt.holds.reset();
      rt.latencyMs = rt.initialLatencyMs;
      return { status: 204 };
    },
  ],
  [
    "clock",
    async (rt, call) => {
      if (call.rest.length !== 1) return undefined;
      if (call.method === "POST") {
        rt.state.advanceClock(parsed(clockSchema, await call.json()).advanceSeconds);
      } else if (call.method !== "GET") {
        throw methodNotAllowed(["GET", "POST"]);
      }
      return { status: 200, body: { now: new Date(rt.state.now()).toISOString() } };
    },
  ],
  [
    "users",
    async (rt, call) => {
      const id = call.rest[1];
      if (!id || call.rest.length !== 2) return undefined;
      const state = rt.state;
      if (call.method === "GET") {
        const u = state.users.get(parseUuid(id, "user_id"));
        if (!u) throw notFound(`user ${id} not found`);
        return { status: 200, body: state.userJson(u) };
      }
      if (call.method === "PATCH") {
        const patch = parsed(userPatchSchema, await call.json());
        return { status: 200, body: state.userJson(patchUser(state, id, patch)) };
      }
      if (call.method === "DELETE") {
        deleteUserOutOfBand(state, id);
        return { status: 204 };
      }
      throw methodNotAllowed(["GET", "PATCH", "DELETE"]);
    },
  ],
]);

/** Answers one `/_emulator` request; throws the error answers. */
export async function routeControl(
  rt: EmulatorRuntime,
  req: IncomingMessage,
  method: string,
  path: string,
  query: URLSearchParams,
): Promise<Reply> {
  if (!isLoopback(req.socket.remoteAddress)) {
    throw new PlatformError(403, ErrorCode.accessDenied, "Access denied", "loopback only");
  }
  const rest = path.split("/").slice(2); // ["", "_emulator", ...]
  const json = async (): Promise<unknown> => {
    const raw = await readBody(req);
    return raw.length === 0 ? {} : parseJson(raw);
  };
  const route = ROUTES.get(rest[0] ?? "");
  const reply = await route?.(rt, { method, rest, query, json });
  if (reply !== undefined) return reply;
  const held = await rt.holds.route(method, rest, query, json);
  if (held !== undefined) return held;
  throw notFound(`no control route for ${path}`);
}
