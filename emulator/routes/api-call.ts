import type { IncomingMessage } from "node:http";
import type { Reply } from "../http";
import type { PlatformState } from "../state";

/** One API request, as every route reads it. */
export interface ApiCall {
  method: string;
  /** The path's segments after `/api/2`. */
  rest: string[];
  query: URLSearchParams;
  req: IncomingMessage;
  /** The whole body (empty for GET and HEAD). */
  body: Buffer;
}

/** A route answers the calls it owns and undefined for any other path. */
export type ApiRoute = (state: PlatformState, call: ApiCall) => Reply | undefined;
