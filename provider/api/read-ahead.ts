/**
 * Tenant read-ahead, the decisions only (reads.ts does the I/O). Every account's stored outputs
 * name its tenant, so a read arrives knowing which tenant it belongs to. When a run keeps reading
 * accounts of one tenant, the tenant's users are read in bulk
 * (`GET /users?subtree_root_tenant_id=`, up to 2,000 per page) and later reads are answered from
 * what came back.
 *
 * The rule, per tenant and provider process:
 * - its first page is asked for on the second read the cache could not answer (a stack holding
 *   one account of a tenant never lists it). That page is a probe of 100 users, what a full
 *   `GET /users?uuids=` batch costs; pages after it are the platform's default (2,000): by then
 *   the probe has answered reads;
 * - a further page only while pages < misses - 1 and pages <= hits, where hits are reads of the
 *   tenant answered without a request. Every page beyond the first is paid for by a read that
 *   needed no request, so a tenant never costs more requests than one per read plus one page,
 *   and its pages hold at most 100 + 2,000 x hits users: 3 accounts of a 50,000-user tenant cost
 *   one page of 100 users;
 * - one page at a time, and the read that asked for a page does not wait for it (it is read on
 *   its own at once, so a tenant larger than a page costs no one a slower read);
 * - a later read waits for a page in flight only while the tenant is not known to be larger than
 *   a page: that first page will most likely hold it, and it is already on its way;
 * - an account the listing does not hold is read on its own: absence from a listing is not
 *   proof it is gone (it may sit in a page not read, or the listing may be incomplete). A 403 or
 *   404 on the listing (or any other failure) ends read-ahead for that tenant, silently: its
 *   reads go one by one, and those report their own errors.
 */

/** Users in a tenant's first page: a probe, as costly as one full batch read. */
export const FIRST_PAGE_USERS = 100;

export interface TenantListing {
  /** Reads of this tenant the cache could not answer. */
  misses: number;
  /** Reads of this tenant answered without a request of their own. */
  hits: number;
  /** Pages asked for, including one in flight. */
  pages: number;
  /** Cursor of the next page; undefined before the first page. */
  cursor: string | undefined;
  /** False once the last page came, or the listing failed. */
  more: boolean;
  /** A page came back with more to come: the tenant is larger than a page. */
  large: boolean;
  loading: boolean;
}

export function newListing(): TenantListing {
  return {
    misses: 0,
    hits: 0,
    pages: 0,
    cursor: undefined,
    more: true,
    large: false,
    loading: false,
  };
}

/** Whether to ask for the tenant's next page now. */
export function mayFetchPage(t: TenantListing): boolean {
  return t.more && !t.loading && t.pages < t.misses - 1 && t.pages <= t.hits;
}

/** How many users to ask for in the next page; undefined: the platform's default (2,000). */
export function pageLimit(t: TenantListing): number | undefined {
  return t.pages === 0 ? FIRST_PAGE_USERS : undefined;
}

/** Whether a read that missed the cache waits for the page in flight before reading on its own. */
export function waitsForPage(t: TenantListing, askedForIt: boolean): boolean {
  return t.loading && !t.large && !askedForIt;
}

/** The state once a page was asked for. */
export function pageAsked(t: TenantListing): TenantListing {
  return { ...t, pages: t.pages + 1, loading: true };
}

/** The state once a page came back; `cursor` points at the next one, if any. */
export function pageLanded(t: TenantListing, cursor: string | undefined): TenantListing {
  const more = cursor !== undefined;
  return { ...t, loading: false, cursor, more, large: t.large || more };
}

/** The state once a page failed: the tenant is read one account at a time from now on. */
export function pageFailed(t: TenantListing): TenantListing {
  return { ...t, loading: false, more: false };
}
