import DataLoader from "dataloader";
import { LRUCache } from "lru-cache";
import { batchFailure } from "./batch-failure";
import { Dispatch, MAX_BATCH } from "./batcher";
import {
  mayFetchPage,
  newListing,
  pageAsked,
  pageFailed,
  pageLanded,
  pageLimit,
  type TenantListing,
  waitsForPage,
} from "./read-ahead";

/** One page of a tenant listing: its users, and the cursor of the next page if there is one. */
export interface UserPage<T> {
  users: T[];
  cursor: string | undefined;
}

/** The requests reads are made of (the API client's). */
export interface UserSource<T> {
  /** `GET /users/{id}`: the platform's own 404/403 for that id. */
  one(id: string): Promise<T>;
  /** `GET /users?uuids=` (at most 100): ids the caller may not see are simply absent. */
  many(ids: readonly string[]): Promise<Map<string, T>>;
  /**
   * `GET /users?subtree_root_tenant_id=` (first page), then `?after=<cursor>`; `limit` users at
   * most, or the platform's default page.
   */
  page(
    tenantId: string,
    cursor: string | undefined,
    limit: number | undefined,
  ): Promise<UserPage<T>>;
}

export interface UserReadsOptions {
  /** Coalesce concurrent reads into batch requests; false: one `GET /users/{id}` per read. */
  batch: boolean;
  /** Read requests sent at once before further reads pile up into a batch (batcher.ts). */
  slots: number;
  /** Tenant read-ahead (read-ahead.ts); only with `batch` and a cache to answer from. */
  readAhead: boolean;
  /** How long an answer serves later reads; 0 keeps nothing once a read is answered. */
  cacheTtlMs: number;
  /** The clock entries age by (ms); default `performance.now`. */
  now?: () => number;
}

/** Generous for one process: a 50,000-user tenant read whole fits twice. */
const MAX_ENTRIES = 100_000;
const MAX_TENANTS = 10_000;

/**
 * Account reads for one provider process: a short-lived cache, coalescing, and tenant read-ahead.
 *
 * The cache holds one promise per account (DataLoader's `cacheMap`): a read in flight is shared
 * by every caller of the same id, and an answer (single, batch or listing) serves later reads
 * until it is `cacheTtlMs` old, counted from when it was asked for. An entry is dropped when the
 * account is written (`forget`, once the write is over), when its read failed, and when it
 * expires; a listing page asked for before that never brings the written account back.
 * Writes need no extra read: the PUT carries the version read, so a stale entry ends in a 409,
 * and the re-read after it goes to the platform.
 */
export class UserReads<T extends { id: string }> {
  private readonly entries: LRUCache<string, Promise<T>>;
  private readonly tenants: LRUCache<string, TenantListing>;
  private readonly pagesInFlight = new Map<string, Promise<void>>();
  private readonly loader: DataLoader<string, T>;
  private readonly dispatch: Dispatch;
  private readonly keep: boolean;
  private readonly readAhead: boolean;
  /** Counts writes; `writtenAt` holds each written account's count at its last write. */
  private writes = 0;
  private readonly writtenAt = new Map<string, number>();

  constructor(
    private readonly source: UserSource<T>,
    options: UserReadsOptions,
  ) {
    this.keep = options.cacheTtlMs > 0;
    this.dispatch = new Dispatch(options.slots);
    this.readAhead = options.readAhead && options.batch && this.keep;
    const perf = options.now ? { now: options.now } : undefined;
    const aging = this.keep
      ? { ttl: options.cacheTtlMs, ttlResolution: 0, ...(perf ? { perf } : {}) }
      : {};
    this.entries = new LRUCache({ max: MAX_ENTRIES, ...aging });
    // A tenant's counts start over once its oldest answers have expired.
    this.tenants = new LRUCache({ max: MAX_TENANTS, ...aging, noUpdateTTL: true });
    this.loader = new DataLoader<string, T>(
      (ids) => this.dispatch.run(() => this.readBatch(ids)),
      options.batch
        ? {
            cacheMap: this.entries,
            maxBatchSize: MAX_BATCH,
            batchScheduleFn: this.dispatch.schedule,
          }
        : { cacheMap: this.entries, batch: false },
    );
  }

