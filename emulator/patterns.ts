import { badRequest } from "./errors";

/** Full-match UUID (case-insensitive); the OpenAPI `uuid` schema is 36 chars of hex and dashes. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** OpenAPI `email` schema pattern (unanchored on purpose, as published). */
export const EMAIL_RE = /^$|\S+@\S+/;

/** A path or query id, lowercased; a 400 naming `field` when it is not a UUID. */
export function parseUuid(raw: string, field: string): string {
  if (!UUID_RE.test(raw)) throw badRequest(`${field}: '${raw}' is not a UUID`);
  return raw.toLowerCase();
}
