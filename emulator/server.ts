import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { serveApiRequest } from "./api-request";
import { EmulatorControl } from "./control";
import { routeControl } from "./control-routes";
import { resolveSeed } from "./demo-seeds";
import { FaultEngine, RequestStats } from "./faults";
import { RequestHolds } from "./hold";
import { errorReply, type Reply, send } from "./http";
import type { EmulatorRuntime } from "./runtime";
import type { Seed } from "./seed";
import { PlatformState } from "./state";

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

/** `/_emulator...` to the control surface, everything else to the API. */
async function handle(
  rt: EmulatorRuntime,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const raw = req.url ?? "/";
  const q = raw.indexOf("?");
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : "");
  const method = req.method ?? "GET";
  if (path === "/_emulator" || path.startsWith("/_emulator/")) {
    let reply: Reply;
    try {
      reply = await routeControl(rt, req, method, path, query);
    } catch (e) {
      reply = errorReply(e);
    }
    send(res, reply);
    return;
  }
  await serveApiRequest(rt, req, res, method, path, query);
}

/** Starts the emulator on 127.0.0.1 (default) and resolves once it listens. */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = opts.host ?? "127.0.0.1";
  const state = new PlatformState(resolveSeed(opts.seed), {
    tokenTtlSeconds: opts.tokenTtlSeconds,
    clock: opts.clock,
  });
  const initialLatencyMs = opts.latencyMs ?? 0;
  const rt: EmulatorRuntime = {
    state,
    faults: new FaultEngine(),
    stats: new RequestStats(),
    holds: new RequestHolds(),
    latencyMs: initialLatencyMs,
    initialLatencyMs,
    url: "",
    log: opts.log,
  };

  let server: Server | null = null;
  let port = opts.port ?? 0;

  function listen(): Promise<void> {
    const s = createServer((req, res) => {
      handle(rt, req, res).catch((e: unknown) => {
        rt.log?.(`error: ${String(e)}`);
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
  rt.url = `http://${hostPart}:${port}`;
  return {
    url: rt.url,
    baseUrl: `${rt.url}/api/2`,
    port,
    control: new EmulatorControl(rt.url),
    state,
    close: closeListener,
    async restart() {
      await closeListener();
      await listen();
    },
  };
}
