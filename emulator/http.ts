import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { zodInfo } from "./body-schemas";
import { badRequest, ErrorCode, PlatformError, platformErrorBody, TokenError } from "./errors";

/** One HTTP answer of the emulator, before serialization. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialized unless a string; absent for an empty body. */
  body?: unknown;
}

const MAX_BODY = 1024 * 1024;

export function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** 415 unless the request says `Content-Type: application/json`. */
export function requireJsonBody(req: IncomingMessage): void {
  if (mediaType(req) !== "application/json") {
    throw new PlatformError(
      415,
      ErrorCode.unsupportedMediaType,
      "Unsupported media type",
      "Content-Type must be application/json",
    );
  }
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw badRequest("(body): invalid JSON");
  }
}

/** A JSON request body that `schema` accepts: 415 not JSON, 400 naming the offending field. */
export function jsonBody<S extends z.ZodType>(
  req: IncomingMessage,
  body: Buffer,
  schema: S,
): z.output<S> {
  requireJsonBody(req);
  return parsed(schema, parseJson(body));
}

/** `value` as `schema` accepts it, or a 400 naming the offending field. */
export function parsed<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw badRequest(zodInfo(r.error));
  return r.data;
}

export function parseBool(raw: string | null): boolean {
  return raw === "true" || raw === "1";
}

/** A positive integer query parameter, `dflt` when absent; 400 otherwise. */
export function parsePositiveInt(raw: string | null, field: string, dflt: number): number {
  if (raw === null) return dflt;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw badRequest(`${field}: must be a positive integer`);
  }
  return n;
}

export function methodNotAllowed(allow: string[]): PlatformError {
  return new PlatformError(
    405,
    ErrorCode.methodNotAllowed,
    "Method not allowed",
    `allowed: ${allow.join(", ")}`,
    { Allow: allow.join(", ") },
  );
}

/** The whole request body; 413 over 1 MiB. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
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

/** The answer to a thrown error: its platform or token error body, else a 500. */
export function errorReply(e: unknown): Reply {
  if (e instanceof PlatformError) return { status: e.status, headers: e.headers, body: e.body() };
  if (e instanceof TokenError) {
    const body = { error: e.error, error_description: e.description };
    // As a recorded answer of the platform has it (sandwave-io/acronis-php test fixtures).
    if (e.error === "invalid_client")
      return { status: e.status, body: { domain: "Access", reason: "InvalidClient", ...body } };
    return { status: e.status, body };
  }
  return {
    status: 500,
    body: platformErrorBody(ErrorCode.internal, "Internal error", String(e)),
  };
}

/** Writes `r` unless the response is already over (a fault or a hung-up caller). */
export function send(res: ServerResponse, r: Reply): void {
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
