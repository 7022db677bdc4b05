/**
 * Whether a request that failed in transport may have reached the platform: a pure decision over
 * the error's codes, by table. It decides what a failed PUT costs: "never-sent" is retried as is;
 * "maybe-applied" is re-read and, if the change is not visible, treated as maybe applied (for an
 * activated account: a confirmation mail may be on its way, so none is requested again).
 *
 * Wrong in one direction, the user gets two mails; in the other, a pending confirmation is
 * recorded for a link never sent. So only codes that can only arise before a single byte of the
 * request left are "never-sent"; any other code, and an error without a code, is "maybe-applied".
 */

export type SendOutcome = "never-sent" | "maybe-applied";

export interface ErrorKind {
  outcome: SendOutcome;
  /** Reported as a timeout (kind "timeout") rather than a network error. */
  timeout?: boolean;
  /** Retrying cannot succeed (the client is closed or the request is malformed). */
  fatal?: boolean;
  /** A generic wrapper: a more specific code in its cause decides. */
  wrapper?: boolean;
  why: string;
}

const TLS_HANDSHAKE = "refused in the TLS handshake, before the request was written";

/**
 * Error codes (Node's system and TLS codes, undici's error classes) and what each means for a
 * request. Plain object, no Map: module-level values may be captured by closure serialization.
 */
export const ERROR_KINDS: Readonly<Record<string, ErrorKind>> = {
  ECONNREFUSED: { outcome: "never-sent", why: "nothing accepted the connection" },
  ENOTFOUND: { outcome: "never-sent", why: "DNS: the host name does not resolve" },
  EAI_AGAIN: { outcome: "never-sent", why: "DNS: temporary resolver failure" },
  EAI_FAIL: { outcome: "never-sent", why: "DNS: resolver failure" },
  EHOSTUNREACH: { outcome: "never-sent", why: "no route to the host at connect" },
  ENETUNREACH: { outcome: "never-sent", why: "no route to the network at connect" },
  EADDRNOTAVAIL: { outcome: "never-sent", why: "no local address to connect from" },
  // undici writes a request's head and body in one corked write; EPIPE says the kernel took none
  // of it (the peer had already gone), and a partial request without its body cannot be applied.
  EPIPE: { outcome: "never-sent", why: "the write failed: the peer had closed before it" },
  UND_ERR_CONNECT_TIMEOUT: {
    outcome: "never-sent",
    timeout: true,
    why: "the connection was not established in time",
  },
  CERT_HAS_EXPIRED: { outcome: "never-sent", why: TLS_HANDSHAKE },
  CERT_NOT_YET_VALID: { outcome: "never-sent", why: TLS_HANDSHAKE },
  DEPTH_ZERO_SELF_SIGNED_CERT: { outcome: "never-sent", why: TLS_HANDSHAKE },
  SELF_SIGNED_CERT_IN_CHAIN: { outcome: "never-sent", why: TLS_HANDSHAKE },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { outcome: "never-sent", why: TLS_HANDSHAKE },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { outcome: "never-sent", why: TLS_HANDSHAKE },
  ERR_TLS_CERT_ALTNAME_INVALID: { outcome: "never-sent", why: TLS_HANDSHAKE },
  ERR_SSL_WRONG_VERSION_NUMBER: { outcome: "never-sent", why: TLS_HANDSHAKE },
  UND_ERR_CLOSED: { outcome: "never-sent", fatal: true, why: "the client was closed" },
  UND_ERR_INVALID_ARG: { outcome: "never-sent", fatal: true, why: "refused before dispatch" },

  ECONNRESET: { outcome: "maybe-applied", why: "reset after the request may have arrived" },
  ETIMEDOUT: { outcome: "maybe-applied", timeout: true, why: "the connection timed out" },
  UND_ERR_SOCKET: {
    outcome: "maybe-applied",
    wrapper: true,
    why: "the connection closed while the request was out",
  },
  UND_ERR_HEADERS_TIMEOUT: {
    outcome: "maybe-applied",
    timeout: true,
    why: "sent, no answer in time",
  },
  UND_ERR_BODY_TIMEOUT: {
    outcome: "maybe-applied",
    timeout: true,
    why: "answered, but the body did not come in time",
  },
  UND_ERR_ABORTED: { outcome: "maybe-applied", why: "aborted after dispatch" },
  UND_ERR_DESTROYED: { outcome: "maybe-applied", fatal: true, why: "destroyed in flight" },
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: { outcome: "maybe-applied", why: "a broken answer came" },
  UND_ERR_RES_EXCEEDED_MAX_SIZE: { outcome: "maybe-applied", why: "an answer came, too large" },
  UND_ERR_HEADERS_OVERFLOW: { outcome: "maybe-applied", why: "an answer came, headers too large" },
  UND_ERR_INFO: { outcome: "maybe-applied", why: "informational close in flight" },
};

const UNKNOWN: ErrorKind = {
  outcome: "maybe-applied",
  why: "no code that proves the request never left",
};

/**
 * The codes that decide, outermost first: each error's own code, except a wrapper's when its
 * causes (error.cause chains, AggregateError members) carry codes of their own.
 */
export function decidingCodes(e: unknown, depth = 0): string[] {
  if (depth > 5 || e === null || typeof e !== "object") return [];
  const rec = e as { code?: unknown; cause?: unknown; errors?: unknown };
  const inner = [
    ...(Array.isArray(rec.errors) ? rec.errors.flatMap((m) => decidingCodes(m, depth + 1)) : []),
    ...decidingCodes(rec.cause, depth + 1),
  ];
  const own = typeof rec.code === "string" ? rec.code : undefined;
  if (own === undefined) return inner;
  if (ERROR_KINDS[own]?.wrapper && inner.length > 0) return inner;
  return [own, ...inner];
}

export interface SendDecision {
  outcome: SendOutcome;
  timeout: boolean;
  fatal: boolean;
  /** The first deciding code, for messages. */
  code: string | undefined;
}

/** "never-sent" only when there is a code and every deciding code says so. */
export function decideSendOutcome(e: unknown): SendDecision {
  const codes = decidingCodes(e);
  const kinds = codes.map((c) => ERROR_KINDS[c] ?? UNKNOWN);
  const neverSent = kinds.length > 0 && kinds.every((k) => k.outcome === "never-sent");
  return {
    outcome: neverSent ? "never-sent" : "maybe-applied",
    timeout: kinds.some((k) => k.timeout === true),
    fatal: kinds.some((k) => k.fatal === true),
    code: codes[0],
  };
}
