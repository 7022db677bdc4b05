/**
 * `error.code` of the emulator's answers. Acronis's "Status and error codes" page: the code is a
 * platform code or, where none applies, the HTTP status; recorded answers of the real API show
 * `{"error": {"code": 404, ...}}` for an unknown object and 400 for a bad request. So the
 * emulator uses a published platform code only for its published meaning, and the HTTP status
 * everywhere else (never a published number for another meaning: 1004 is a tenant name conflict,
 * 1010-1016 are Sync & Share, deprovisioning, locking, moving, infrastructure and storage).
 */
export const ErrorCode = {
  /** Published: internal error. */
  internal: 1000,
  /** Published: version mismatch. */
  versionMismatch: 1001,
  /** Published: access denied. */
  accessDenied: 1002,
  /** Published: "user disabled". */
  userDisabled: 1018,
  /** Published: "does not satisfy business rules". */
  businessRule: 1027,
  /** No platform code published: the HTTP status, as recorded answers show. */
  notFound: 404,
  badRequest: 400,
  unauthorized: 401,
  methodNotAllowed: 405,
  notAcceptable: 406,
  conflict: 409,
  gone: 410,
  tooLarge: 413,
  unsupportedMediaType: 415,
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
export const businessRule = (status: 400 | 403 | 409, info: string) =>
  new PlatformError(status, ErrorCode.businessRule, "Does not satisfy business rules", info);

/** Token endpoint errors use the OAuth-like `tokenError` schema instead of `errorScheme`. */
export class TokenError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: "invalid_client" | "invalid_request",
    readonly description: string,
  ) {
    super(description);
    this.name = "TokenError";
  }
}
