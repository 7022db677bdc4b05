import type { IncomingMessage, ServerResponse } from "node:http";
import { answersAtOnce, faultLatencyMs, hangs, losesResponse } from "./fault-injection";
import { normalizePath } from "./faults";
import { errorReply, type Reply, readBody, send } from "./http";
import { requestKey } from "./request-keys";
import { routeApi } from "./routes/api";
import type { EmulatorRuntime } from "./runtime";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Serves one `/api/2` request: counts it and records its arrival, lets a fault rule take it,
 * reads the body, waits while a hold parks it and for the latency, applies it, answers.
 */
export async function serveApiRequest(
  rt: EmulatorRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const normalized = normalizePath(path);
  const started = Date.now();
  rt.stats.begin(requestKey(method, normalized));
  rt.holds.arrive(req, res, method, path, query.toString(), normalized);
  const action = rt.faults.take(method, path, normalized);
  const log = (what: string) => rt.log?.(`${method} ${path} -> ${what}`);
  if (hangs(action, res, log, () => rt.stats.end())) return;
  // In flight means "still being processed": a request whose caller hung up stays counted
  // until the platform has applied it, so a test can wait for that event.
  try {
    if (answersAtOnce(action, req, res, log)) return;
    let reply: Reply;
    try {
      const body = method === "GET" || method === "HEAD" ? Buffer.alloc(0) : await readBody(req);
      await rt.holds.gate(req);
      const delay = rt.latencyMs + faultLatencyMs(action);
      if (delay > 0) await sleep(delay);
      // A platform that received the whole request processes it even if the caller has gone:
      // that is what makes a lost answer ambiguous for the caller.
      reply = routeApi(rt.state, method, path, query, req, body);
    } catch (e) {
      reply = errorReply(e);
      if (reply.status === 500) rt.log?.(`error: ${String((e as Error)?.stack ?? e)}`);
    }
    if (losesResponse(action, req, reply, log)) return;
    log(`${reply.status} ${Date.now() - started}ms`);
    send(res, reply);
  } finally {
    rt.stats.end();
  }
}
