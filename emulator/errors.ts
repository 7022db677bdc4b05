/**
 * Platform error codes. 1000/1001/1002 are the documented ones (README "Errors"); the others are
 * emulator choices, since Acronis does not publish codes for those situations.
 */
export const ErrorCode = {
  internal: 1000,
  versionMismatch: 1001,
  accessDenied: 1002,
  /** Documented: "user disabled". */
  userDisabled: 1018,
  /** Documented: "does not satisfy business rules". */
  businessRule: 1027,
  /** Emulator choice: 404 "not found". */
  notFound: 1004,
  /** Emulator choice: 400 request validation failure. */
  badRequest: 1010,
  /** Emulator choice: 401 missing/unknown/expired bearer token. */
  unauthorized: 1011,
  /** Emulator choice: 405. */
  methodNotAllowed: 1012,
  /** Emulator choice: 415. */
  unsupportedMediaType: 1013,
  /** Emulator choice: 409 login already used by another user. */
  conflict: 1014,
  /** Emulator choice: 410 confirmation link already used or superseded. */
  gone: 1015,
  /** Emulator choice: 413 body over 1 MiB. */
  tooLarge: 1016,
} as const;

export interface PlatformErrorBody {
  error: {
    code: number | string;
    domain: string;
    message: string;
    details: { info: string | null };
    context: Record<string, unknown>;
  };
}

/** An error answer in the documented platform shape (schema `errorScheme`). */
export class PlatformError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly info: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "PlatformError";
  }

  body(): PlatformErrorBody {
    return platformErrorBody(this.code, this.message, this.info);
  }
}

export function platformErrorBody(
  code: number,
  message: string,
  info: string | null = null,
): PlatformErrorBody {
  return {
    error: { code, domain: "PlatformAccountServer", message, details: { info }, context: {} },
  };
}

export const notFound = (info: string) =>
  new PlatformError(404, ErrorCode.notFound, "Not found", info);
export const badRequest = (info: string) =>
  new PlatformError(400, ErrorCode.badRequest, "Bad request", info);
export const accessDenied = (info: string) =>
  new PlatformError(403, ErrorCode.accessDenied, "Access denied", info);
export const unauthorized = (info: string) =>
  new PlatformError(401, ErrorCode.unauthorized, "Unauthorized", info, {
    "WWW-Authenticate": 'Bearer realm="api"',
  });

/** A login another account (deleted ones included) already holds. */
export const loginConflict = (login: string) =>
  new PlatformError(
    409,
    ErrorCode.conflict,
    "Another object of the same type already exists",
    `login '${login}' is taken`,
  );
/** Documented code 1001: the request names a version the account is no longer at. */
export const versionMismatch = (sent: number, current: number) =>
  new PlatformError(
    409,
    ErrorCode.versionMismatch,
    "Version mismatch",
    `version ${sent} does not match the current version ${current}`,
  );
/** Documented code 1027: the request breaks a rule of the platform (e.g. deleting an enabled user). */
export const businessRule = (info: string) =>
  new PlatformError(409, ErrorCode.businessRule, "Does not satisfy business rules", info);

/** Token endpoint errors use the OAuth-like `tokenError` schema instead of `errorScheme`. */
export class TokenError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: "access_denied" | "invalid_request",
    readonly description: string,
  ) {
    super(description);
    this.name = "TokenError";
  }
}
