import type { z } from "zod";
import {
  platformBareErrorSchema,
  platformErrorDetailsSchema,
  platformErrorSchema,
  tokenErrorSchema,
} from "./schemas";

/** What an error answer says, whichever of the platform's shapes it came in. */
export interface ErrorAnswer {
  code: string | number | undefined;
  domain: string | undefined;
  message: string | undefined;
  details: unknown;
  /** `details.info` when it says something. */
  info: string | undefined;
  /** "code 1002, PlatformAccountServer" or an OAuth error word ("access_denied"); may be "". */
  tags: string;
}

/** The platform's code for "the object changed since it was read". */
const VERSION_MISMATCH = 1001;

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Empty strings and null say nothing: the platform sends `"info": ""` on many answers. */
function text(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value.trim() === "" ? undefined : value;
}

function fromPlatform(e: z.infer<typeof platformBareErrorSchema>): ErrorAnswer {
  const domain = text(e.domain);
  const details = platformErrorDetailsSchema.safeParse(e.details);
  return {
    code: e.code,
    domain,
    message: text(e.message),
    details: e.details,
    info: details.success ? text(details.data.info) : undefined,
    tags: [e.code !== undefined ? `code ${e.code}` : undefined, domain].filter(Boolean).join(", "),
  };
}

/**
 * An API error body: `{"error": {...}}` as documented, or the same fields at the top level.
 * Undefined for anything else (a proxy's HTML page, an empty body).
 */
export function readErrorBody(body: string): ErrorAnswer | undefined {
  const json = parseJson(body);
  const wrapped = platformErrorSchema.safeParse(json);
  if (wrapped.success) return fromPlatform(wrapped.data.error);
  const bare = platformBareErrorSchema.safeParse(json);
  return bare.success ? fromPlatform(bare.data) : undefined;
}

/**
 * A token endpoint error body: the documented OAuth shape
 * (`{"error": "access_denied", "error_description": "..."}`), or the platform's own shapes,
 * which it also uses for its other errors.
 */
export function readTokenErrorBody(body: string): ErrorAnswer | undefined {
  const oauth = tokenErrorSchema.safeParse(parseJson(body));
  if (!oauth.success) return readErrorBody(body);
  return {
    code: oauth.data.error,
    domain: undefined,
    message: text(oauth.data.error_description),
    details: undefined,
    info: undefined,
    tags: oauth.data.error,
  };
}

/**
 * Whether an answer means our version was stale, so a re-read and a new PUT can succeed. The
 * platform says so with code 1001; a 409 with no platform code can only mean that for our PUT.
 * Other 409s (a login taken, say) are conflicts a retry does not resolve.
 */
export function saysVersionMismatch(status: number, answer: ErrorAnswer | undefined): boolean {
  const code = answer?.code;
  if (code === undefined) return status === 409;
  return code === VERSION_MISMATCH || code === String(VERSION_MISMATCH);
}
