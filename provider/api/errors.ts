import { inspect } from "node:util";

export type ErrorKind =
  | "http"
  | "network"
  | "timeout"
  | "schema"
  | "redirect"
  | "auth"
  | "outcome-unknown";

const REDACTED = "[REDACTED]";

// Generic shapes that carry credentials even when we do not know the exact value
// (e.g. a token from another client instance, or a header echoed by a proxy).
function secretPatterns(): RegExp[] {
  return [
    /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi,
    /\b(client_secret|access_token|refresh_token|id_token|password)(["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi,
  ];
}

/**
 * Replaces known secret values and credential-looking fragments with [REDACTED].
 * Secrets shorter than 4 characters are ignored: redacting them would mangle ordinary text.
 */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 4) out = out.split(s).join(REDACTED);
  }
  for (const re of secretPatterns()) {
    // Capture groups: 1 = scheme or key name, 2 (key form only) = separator.
    out = out.replace(re, (_m, a: string, b: unknown) =>
      typeof b === "string" ? `${a}${b}${REDACTED}` : `${a} ${REDACTED}`,
    );
  }
  return out;
}

/** Deep-redacts strings inside JSON-like data (platform error details). */
function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === "string") return redact(value, secrets);
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, secrets, depth + 1);
  return out;
}

/**
 * A copy of the original cause with its text redacted: the original undici error may embed
 * headers or URLs, and util.inspect walks `cause` chains, so we never keep the raw object.
 */
function sanitizeCause(cause: unknown, secrets: readonly string[], depth = 0): Error | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (!(cause instanceof Error)) {
    return new Error(redact(typeof cause === "string" ? cause : inspect(cause), secrets));
  }
  const copy = new Error(redact(cause.message, secrets));
  copy.name = cause.name;
  copy.stack = redact(cause.stack ?? `${cause.name}: ${cause.message}`, secrets);
  const src = cause as Error & Record<string, unknown>;
  for (const key of ["code", "errno", "syscall"] as const) {
    const v = src[key];
    if (typeof v === "string" || typeof v === "number") {
      (copy as unknown as Record<string, unknown>)[key] =
        typeof v === "string" ? redact(v, secrets) : v;
    }
  }
  if (depth < 3 && src.cause !== undefined) {
    Object.defineProperty(copy, "cause", {
      value: sanitizeCause(src.cause, secrets, depth + 1),
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

export interface AcronisApiErrorInit {
  kind: ErrorKind;
  method: string;
  path: string;
  detail: string;
  status?: number | undefined;
  code?: string | number | undefined;
  domain?: string | undefined;
  platformMessage?: string | undefined;
  details?: unknown;
  cause?: unknown;
  /** Known secret values to scrub from every text field. */
  secrets?: readonly string[];
}

/** The one typed error of the API client; safe to log as a whole. */
export class AcronisApiError extends Error {
  readonly status: number | undefined;
  readonly code: string | number | undefined;
  readonly domain: string | undefined;
  readonly platformMessage: string | undefined;
  readonly details: unknown;
  readonly method: string;
  readonly path: string;
  readonly kind: ErrorKind;
  readonly summary: string;
  readonly detail: string;

  constructor(init: AcronisApiErrorInit) {
    const secrets = init.secrets ?? [];
    const path = redact(init.path, secrets);
    const summary = `Acronis API ${init.method} ${path} failed`;
    const detail = redact(init.detail, secrets);
    super(`${summary}: ${detail}`);
    this.name = new.target.name;
    this.status = init.status;
    this.code = typeof init.code === "string" ? redact(init.code, secrets) : init.code;
    this.domain = init.domain;
    this.platformMessage =
      init.platformMessage === undefined ? undefined : redact(init.platformMessage, secrets);
    this.details = redactValue(init.details, secrets);
    this.method = init.method;
    this.path = path;
    this.kind = init.kind;
    this.summary = summary;
    this.detail = detail;
    const cause = sanitizeCause(init.cause, secrets);
    if (cause !== undefined) {
      // Non-enumerable like the native `cause`, so JSON.stringify only shows toJSON().
      Object.defineProperty(this, "cause", {
        value: cause,
        enumerable: false,
        writable: true,
        configurable: true,
      });
    }
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      kind: this.kind,
      status: this.status,
      code: this.code,
      domain: this.domain,
      platformMessage: this.platformMessage,
      details: this.details,
      method: this.method,
      path: this.path,
      summary: this.summary,
      detail: this.detail,
      cause: this.cause instanceof Error ? this.cause.message : undefined,
    };
  }
}

/**
 * The object changed since it was read (platform code 1001, or a 409 without a platform code):
 * re-read, then retry.
 */
export class VersionMismatchError extends AcronisApiError {}

/**
 * A write was sent but no answer came back: it may or may not have been applied.
 * Never retried blindly; the caller must re-read the object.
 */
export class OutcomeUnknownError extends AcronisApiError {}

export function isVersionMismatch(e: unknown): e is VersionMismatchError {
  return e instanceof VersionMismatchError;
}
