import { randomBytes } from "node:crypto";
import { TokenError, unauthorized } from "./errors";
import { type ApiClient, iso } from "./platform-records";

export const DEFAULT_TOKEN_TTL_SECONDS = 7200;

export interface TokenResponse {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  expires_on: number;
  id_token: string;
}

export interface ClientCredentials {
  id: string;
  secret: string;
  via: "basic" | "post";
}

/** What the token store reads from the platform: its clients, its clock and the token lifetime. */
export interface TokenIssuer {
  readonly clients: Map<string, ApiClient>;
  readonly tokenTtlSeconds: number;
  now(): number;
}

const b64url = (s: string) => Buffer.from(s).toString("base64url");

/**
 * Bearer tokens: issued for client credentials (`/idp/token`), checked on every API request.
 * It outlives a reset of the platform, so a test's reset does not look like a credential
 * revocation to the client under test.
 */
export class TokenStore {
  private readonly tokens = new Map<string, { clientId: string; expiresAt: number }>();
  /** Every access and id token ever issued, so tests can prove none leaked anywhere. */
  private readonly issued: string[] = [];

  constructor(private readonly platform: TokenIssuer) {}

  issuedTokens(): readonly string[] {
    return this.issued;
  }

  issue(
    grantType: string | undefined,
    creds: ClientCredentials | undefined,
    ip: string | null,
  ): TokenResponse {
    const client = this.grantingClient(grantType, creds);
    const now = this.platform.now();
    const ttlSeconds = this.platform.tokenTtlSeconds;
    const expiresAt = now + ttlSeconds * 1000;
    client.lastAccessAt = iso(now);
    client.lastAccessFromIp = ip;
    const accessToken = randomBytes(32).toString("base64url");
    if (this.tokens.size > 50_000) this.sweep(now);
    this.tokens.set(accessToken, { clientId: client.clientId, expiresAt });
    this.issued.push(accessToken);
    // Opaque JWT-shaped id_token: claims only, random signature, never the secret.
    const idToken = [
      b64url(JSON.stringify({ alg: "none", typ: "JWT" })),
      b64url(
        JSON.stringify({
          sub: client.clientId,
          tenant_id: client.tenantId,
          iat: Math.floor(now / 1000),
          exp: Math.floor(expiresAt / 1000),
        }),
      ),
      randomBytes(16).toString("base64url"),
    ].join(".");
    this.issued.push(idToken);
    return {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: ttlSeconds,
      expires_on: Math.floor(expiresAt / 1000),
      id_token: idToken,
    };
  }

  /** The client the credentials name, or the token endpoint's 400/401. */
  private grantingClient(
    grantType: string | undefined,
    creds: ClientCredentials | undefined,
  ): ApiClient {
    if (!grantType) throw new TokenError(400, "invalid_request", "grant_type is required");
    if (grantType !== "client_credentials") {
      throw new TokenError(400, "invalid_request", `unsupported grant_type '${grantType}'`);
    }
    if (!creds) throw new TokenError(401, "invalid_client", "client credentials are missing");
    const client = this.platform.clients.get(creds.id.toLowerCase());
    if (!client || client.secret !== creds.secret) {
      throw new TokenError(401, "invalid_client", "invalid client credentials");
    }
    if (client.status === "disabled") {
      throw new TokenError(401, "invalid_client", "client is disabled");
    }
    const wanted = creds.via === "basic" ? "client_secret_basic" : "client_secret_post";
    if (client.authMethod !== wanted) {
      throw new TokenError(
        401,
        "invalid_client",
        `client is registered with token_endpoint_auth_method=${client.authMethod}`,
      );
    }
    return client;
  }

  private sweep(now: number): void {
    for (const [k, v] of this.tokens) if (v.expiresAt <= now) this.tokens.delete(k);
  }

  /** The API client behind an `Authorization: Bearer` header, or a 401. */
  authenticate(authorization: string | undefined): ApiClient {
    if (!authorization) throw unauthorized("Authorization header is missing");
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m?.[1]) throw unauthorized("Authorization header is not a bearer token");
    const t = this.tokens.get(m[1]);
    if (!t) throw unauthorized("invalid access token");
    if (t.expiresAt <= this.platform.now()) {
      this.tokens.delete(m[1]);
      throw unauthorized("access token expired");
    }
    const client = this.platform.clients.get(t.clientId);
    if (!client) throw unauthorized("client no longer exists");
    // Published: once an API client is disabled, every call it makes answers 401, with the
    // tokens it already holds too (not only new token requests).
    if (client.status === "disabled") throw unauthorized("client is disabled");
    return client;
  }
}