  /** The account `id`; `tenantId` is where its stored outputs say it lives, when known. */
  get(id: string, tenantId?: string): Promise<T> {
    const listing = this.readAhead && tenantId ? this.listing(tenantId) : undefined;
    const cached = this.entries.get(id);
    if (cached !== undefined) {
      if (listing) listing.hits++;
      return cached;
    }
    return listing && tenantId ? this.missInTenant(id, tenantId, listing) : this.load(id);
  }

  /** Drops what is known of `id`, and what listings asked for before now say of it: a write. */
  forget(id: string): void {
    this.writes++;
    this.writtenAt.set(id, this.writes);
    this.loader.clear(id);
  }

  /** Drops everything (a new configuration). */
  clear(): void {
    this.loader.clearAll();
    this.tenants.clear();
  }

  private listing(tenantId: string): TenantListing {
    let listing = this.tenants.get(tenantId);
    if (listing === undefined) {
      listing = newListing();
      this.tenants.set(tenantId, listing);
    }
    return listing;
  }

  private async missInTenant(id: string, tenantId: string, listing: TenantListing): Promise<T> {
    listing.misses++;
    const asked = this.nextPage(tenantId, listing);
    const page = this.pagesInFlight.get(tenantId);
    if (page !== undefined && waitsForPage(listing, asked)) {
      await page;
      const found = this.entries.get(id);
      if (found !== undefined) {
        listing.hits++;
        return found;
      }
    }
    return this.load(id);
  }

  /** Asks for the tenant's next page when the policy allows it; true if it did. */
  private nextPage(tenantId: string, listing: TenantListing): boolean {
    if (!mayFetchPage(listing)) return false;
    const limit = pageLimit(listing);
    Object.assign(listing, pageAsked(listing));
    const askedAt = this.writes;
    const page = this.source.page(tenantId, listing.cursor, limit).then(
      (landed) => {
        for (const user of landed.users) this.remember(user, askedAt);
        Object.assign(listing, pageLanded(listing, landed.cursor));
      },
      () => {
        // 403/404 (the client may not list this tenant) or any other failure: read-ahead is an
        // optimisation, so the tenant's reads go one by one, and they report their own errors.
        Object.assign(listing, pageFailed(listing));
      },
    );
    this.pagesInFlight.set(tenantId, page);
    void page.then(() => {
      if (this.pagesInFlight.get(tenantId) === page) this.pagesInFlight.delete(tenantId);
      // Writes matter only to pages asked for before them and still on their way.
      if (this.pagesInFlight.size === 0) this.writtenAt.clear();
      this.nextPage(tenantId, listing);
    });
    return true;
  }

  /** Caches a listed user, unless it was written since the listing was asked for. */
  private remember(user: T, askedAt: number): void {
    if ((this.writtenAt.get(user.id) ?? 0) > askedAt) return;
    this.loader.prime(user.id, user);
  }

  private load(id: string): Promise<T> {
    // A read that waited for a page may find another read of the same id already on its way.
    const cached = this.entries.get(id);
    if (cached !== undefined) return cached;
    const read = this.loader.load(id);
    const drop = () => {
      if (this.entries.peek(id) === read) this.entries.delete(id);
    };
    read.then(() => {
      if (!this.keep) drop();
    }, drop);
    return read;
  }

  /** One batch request; ids it does not return are read on their own (their own 404/403). */
  private async readBatch(ids: readonly string[]): Promise<(T | Error)[]> {
    let found = new Map<string, T>();
    if (ids.length > 1) {
      try {
        found = await this.source.many(ids);
      } catch (e) {
        // batch-failure.ts: a 4xx about an id is answered per id; 401, 429 and the rest fail
        // every read of the batch rather than sending up to 100 more requests.
        if (batchFailure(e) === "fail-all") return ids.map(() => asError(e));
      }
    }
    return Promise.all(
      ids.map((id) => found.get(id) ?? this.source.one(id).catch((e: unknown) => asError(e))),
    );
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
