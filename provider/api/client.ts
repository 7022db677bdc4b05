import { chunk, MAX_BATCH } from "./batcher";
import { schemaError } from "./call-errors";
import {
  type AcronisUser,
  type ApiClientInfo,
  clientCall,
  type SearchUser,
  searchCall,
  searchUsers,
  TENANT_PAGE_ROUTE,
  tenantPageCall,
  toUser,
  updateEmailCall,
  userCall,
  usersByIdCall,
} from "./endpoints";
import { type UserPage, UserReads } from "./reads";
import { type ClientStats, RequestLoop } from "./request-loop";
import { type RetryPolicy, resolveRetryPolicy } from "./retry";
import { Limiter, Transport } from "./transport";
import { validateBaseUrl } from "./url";

/**
 * The Acronis API client: what a caller can ask of the platform (accounts read, listed, searched,
 * their email written). Reads go through reads.ts (shared, batched, cached); every request goes
 * through request-loop.ts (token, limiter, retries); endpoints.ts says what each one sends.
 */

export type { AcronisUser, ApiClientInfo, ClientStats, SearchUser };

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
   * read-ahead.ts). Needs batchReads and readCacheTtlMs. Default false.
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

const DEFAULT_USER_AGENT = "pulumi-acronis-user-email/0.1";

function positiveInt(name: string, v: number | undefined, dflt: number, min = 1): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}`);
  return n;
}

export class AcronisClient {
  private readonly limiter: Limiter;
  private readonly transport: Transport;
  private readonly requests: RequestLoop;
  private readonly reads: UserReads<AcronisUser>;

  constructor(options: AcronisClientOptions) {
    const url = validateBaseUrl(options.baseUrl);
    if (!options.clientId) throw new Error("clientId is required");
    if (!options.clientSecret) throw new Error("clientSecret is required");
    const policy = resolveRetryPolicy(options.retry);
    const now = options.now ?? Date.now;
    const sleep =
      options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const max = positiveInt("maxConcurrentRequests", options.maxConcurrentRequests, 8);
    this.limiter = new Limiter(max, sleep, now);
    const t = options.timeouts ?? {};
    this.transport = new Transport({
      origin: url.origin,
      connections: max,
      connectMs: positiveInt("timeouts.connectMs", t.connectMs, 10_000),
      headersMs: positiveInt("timeouts.headersMs", t.headersMs, 30_000),
      bodyMs: positiveInt("timeouts.bodyMs", t.bodyMs, 30_000),
    });
    this.requests = new RequestLoop({
      basePath: url.pathname,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      policy,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
      limiter: this.limiter,
      transport: this.transport,
      now,
      sleep,
      random: options.random ?? Math.random,
    });
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

  /** Requests, token requests and retries made so far (for tests and benchmarks). */
  get stats(): ClientStats {
    return this.requests.stats;
  }

  /** Highest number of requests observed in flight at once (for tests and benchmarks). */
  get peakInFlight(): number {
    return this.limiter.peak;
  }

  /** Requests waiting for a slot or for a 429's pause to end (for tests and benchmarks). */
  get queuedRequests(): number {
    return this.limiter.waiting;
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
        throw schemaError(
          this.requests.error,
          { method: "GET", path: "/users", route: TENANT_PAGE_ROUTE },
          200,
          "paging.cursors.after repeats an earlier cursor",
        );
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
      return toUser(await this.requests.call(updateEmailCall(id, email, version)));
    } finally {
      this.reads.forget(id);
    }
  }

  async findUsers(tenantId: string, text: string, limit?: number): Promise<SearchUser[]> {
    return searchUsers(await this.requests.call(searchCall(tenantId, text, limit)));
  }

  async getClient(clientId: string): Promise<ApiClientInfo> {
    const res = await this.requests.call(clientCall(clientId));
    return { clientId: res.client_id, tenantId: res.tenant_id };
  }

  async close(): Promise<void> {
    this.reads.clear();
    await this.transport.close();
  }

  private async fetchUser(id: string): Promise<AcronisUser> {
    return toUser(await this.requests.call(userCall(id)));
  }

  private async fetchUsersChunk(ids: readonly string[]): Promise<Map<string, AcronisUser>> {
    const out = new Map<string, AcronisUser>();
    if (ids.length === 0) return out;
    const res = await this.requests.call(usersByIdCall(ids));
    const wanted = new Set(ids);
    for (const u of res.items) if (wanted.has(u.id)) out.set(u.id, toUser(u));
    return out;
  }

  /** A page of a tenant's users: see tenantPageCall. */
  private async fetchTenantPage(
    tenantId: string,
    cursor: string | undefined,
    limit: number | undefined,
    allowDeleted = false,
  ): Promise<UserPage<AcronisUser>> {
    const res = await this.requests.call(tenantPageCall(tenantId, cursor, limit, allowDeleted));
    return { users: res.items.map(toUser), cursor: res.paging?.cursors?.after ?? undefined };
  }
}
