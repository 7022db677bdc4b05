import type { z } from "zod";
import { chunk, MAX_BATCH } from "./batcher";
import { readErrorBody, readTokenErrorBody, saysVersionMismatch } from "./error-body";
import {
  AcronisApiError,
  type AcronisApiErrorInit,
  OutcomeUnknownError,
  VersionMismatchError,
} from "./errors";
import { type UserPage, UserReads } from "./reads";
import { nextDelay, planRetry, type RetryPolicy, resolveRetryPolicy } from "./retry";
import {
  clientSchema,
  describeSchemaError,
  searchSchema,
  tokenSchema,
  type UserWire,
  userBatchSchema,
  userPageSchema,
  userSchema,
} from "./schemas";
import { type IssuedToken, TokenCache, tokenExpiry } from "./token";
import { Limiter, type RawResponse, Transport, TransportError } from "./transport";
import { validateBaseUrl } from "./url";

export interface AcronisClientOptions {
  /** e.g. https://eu2-cloud.acronis.com/api/2 (http only for loopback). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** At most N requests in flight per client, token calls included. Default 8. */
  maxConcurrentRequests?: number;
  /**
   * Coalesce concurrent getUser calls into GET /users?uuids=: reads that arrive while
   * maxConcurrentRequests read requests are in flight go out together when one comes back; a read
   * is never held back while a slot is free. Default true.
   */
  batchReads?: boolean;
  /**
   * getUser answers from earlier answers (single, batch, listing) for this long, counted from
   * when they were asked for; an account's entry is dropped when it is written. Default 0: only
   * reads in flight are shared.
   */
  readCacheTtlMs?: number;
  /**
   * Read a tenant's users in bulk when getUser keeps asking for accounts of that tenant (see
   * readAhead.ts). Needs batchReads and readCacheTtlMs. Default false.
   */
  readAhead?: boolean;
  retry?: Partial<RetryPolicy>;
  /** Defaults 10 s / 30 s / 30 s. */
  timeouts?: { connectMs?: number; headersMs?: number; bodyMs?: number };
  userAgent?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface AcronisUser {
  id: string;
  version: number;
  tenantId: string;
  login: string;
  email: string;
  activated: boolean;
  enabled: boolean;
  deletedAt: string | null;
}

export interface SearchUser {
  id: string;
  tenantId: string;
  login: string;
  path: string[];
}

export interface ApiClientInfo {
  clientId: string;
  tenantId: string;
}

export interface ClientStats {
  requests: number;
  tokenRequests: number;
  retries: number;
}

type Method = "GET" | "PUT" | "POST";

interface CallSpec<S extends z.ZodType> {
  method: Method;
  /** Path relative to the base URL, without query (used in errors). */
  path: string;
  /** Endpoint template for schema errors, e.g. "/users/{id}". */
  route: string;
  query?: string;
  body?: string;
  contentType?: string;
  schema: S;
  /** false only for the token call itself. */
  auth: boolean;
}

const DEFAULT_USER_AGENT = "pulumi-acronis-user-email/0.1";

function header(res: RawResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function toUser(u: UserWire): AcronisUser {
  return {
    id: u.id,
    version: u.version,
    tenantId: u.tenant_id,
    login: u.login,
    email: u.contact.email,
    activated: u.activated,
    enabled: u.enabled,
    deletedAt: u.deleted_at ?? null,
  };
}

function positiveInt(name: string, v: number | undefined, dflt: number, min = 1): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}`);
  return n;
}

export class AcronisClient {
  readonly stats: ClientStats = { requests: 0, tokenRequests: 0, retries: 0 };

  private readonly basePath: string;
  private readonly clientId: string;
  private readonly basicAuth: string;
  private readonly secrets: string[];
  private readonly policy: RetryPolicy;
  private readonly userAgent: string;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly limiter: Limiter;
  private readonly transport: Transport;
  private readonly tokens: TokenCache;
  private readonly reads: UserReads<AcronisUser>;

  constructor(options: AcronisClientOptions) {
    const url = validateBaseUrl(options.baseUrl);
    if (!options.clientId) throw new Error("clientId is required");
    if (!options.clientSecret) throw new Error("clientSecret is required");
    this.basePath = url.pathname;
    this.clientId = options.clientId;
    this.basicAuth = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString("base64")}`;
    this.secrets = [options.clientSecret, this.basicAuth.slice("Basic ".length)];
    this.policy = resolveRetryPolicy(options.retry);
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.now = options.now ?? Date.now;
    this.sleep =
      options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    const max = positiveInt("maxConcurrentRequests", options.maxConcurrentRequests, 8);
    this.limiter = new Limiter(max, this.sleep, this.now);
    const t = options.timeouts ?? {};
    this.transport = new Transport({
      origin: url.origin,
      connections: max,
      connectMs: positiveInt("timeouts.connectMs", t.connectMs, 10_000),
      headersMs: positiveInt("timeouts.headersMs", t.headersMs, 30_000),
      bodyMs: positiveInt("timeouts.bodyMs", t.bodyMs, 30_000),
    });
    this.tokens = new TokenCache(() => this.requestToken(), this.now);
    this.reads = new UserReads<AcronisUser>(
      {
        one: (id) => this.fetchUser(id),
        many: (ids) => this.fetchUsersChunk(ids),
        page: (tenantId, cursor, limit) => this.fetchTenantPage(tenantId, cursor, limit),
      },
      {
        batch: options.batchReads ?? true,
        slots: max,
        readAhead: options.readAhead ?? false,
        cacheTtlMs: positiveInt("readCacheTtlMs", options.readCacheTtlMs, 0, 0),
        ...(options.now ? { now: options.now } : {}),
      },
    );
  }

  /** Highest number of requests observed in flight at once (for tests and benchmarks). */
  get peakInFlight(): number {
    return this.limiter.peak;
  }

  /**
   * One account. `tenantId` is the tenant the caller believes it lives in (from stored
   * outputs): a hint for read-ahead, never trusted as an answer.
   */
  getUser(id: string, hint: { tenantId?: string | undefined } = {}): Promise<AcronisUser> {
    return this.reads.get(id, hint.tenantId);
  }

  /**
   * Every user of a tenant and its sub-tenants, one page at a time as the platform pages them
   * (`GET /users?subtree_root_tenant_id=`, then `?after=<cursor>` until a page has none). The
   * next page is asked for as soon as a page's cursor is known, so the platform prepares it while
   * the caller handles this one: at most two pages are held. `includeDeleted` asks for
   * soft-deleted users too. Nothing is cached: this is a listing, not account reads.
   */
  async *listTenantUsers(
    tenantId: string,
    options: { includeDeleted?: boolean; limit?: number } = {},
  ): AsyncGenerator<AcronisUser[], void, undefined> {
    const fetch = (cursor: string | undefined) => {
      const page = this.fetchTenantPage(
        tenantId,
        cursor,
        options.limit,
        options.includeDeleted ?? false,
      );
      // Awaited below; a caller that stops early must not leave an unhandled rejection.
      page.catch(() => {});
      return page;
    };
    const seen = new Set<string>();
    let next = fetch(undefined);
    for (;;) {
      const page = await next;
      const cursor = page.cursor;
      // A cursor handed out twice would page forever.
      if (cursor !== undefined && seen.has(cursor)) {
        throw this.error({
          method: "GET",
          path: "/users",
          kind: "schema",
          status: 200,
          detail:
            "GET /users?subtree_root_tenant_id=: paging.cursors.after repeats an earlier cursor",
        });
      }
      if (cursor !== undefined) {
        seen.add(cursor);
        next = fetch(cursor);
      }
      yield page.users;
      if (cursor === undefined) return;
    }
  }

  async getUsers(ids: readonly string[]): Promise<Map<string, AcronisUser>> {
    const unique = [...new Set(ids)];
    const parts = await Promise.all(chunk(unique, MAX_BATCH).map((c) => this.fetchUsersChunk(c)));
    const out = new Map<string, AcronisUser>();
    for (const part of parts) for (const [k, v] of part) out.set(k, v);
    return out;
  }

  /**
   * Writes the contact email. Whatever the outcome (200, 409, lost answer), what getUser knew of
   * the account is dropped once the write is over, listings on their way included: the next read
   * of it goes to the platform.
   */
  async updateUserEmail(id: string, email: string, version: number): Promise<AcronisUser> {
    try {
      const wire = await this.call({
        method: "PUT",
        path: `/users/${encodeURIComponent(id)}`,
        route: "/users/{id}",
        body: JSON.stringify({ contact: { email }, version }),
        contentType: "application/json",
        schema: userSchema,
        auth: true,
      });
      return toUser(wire);
    } finally {
      this.reads.forget(id);
    }
  }

  async findUsers(tenantId: string, text: string, limit?: number): Promise<SearchUser[]> {
    const q = new URLSearchParams({ tenant: tenantId, text });
    if (limit !== undefined) q.set("limit", String(limit));
    const res = await this.call({
      method: "GET",
      path: "/search",
      route: "/search",
      query: q.toString(),
      schema: searchSchema,
      auth: true,
    });
    return res.items
      .filter((i) => i.obj_type === "user")
      .map((i) => ({ id: i.id, tenantId: i.parent_id ?? "", login: i.login ?? "", path: i.path }));
  }

  async getClient(clientId: string): Promise<ApiClientInfo> {
    const res = await this.call({
      method: "GET",
      path: `/clients/${encodeURIComponent(clientId)}`,
      route: "/clients/{id}",
      schema: clientSchema,
      auth: true,
    });
    return { clientId: res.client_id, tenantId: res.tenant_id };
  }

  async close(): Promise<void> {
    this.reads.clear();
    await this.transport.close();
  }

  private async fetchUser(id: string): Promise<AcronisUser> {
    const wire = await this.call({
      method: "GET",
      path: `/users/${encodeURIComponent(id)}`,
      route: "/users/{id}",
      schema: userSchema,
      auth: true,
    });
    return toUser(wire);
  }

  private async fetchUsersChunk(ids: readonly string[]): Promise<Map<string, AcronisUser>> {
    const out = new Map<string, AcronisUser>();
    if (ids.length === 0) return out;
    const res = await this.call({
      method: "GET",
      path: "/users",
      route: "/users?uuids=",
      // Literal commas: the documented form is uuids=<id,id,...>.
      query: `uuids=${ids.map(encodeURIComponent).join(",")}`,
      schema: userBatchSchema,
      auth: true,
    });
    const wanted = new Set(ids);
    for (const u of res.items) if (wanted.has(u.id)) out.set(u.id, toUser(u));
    return out;
  }

  /**
   * A page of the users of a tenant's subtree (`lod=full`): the first page, or the one `cursor`
   * points at; `limit` users at most, or the platform's default page size; deleted users too
   * with `allowDeleted` (the cursor keeps it for later pages).
   */
  private async fetchTenantPage(
    tenantId: string,
    cursor: string | undefined,
    limit: number | undefined,
    allowDeleted = false,
  ): Promise<UserPage<AcronisUser>> {
    // The cursor carries the filter and the level of detail.
    const query =
      cursor === undefined
        ? new URLSearchParams({ subtree_root_tenant_id: tenantId, lod: "full" })
        : new URLSearchParams({ after: cursor });
    if (cursor === undefined && allowDeleted) query.set("allow_deleted", "true");
    if (limit !== undefined) query.set("limit", String(limit));
    const res = await this.call({
      method: "GET",
      path: "/users",
      route: "/users?subtree_root_tenant_id=",
      query: query.toString(),
      schema: userPageSchema,
      auth: true,
    });
    return { users: res.items.map(toUser), cursor: res.paging?.cursors?.after ?? undefined };
  }

  private async requestToken(): Promise<IssuedToken> {
    const issuedAt = this.now();
    const res = await this.call({
      method: "POST",
      path: "/idp/token",
      route: "/idp/token",
      body: "grant_type=client_credentials",
      contentType: "application/x-www-form-urlencoded",
      schema: tokenSchema,
      auth: false,
    });
    return {
      accessToken: res.access_token,
      issuedAt,
      expiresAt: tokenExpiry(issuedAt, res.expires_in, res.expires_on),
    };
  }

  private error(init: AcronisApiErrorInit, Ctor: typeof AcronisApiError = AcronisApiError) {
    return new Ctor({ ...init, secrets: [...this.secrets, ...this.tokens.seen] });
  }

  /** One logical call: token, limiter, retries, 401 renewal, status and schema mapping. */
  private async call<S extends z.ZodType>(spec: CallSpec<S>): Promise<z.infer<S>> {
    const startedAt = this.now();
    let attempt = 0;
    let renewed = false;
    const base = { method: spec.method, path: spec.path };

    for (;;) {
      attempt++;
      const token = spec.auth ? await this.tokens.get() : undefined;
      const headers: Record<string, string> = {
        accept: "application/json",
        "user-agent": this.userAgent,
        authorization: token !== undefined ? `Bearer ${token}` : this.basicAuth,
      };
      if (spec.contentType !== undefined) headers["content-type"] = spec.contentType;

      let res: RawResponse;
      const release = await this.limiter.acquire();
      try {
        this.stats.requests++;
        if (!spec.auth) this.stats.tokenRequests++;
        res = await this.transport.send({
          method: spec.method,
          path: `${this.basePath}${spec.path}${spec.query ? `?${spec.query}` : ""}`,
          headers,
          ...(spec.body !== undefined ? { body: spec.body } : {}),
        });
      } catch (e) {
        release();
        const te = e instanceof TransportError ? e : undefined;
        const kind = te?.timeout ? "timeout" : "network";
        const what = `${te?.timeout ? "timed out" : "network error"} (${te?.originalCode ?? (e instanceof Error ? e.message : "unknown")})`;
        const cause = te?.cause ?? e;
        // A PUT that may have reached the server must not be repeated blindly.
        if (spec.method === "PUT" && te?.phase !== "before-send") {
          throw this.error(
            {
              ...base,
              kind: "outcome-unknown",
              detail: `${what} after the request was sent; it may or may not have been applied, re-read the object`,
              cause,
            },
            OutcomeUnknownError,
          );
        }
        const delay = te?.fatal ? undefined : this.plan(attempt, startedAt, undefined);
        if (delay !== undefined) {
          this.stats.retries++;
          await this.sleep(delay);
          continue;
        }
        throw this.error({ ...base, kind, detail: `${what} after ${attempt} attempt(s)`, cause });
      }
      release();

      const status = res.status;
      if (status >= 200 && status < 300) return this.parse(spec, res);

      if (status >= 300 && status < 400) {
        throw this.error({
          ...base,
          kind: "redirect",
          status,
          detail: `unexpected redirect HTTP ${status}; redirects are not followed on authenticated calls, check the base URL (expected https://<datacenter>/api/2)`,
        });
      }

      if (status === 401 && spec.auth && token !== undefined && !renewed) {
        // Tokens can be revoked or expire early: renew once, then retry once.
        renewed = true;
        attempt--;
        this.tokens.invalidate(token);
        this.stats.retries++;
        continue;
      }

      if (!spec.auth && (status === 400 || status === 401 || status === 403)) {
        throw this.tokenError(spec, res);
      }

      if (this.policy.retryStatuses.includes(status)) {
        const retryAfter = header(res, "retry-after");
        const delay = this.plan(attempt, startedAt, retryAfter);
        if (status === 429) {
          // The whole client backs off, not only this call.
          this.limiter.pause(
            delay ?? nextDelay(1, this.policy, retryAfter, this.random, this.now()),
          );
        }
        if (delay !== undefined) {
          this.stats.retries++;
          await this.sleep(delay);
          continue;
        }
      }

      throw this.httpError(spec, res, attempt);
    }
  }

  private plan(
    attempt: number,
    startedAt: number,
    retryAfter: string | undefined,
  ): number | undefined {
    return planRetry(attempt, startedAt, this.now(), this.policy, retryAfter, this.random);
  }

  private parse<S extends z.ZodType>(spec: CallSpec<S>, res: RawResponse): z.infer<S> {
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch (e) {
      throw this.error({
        method: spec.method,
        path: spec.path,
        kind: "schema",
        status: res.status,
        detail: `${spec.method} ${spec.route}: response body is not valid JSON`,
        cause: e,
      });
    }
    const parsed = spec.schema.safeParse(json);
    if (!parsed.success) {
      throw this.error({
        method: spec.method,
        path: spec.path,
        kind: "schema",
        status: res.status,
        detail: `${spec.method} ${spec.route}: ${describeSchemaError(parsed.error)}`,
      });
    }
    return parsed.data;
  }

  private tokenError(spec: CallSpec<z.ZodType>, res: RawResponse): AcronisApiError {
    // A non-JSON error body still yields an auth error naming the status.
    const answer = readTokenErrorBody(res.body);
    const said = [answer?.tags, answer?.message, answer?.info].filter(Boolean).join(": ");
    const reason = said || "no error description";
    return this.error({
      method: spec.method,
      path: spec.path,
      kind: "auth",
      status: res.status,
      code: answer?.code,
      domain: answer?.domain,
      platformMessage: answer?.message,
      details: answer?.details,
      detail: `HTTP ${res.status}: could not obtain a token for API client ${this.clientId} (${reason}); check the client id and secret`,
    });
  }

  private httpError(
    spec: CallSpec<z.ZodType>,
    res: RawResponse,
    attempts: number,
  ): AcronisApiError {
    // Proxies answer with HTML; the status alone is reported.
    const answer = readErrorBody(res.body);
    const tags = answer?.tags ?? "";
    const retried = attempts > 1 ? ` after ${attempts} attempts` : "";
    // details.info is where the platform says which field or rule failed (e.g. on a 400).
    const info = answer?.info !== undefined ? ` (${answer.info})` : "";
    const detail = `HTTP ${res.status}${tags ? ` (${tags})` : ""}${retried}: ${answer?.message ?? "no error message"}${info}`;
    return this.error(
      {
        method: spec.method,
        path: spec.path,
        kind: "http",
        status: res.status,
        code: answer?.code,
        domain: answer?.domain,
        platformMessage: answer?.message,
        details: answer?.details,
        detail,
      },
      saysVersionMismatch(res.status, answer) ? VersionMismatchError : AcronisApiError,
    );
  }
}
