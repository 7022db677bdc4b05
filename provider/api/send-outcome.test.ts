import { errors } from "undici";
import { describe, expect, it } from "vitest";
import {
  decideSendOutcome,
  decidingCodes as decidingCodesOf,
  ERROR_KINDS,
  type SendOutcome,
} from "./send-outcome";
import { classifyTransportError } from "./transport";

/** A Node system error as net, dns and tls raise them: an Error with a string `code`. */
function sys(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

const NEVER: SendOutcome = "never-sent";
const MAYBE: SendOutcome = "maybe-applied";

// [what, error, outcome, timeout]
const TABLE: [string, unknown, SendOutcome, boolean][] = [
  ["connection refused", sys("ECONNREFUSED"), NEVER, false],
  ["connection reset", sys("ECONNRESET"), MAYBE, false],
  ["broken pipe (write after the peer closed)", sys("EPIPE"), NEVER, false],
  ["DNS: name not found", sys("ENOTFOUND"), NEVER, false],
  ["DNS: try again", sys("EAI_AGAIN"), NEVER, false],
  ["DNS: resolver failure", sys("EAI_FAIL"), NEVER, false],
  ["host unreachable", sys("EHOSTUNREACH"), NEVER, false],
  ["network unreachable", sys("ENETUNREACH"), NEVER, false],
  ["no local address", sys("EADDRNOTAVAIL"), NEVER, false],
  ["TLS: certificate not yet valid", sys("CERT_NOT_YET_VALID"), NEVER, false],
  ["TLS: self-signed in chain", sys("SELF_SIGNED_CERT_IN_CHAIN"), NEVER, false],
  ["TLS: leaf not verifiable", sys("UNABLE_TO_VERIFY_LEAF_SIGNATURE"), NEVER, false],
  ["TLS: issuer unknown", sys("UNABLE_TO_GET_ISSUER_CERT_LOCALLY"), NEVER, false],
  ["TLS: expired certificate", sys("CERT_HAS_EXPIRED"), NEVER, false],
  ["TLS: self-signed certificate", sys("DEPTH_ZERO_SELF_SIGNED_CERT"), NEVER, false],
  ["TLS: wrong host name", sys("ERR_TLS_CERT_ALTNAME_INVALID"), NEVER, false],
  ["TLS: not TLS on the port", sys("ERR_SSL_WRONG_VERSION_NUMBER"), NEVER, false],
  ["TLS: an alert we do not list", sys("ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR"), MAYBE, false],
  ["TCP timeout on an open connection", sys("ETIMEDOUT"), MAYBE, true],
  ["undici connect timeout", new errors.ConnectTimeoutError(), NEVER, true],
  ["undici headers timeout", new errors.HeadersTimeoutError(), MAYBE, true],
  ["undici body timeout", new errors.BodyTimeoutError(), MAYBE, true],
  [
    "undici SocketError 'other side closed'",
    new errors.SocketError("other side closed"),
    MAYBE,
    false,
  ],
  ["undici request aborted", new errors.RequestAbortedError(), MAYBE, false],
  ["undici client destroyed in flight", new errors.ClientDestroyedError(), MAYBE, false],
  ["undici client closed", new errors.ClientClosedError(), NEVER, false],
  ["undici invalid argument", new errors.InvalidArgumentError("bad"), NEVER, false],
  [
    "undici response length mismatch",
    new errors.ResponseContentLengthMismatchError(),
    MAYBE,
    false,
  ],
  ["undici headers overflow", new errors.HeadersOverflowError(), MAYBE, false],
  ["undici response too large", new errors.ResponseExceededMaxSizeError(), MAYBE, false],
  ["undici informational close", new errors.InformationalError("x"), MAYBE, false],
  ["an unknown code", sys("ESOMETHINGNEW"), MAYBE, false],
  ["no code at all", new Error("boom"), MAYBE, false],
  ["not an error", "a string", MAYBE, false],
  // Wrapped causes
  [
    "fetch-style TypeError caused by ECONNREFUSED",
    new TypeError("fetch failed", { cause: sys("ECONNREFUSED") }),
    NEVER,
    false,
  ],
  [
    "SocketError caused by ECONNRESET",
    Object.assign(new errors.SocketError("closed"), { cause: sys("ECONNRESET") }),
    MAYBE,
    false,
  ],
  [
    "SocketError wrapping EPIPE: the specific cause decides",
    Object.assign(new errors.SocketError("closed"), { cause: sys("EPIPE") }),
    NEVER,
    false,
  ],
  [
    "a two-level cause chain ending in ENOTFOUND",
    new Error("outer", { cause: new Error("middle", { cause: sys("ENOTFOUND") }) }),
    NEVER,
    false,
  ],
  [
    "a cause chain mixing never-sent and reset",
    Object.assign(sys("EPIPE"), { cause: sys("ECONNRESET") }),
    MAYBE,
    false,
  ],
  [
    "AggregateError (happy eyeballs): every address refused",
    new AggregateError([sys("ECONNREFUSED"), sys("ECONNREFUSED")], "all refused"),
    NEVER,
    false,
  ],
  [
    "AggregateError: one address refused, one reset",
    new AggregateError([sys("ECONNREFUSED"), sys("ECONNRESET")], "mixed"),
    MAYBE,
    false,
  ],
  [
    "AggregateError with its own code and refused members",
    Object.assign(new AggregateError([sys("ECONNREFUSED")], "x"), { code: "ECONNREFUSED" }),
    NEVER,
    false,
  ],
  [
    "AggregateError inside a cause",
    new TypeError("fetch failed", { cause: new AggregateError([sys("EHOSTUNREACH")], "x") }),
    NEVER,
    false,
  ],
];

describe("whether a failed request may have been sent, by error kind", () => {
  it.each(TABLE)("%s", (_what, error, outcome, timeout) => {
    const decision = decideSendOutcome(error);
    expect(decision.outcome).toBe(outcome);
    expect(decision.timeout).toBe(timeout);
    // The transport reports the same decision as its phase.
    const te = classifyTransportError(error);
    expect(te.phase).toBe(outcome === NEVER ? "before-send" : "after-send");
    expect(te.timeout).toBe(timeout);
  });

  it("every code the table decides has a row above", () => {
    const covered = new Set(TABLE.flatMap(([, e]) => decidingCodesOf(e)));
    expect(Object.keys(ERROR_KINDS).filter((code) => !covered.has(code))).toEqual([]);
  });

  it("marks closed and destroyed clients fatal (no retry)", () => {
    expect(decideSendOutcome(new errors.ClientClosedError()).fatal).toBe(true);
    expect(decideSendOutcome(new errors.ClientDestroyedError()).fatal).toBe(true);
    expect(decideSendOutcome(sys("ECONNREFUSED")).fatal).toBe(false);
  });
});
