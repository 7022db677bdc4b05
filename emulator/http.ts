import type { IncomingMessage } from "node:http";
import { badRequest, ErrorCode, PlatformError } from "./errors";

/** One HTTP answer of the emulator, before serialization. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialized unless a string; absent for an empty body. */
  body?: unknown;
}

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

export function parseBool(raw: string | null): boolean {
  return raw === "true" || raw === "1";
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
