import { AcronisApiError } from "./errors";

/** Result of one client-credentials exchange. */
export interface IssuedToken {
  accessToken: string;
  /** Absolute expiry in ms since epoch, as seen by our clock. */
  expiresAt: number;
  issuedAt: number;
}

/** Acronis samples renew when fewer than 900 s remain. */
const RENEW_MARGIN_MS = 900_000;
/** Tokens live 2 hours per the platform docs; used only when the response has no expiry. */
const DEFAULT_LIFETIME_MS = 7_200_000;

export function tokenExpiry(
  now: number,
  expiresIn: number | undefined,
  expiresOn: number | undefined,
): number {
  // expires_in is relative, so it is immune to clock skew between us and the platform.
  if (expiresIn !== undefined && expiresIn > 0) return now + expiresIn * 1000;
  if (expiresOn !== undefined && expiresOn > 0) return expiresOn * 1000;
  return now + DEFAULT_LIFETIME_MS;
}

/**
 * When to stop using a token: 900 s before expiry, or 10% of its lifetime before expiry for
 * tokens living less than 2 x 900 s (otherwise a short-lived token would never be reused).
 */
export function renewAt(token: IssuedToken): number {
  const lifetime = Math.max(0, token.expiresAt - token.issuedAt);
  const margin = lifetime >= 2 * RENEW_MARGIN_MS ? RENEW_MARGIN_MS : lifetime * 0.1;
  return token.expiresAt - margin;
}

/** Caches a bearer token and makes sure only one token request is in flight at a time. */
export class TokenCache {
  private current: IssuedToken | undefined;
  private inflight: Promise<IssuedToken> | undefined;
  /**
   * The token endpoint's refusal of our credentials. Kept for the life of the client: wrong
   * credentials do not fix themselves mid-run, and asking again for every resource would be a
   * storm of failed logins against the platform.
   */
  private refused: AcronisApiError | undefined;

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: () => number,
  ) {}

  /** Every access token obtained so far, so errors can scrub them. */
  readonly seen = new Set<string>();

  async get(): Promise<string> {
    if (this.refused) throw this.refused;
    const cur = this.current;
    if (cur !== undefined && this.now() < renewAt(cur)) return cur.accessToken;
    this.inflight ??= this.fetchToken()
      .then((t) => {
        this.seen.add(t.accessToken);
        this.current = t;
        return t;
      })
      .catch((error: unknown) => {
        if (error instanceof AcronisApiError && error.kind === "auth") this.refused = error;
        throw error;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return (await this.inflight).accessToken;
  }

  /**
   * Drops the token a call was rejected with. Comparing the value means many calls failing with
   * the same stale token cause one renewal, not one each.
   */
  invalidate(accessToken: string): void {
    if (this.current?.accessToken === accessToken) this.current = undefined;
  }
}
