import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode, platformErrorBody } from "./errors";
import { type FaultAction, retryAfterHeader } from "./faults";
import { type Reply, send } from "./http";

/**
 * What each fault action does to the API request it took (faults.ts holds the rules that pick
 * it): `hang` never answers, `drop` closes the socket, `status` answers an error at once,
 * `latency` delays, `lose-response` applies the request and hangs up without the answer.
 * `log` gets what happened, after "METHOD PATH -> ".
 */

type Log = (what: string) => void;

/** hang: the request stays in flight until close()/restart() destroy its socket. */
export function hangs(
  action: FaultAction | null,
  res: ServerResponse,
  log: Log,
  onClose: () => void,
): boolean {
  if (action?.type !== "hang") return false;
  log("fault: hang");
  res.once("close", onClose);
  return true;
}

/** drop and status: the fault takes the request before its body is read. */
export function answersAtOnce(
  action: FaultAction | null,
  req: IncomingMessage,
  res: ServerResponse,
  log: Log,
): boolean {
  if (action?.type === "drop") {
    log("fault: drop");
    req.socket.destroy();
    return true;
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
    log(`fault: ${action.status}`);
    send(res, { status: action.status, headers, body });
    return true;
  }
  return false;
}

/** The delay a latency fault adds to this request. */
export function faultLatencyMs(action: FaultAction | null): number {
  return action?.type === "latency" ? action.ms : 0;
}

/** lose-response: applied, but the caller never learns the outcome. */
export function losesResponse(
  action: FaultAction | null,
  req: IncomingMessage,
  reply: Reply,
  log: Log,
): boolean {
  if (action?.type !== "lose-response") return false;
  log(`${reply.status} (fault: lose-response)`);
  req.socket.destroy();
  return true;
}
