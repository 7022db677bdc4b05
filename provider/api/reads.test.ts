import { describe, expect, it } from "vitest";
import { AcronisApiError } from "./errors";
import { type UserPage, UserReads, type UserReadsOptions, type UserSource } from "./reads";

/**
 * The read path's policies, on a fake platform whose every request is logged and answered when
 * the test says so: when a batch goes out, when a tenant is read ahead and how far, what the
 * cache answers and when it forgets. Nothing here depends on timing: `settled()` waits until
 * every promise job queued has run, and the clock entries age by is a variable.
 */

interface User {
  id: string;
  tenant: string;
}

function notFound(path: string, status = 404): AcronisApiError {
  return new AcronisApiError({
    kind: "http",
    method: "GET",
    path,
    status,
    detail: `HTTP ${status}`,
  });
}

/** Runs every queued promise job and nextTick (DataLoader and Dispatch schedule with both). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

class FakePlatform implements UserSource<User> {
  readonly log: string[] = [];
  private readonly users = new Map<string, User>();
  private readonly tenants = new Map<string, string[]>();
  private readonly held: (() => void)[] = [];
  /** Tenants the caller may not list (403). */
  readonly forbidden = new Set<string>();
  /** Accounts that answer 404; any other id exists (in no tenant, unless `tenant` made it). */
  readonly gone = new Set<string>();

  constructor(
    /** "auto": each request is answered on the next turn of the event loop; "manual": on answer(). */
    private readonly mode: "auto" | "manual",
    private readonly pageSize = 2000,
  ) {}

  /** `count` users in tenant `tenant`, ids `<tenant>-u<i>`. */
  tenant(tenant: string, count: number): string[] {
    const ids = Array.from({ length: count }, (_, i) => `${tenant}-u${i + 1}`);
    for (const id of ids) this.users.set(id, { id, tenant });
    this.tenants.set(tenant, ids);
    return ids;
  }

  private find(id: string): User | undefined {
    return this.gone.has(id) ? undefined : (this.users.get(id) ?? { id, tenant: "none" });
  }

  /** Answers every request made so far (manual mode), then lets their callers run. */
  async answer(): Promise<void> {
    await settled();
    for (const release of this.held.splice(0)) release();
    await settled();
    await settled();
  }

  get requests(): number {
    return this.log.length;
  }

  count(kind: "one" | "many" | "page"): number {
    return this.log.filter((l) => l.startsWith(kind)).length;
  }

  one(id: string): Promise<User> {
    this.log.push(`one ${id}`);
    return this.reply(() => {
      const user = this.find(id);
      if (user === undefined) throw notFound(`/users/${id}`);
      return user;
    });
  }

  /** When set, every batch request fails with it. */
  failMany: Error | undefined;

  many(ids: readonly string[]): Promise<Map<string, User>> {
    this.log.push(`many ${ids.join(",")}`);
    return this.reply(() => {
      if (this.failMany !== undefined) throw this.failMany;
      const found = new Map<string, User>();
      for (const id of ids) {
        const user = this.find(id);
        if (user !== undefined) found.set(id, user);
      }
      return found;
    });
  }

  page(
    tenant: string,
    cursor: string | undefined,
    limit: number | undefined,
  ): Promise<UserPage<User>> {
    const size = limit ?? this.pageSize;
    this.log.push(`page ${tenant}${cursor === undefined ? "" : ` after ${cursor}`} (${size})`);
    return this.reply(() => {
      if (this.forbidden.has(tenant)) throw notFound("/users", 403);
      const all = (this.tenants.get(tenant) ?? []).filter((id) => !this.gone.has(id));
      const from = cursor === undefined ? 0 : Number(cursor);
      const users = all.slice(from, from + size).map((id) => this.find(id) as User);
      const next = from + size < all.length ? String(from + size) : undefined;
      return { users, cursor: next };
    });
  }

  private reply<T>(answer: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const release = () => {
        try {
          resolve(answer());
        } catch (e) {
          reject(e);
        }
      };
      if (this.mode === "auto") setImmediate(release);
      else this.held.push(release);
    });
  }
}

const DEFAULTS: UserReadsOptions = { batch: true, slots: 1, readAhead: true, cacheTtlMs: 60_000 };

function reads(platform: FakePlatform, options: Partial<UserReadsOptions> = {}) {
  return new UserReads<User>(platform, { ...DEFAULTS, ...options });
}

/** Reads each account after the previous one was answered, as the engine's serial Diffs do. */
async function serially(r: UserReads<User>, accounts: { id: string; tenant: string }[]) {
  for (const a of accounts) expect((await r.get(a.id, a.tenant)).id).toBe(a.id);
}

const accountsOf = (tenant: string, ids: string[]) => ids.map((id) => ({ id, tenant }));

describe("dispatch: a read goes out at once while a request slot is free; the rest pile up", () => {
  it("a lone read is sent before anything else happens", async () => {
    const platform = new FakePlatform("manual");
    const r = reads(platform);
    const a = r.get("a");
    await settled();
    expect(platform.log).toEqual(["one a"]);
    await platform.answer();
    expect((await a).id).toBe("a");
  });

  it.each([
    {
      name: "serial reads: each alone, each at once",
      slots: 1,
      steps: [["a"], "answer", ["b"], "answer", ["c"], "answer"],
      log: ["one a", "one b", "one c"],
    },
    {
      name: "reads in one turn share a request",
      slots: 1,
      steps: [["a", "b", "c"], "answer"],
      log: ["many a,b,c"],
    },
    {
      name: "reads arriving while the slot is taken wait for it, then go together",
      slots: 1,
      steps: [["a"], ["b", "c"], ["d"], "answer", "answer"],
      log: ["one a", "many b,c,d"],
    },
    {
      name: "the pile goes out when a request comes back, not later",
      slots: 1,
      steps: [["a"], ["b"], "answer", ["c"], "answer", "answer"],
      log: ["one a", "one b", "one c"],
    },
    {
      name: "with two slots, the second read goes at once and the third waits",
      slots: 2,
      steps: [["a"], ["b"], ["c"], ["d"], "answer", "answer"],
      log: ["one a", "one b", "many c,d"],
    },
    {
      name: "identical ids share one request",
      slots: 1,
      steps: [["a", "a", "b", "a"], "answer"],
      log: ["many a,b"],
    },
  ])("$name", async ({ slots, steps, log }) => {
    const platform = new FakePlatform("manual");
    const r = reads(platform, { slots });
    const all: Promise<User>[] = [];
    for (const step of steps) {
      if (step === "answer") await platform.answer();
      else {
        for (const id of step) all.push(r.get(id));
        await settled();
      }
    }
    await Promise.all(all);
    expect(platform.log).toEqual(log);
  });

  it("250 reads arriving while one is out go in batches of at most 100", async () => {
    const platform = new FakePlatform("manual");
    const r = reads(platform);
    const first = r.get("first");
    await settled();
    const rest = Array.from({ length: 250 }, (_, i) => r.get(`id${i}`));
    await settled();
    expect(platform.log).toEqual(["one first"]);
    await platform.answer();
    await platform.answer();
    await Promise.all([first, ...rest]);
    expect(platform.log.slice(1).map((l) => l.split(",").length)).toEqual([100, 100, 50]);
  });

  it("batch false: every read is its own GET, sent at once even with no slot free", async () => {
    const platform = new FakePlatform("manual");
    const r = reads(platform, { batch: false });
    const all = [r.get("a")];
    await settled();
    all.push(r.get("b"), r.get("c"));
    await settled();
    expect(platform.log).toEqual(["one a", "one b", "one c"]);
    await platform.answer();
    await Promise.all(all);
  });

  it("an id a batch does not return is read on its own; its 404 reaches only its caller", async () => {
    const platform = new FakePlatform("auto");
    platform.gone.add("gone");
    const r = reads(platform);
    const [a, gone] = await Promise.allSettled([r.get("a"), r.get("gone")]);
    expect(a.status).toBe("fulfilled");
    expect((gone as PromiseRejectedResult).reason).toMatchObject({ status: 404 });
    expect(platform.log).toEqual(["many a,gone", "one gone"]);
  });
});

describe("read-ahead: what each shape of stack costs, read by read as the engine's Diffs arrive", () => {
  it.each([
    // 10 tenants x 100 users, all managed: per tenant the first read, the second (which asks for
    // the tenant's page and does not wait for it), and that page.
    { shape: "dense", tenants: 10, users: 100, managed: 100, requests: 30, pages: 10 },
    // The only managed account of its tenant: one GET each, never a listing.
    { shape: "sparse", tenants: 40, users: 500, managed: 1, requests: 40, pages: 0 },
    // Two of 1,000: the second read asks for a page, which answers nothing more.
    { shape: "pairs", tenants: 20, users: 1000, managed: 2, requests: 60, pages: 20 },
    // Three of 50,000: one page of 100 users (the probe), never the 25 pages of the tenant.
    { shape: "huge", tenants: 1, users: 50_000, managed: 3, requests: 4, pages: 1 },
  ])("$shape: $requests requests, $pages of them pages", async (c) => {
    const platform = new FakePlatform("auto");
    const accounts: { id: string; tenant: string }[] = [];
    for (let t = 1; t <= c.tenants; t++) {
      const ids = platform.tenant(`t${t}`, c.users);
      // Spread over the tenant, so the huge shape's accounts are not all in its first page.
      const step = Math.floor(c.users / c.managed);
      const managed = Array.from({ length: c.managed }, (_, i) => ids[i * step] as string);
      accounts.push(...accountsOf(`t${t}`, managed));
    }
    const r = reads(platform);
    await serially(r, accounts);
    expect(platform.requests).toBe(c.requests);
    expect(platform.count("page")).toBe(c.pages);
  });

  it("a tenant larger than a page is read further only as pages answer reads", async () => {
    const platform = new FakePlatform("auto", 100);
    const ids = platform.tenant("t", 1000);
    const r = reads(platform);
    // Every account, in listing order. The first page is asked for by the second read; each
    // further one by the first read its predecessor cannot answer, once pages have answered
    // reads: 10 pages of 100, and 11 reads on their own (u1, u2, u101, u201, ..., u901).
    await serially(r, accountsOf("t", ids));
    expect(platform.count("page")).toBe(10);
    expect(platform.count("one")).toBe(11);
  });

  it("a read waits for its tenant's first page in flight, not for a later one", async () => {
    const platform = new FakePlatform("manual", 100);
    const ids = platform.tenant("t", 300);
    const r = reads(platform);
    const get = (n: number) => r.get(ids[n - 1] as string, "t");
    const first = get(300);
    await platform.answer();
    await first;
    const second = get(299); // asks for the first page (a probe of 100), and is read on its own
    await settled();
    expect(platform.log).toEqual(["one t-u300", "page t (100)", "one t-u299"]);
    const third = get(1); // in the first page, which is on its way: waits for it
    await settled();
    expect(platform.log).toHaveLength(3);
    await platform.answer();
    await Promise.all([second, third]);
    expect(platform.log).toHaveLength(3);
    // The first page answered a read: the next read it cannot answer asks for the second page.
    const fourth = get(298);
    await settled();
    expect(platform.log.slice(3)).toEqual(["page t after 100 (100)", "one t-u298"]);
    // The tenant is known larger than a page: a read no longer waits for a page, even one that
    // holds its account (it waits only for the read in flight, and then goes out on its own).
    const fifth = get(150);
    await platform.answer();
    await platform.answer();
    await Promise.all([fourth, fifth]);
    expect(platform.log.slice(5)).toEqual(["one t-u150"]);
  });

  it("an account the listing does not hold is read on its own, with the platform's own answer", async () => {
    const platform = new FakePlatform("auto");
    const ids = platform.tenant("t", 10);
    const r = reads(platform);
    await serially(r, accountsOf("t", ids.slice(0, 3)));
    expect(platform.log).toEqual(["one t-u1", "page t (100)", "one t-u2"]);
    // Listed in full; an account of another tenant, or one that is gone, still gets its own GET.
    platform.tenant("elsewhere", 1);
    platform.gone.add("gone");
    expect((await r.get("elsewhere-u1", "t")).id).toBe("elsewhere-u1");
    await expect(r.get("gone", "t")).rejects.toMatchObject({ status: 404 });
    expect(platform.log.slice(3)).toEqual(["one elsewhere-u1", "one gone"]);
  });

  it("a 403 on the listing: the tenant's reads go one by one, silently, and no page is asked again", async () => {
    const platform = new FakePlatform("auto");
    const ids = platform.tenant("t", 10);
    platform.forbidden.add("t");
    const r = reads(platform);
    await serially(r, accountsOf("t", ids));
    expect(platform.count("page")).toBe(1);
    expect(platform.count("one")).toBe(10);
  });

  it.each([
    { name: "readAhead off", options: { readAhead: false } },
    { name: "batch off (one request per read)", options: { batch: false } },
    { name: "no cache to answer from", options: { cacheTtlMs: 0 } },
  ])("$name: no listing", async ({ options }) => {
    const platform = new FakePlatform("auto");
    const ids = platform.tenant("t", 10);
    const r = reads(platform, options);
    await serially(r, accountsOf("t", ids));
    expect(platform.log).toEqual(ids.map((id) => `one ${id}`));
  });

  it("reads without a tenant never start a listing", async () => {
    const platform = new FakePlatform("auto");
    const ids = platform.tenant("t", 10);
    const r = reads(platform);
    for (const id of ids) await r.get(id);
    expect(platform.count("page")).toBe(0);
  });
});

describe("cache: what a later read may be answered from", () => {
  function clocked(options: Partial<UserReadsOptions> = {}) {
    // lru-cache treats a start time of 0 as "no start": the clock starts later.
    const clock = { ms: 1_000_000 };
    const platform = new FakePlatform("auto");
    const ids = platform.tenant("t", 3);
    const r = reads(platform, { now: () => clock.ms, ...options });
    return { clock, platform, ids, r };
  }

  it.each([
    { age: 0, requests: 1 },
    { age: 59_999, requests: 1 },
    { age: 60_000, requests: 1 },
    { age: 60_001, requests: 2 },
    { age: 3_600_000, requests: 2 },
  ])("an answer asked for $age ms ago: $requests request(s) in all", async ({ age, requests }) => {
    const { clock, platform, ids, r } = clocked();
    await r.get(ids[0] as string);
    clock.ms += age;
    await r.get(ids[0] as string);
    expect(platform.requests).toBe(requests);
  });

  it("listed users expire like any answer, and the tenant's counts start over", async () => {
    const { clock, platform, ids, r } = clocked();
    await serially(r, accountsOf("t", ids));
    expect(platform.log).toEqual(["one t-u1", "page t (100)", "one t-u2"]);
    clock.ms += 60_001;
    await serially(r, accountsOf("t", ids));
    expect(platform.log.slice(3)).toEqual(["one t-u1", "page t (100)", "one t-u2"]);
  });

  it("forget (a write) drops the entry: the next read goes to the platform", async () => {
    const { platform, ids, r } = clocked();
    const id = ids[0] as string;
    await r.get(id);
    await r.get(id);
    r.forget(id);
    await r.get(id);
    expect(platform.log).toEqual([`one ${id}`, `one ${id}`]);
  });

  it("a read in flight when the account is written is not shared with reads after the write", async () => {
    const platform = new FakePlatform("manual");
    platform.tenant("t", 1);
    const r = reads(platform);
    const before = r.get("t-u1");
    await settled();
    r.forget("t-u1");
    const after = r.get("t-u1");
    await settled();
    expect(platform.log).toEqual(["one t-u1"]); // the second waits for the first to come back
    await platform.answer();
    await platform.answer();
    await Promise.all([before, after]);
    expect(platform.log).toEqual(["one t-u1", "one t-u1"]);
  });

  it("a page asked for before a write does not bring the written account back", async () => {
    const platform = new FakePlatform("manual");
    const ids = platform.tenant("t", 3);
    const r = reads(platform);
    const [a, b, c] = ids as [string, string, string];
    const first = r.get(a, "t");
    await platform.answer();
    await first;
    const second = r.get(b, "t"); // asks for the page
    await settled();
    expect(platform.log).toEqual([`one ${a}`, "page t (100)", `one ${b}`]);
    r.forget(c); // c is written while the page is on its way
    await platform.answer();
    await second;
    await r.get(a, "t"); // listed: answered from the page
    const third = r.get(c, "t"); // written after the page was asked for: read again
    await platform.answer();
    await third;
    expect(platform.log.slice(3)).toEqual([`one ${c}`]);
  });

  it("a failed read is not kept: the next read of the account asks again", async () => {
    const { platform, r } = clocked();
    platform.gone.add("later");
    await expect(r.get("later")).rejects.toMatchObject({ status: 404 });
    await expect(r.get("later")).rejects.toMatchObject({ status: 404 });
    expect(platform.log).toEqual(["one later", "one later"]);
  });

  it("cacheTtlMs 0: reads in flight are shared, answers are not kept", async () => {
    const platform = new FakePlatform("manual");
    platform.tenant("t", 1);
    const r = reads(platform, { cacheTtlMs: 0 });
    const both = [r.get("t-u1"), r.get("t-u1")];
    await platform.answer();
    await Promise.all(both);
    const again = r.get("t-u1");
    await platform.answer();
    await again;
    expect(platform.log).toEqual(["one t-u1", "one t-u1"]);
  });
});

describe("a failed batch request", () => {
  const batchError = (kind: "http" | "network", status?: number) =>
    new AcronisApiError({
      kind,
      method: "GET",
      path: "/users",
      status,
      detail: status === undefined ? "network error" : `HTTP ${status}`,
    });

  /** Three reads in one turn: one batch; "gone" answers 404 on its own. */
  async function readThree(platform: FakePlatform) {
    platform.gone.add("gone");
    const r = reads(platform);
    const results = ["a", "gone", "c"].map((id) =>
      r.get(id).then(
        (u) => u.id,
        (e: unknown) => e,
      ),
    );
    return Promise.all(results);
  }

  it.each([400, 403, 404])(
    "a %i on the batch is answered per id: each read on its own, its own 404 to its caller",
    async (status) => {
      const platform = new FakePlatform("auto");
      platform.failMany = batchError("http", status);
      const [a, gone, c] = await readThree(platform);
      expect(platform.log).toEqual(["many a,gone,c", "one a", "one gone", "one c"]);
      expect([a, c]).toEqual(["a", "c"]);
      expect(gone).toBeInstanceOf(AcronisApiError);
      expect((gone as AcronisApiError).status).toBe(404);
    },
  );

  it.each([
    ["a 429 (throttling, after the client's retries)", batchError("http", 429)],
    ["a 401 (the token refused)", batchError("http", 401)],
    ["a 500", batchError("http", 500)],
    ["a 5xx (after the client's retries)", batchError("http", 503)],
    ["a network error", batchError("network")],
    ["a response that fails its schema", new Error("response did not match the schema")],
  ])("%s fails every read of the batch, with no per-id reads", async (_what, error) => {
    const platform = new FakePlatform("auto");
    platform.failMany = error;
    const results = await readThree(platform);
    expect(platform.log).toEqual(["many a,gone,c"]);
    expect(results).toEqual([error, error, error]);
  });

  it("a failed batch is not cached: the next read asks again", async () => {
    const platform = new FakePlatform("auto");
    platform.failMany = batchError("http", 503);
    const r = reads(platform);
    await Promise.allSettled([r.get("a"), r.get("b")]);
    platform.failMany = undefined;
    expect((await r.get("a")).id).toBe("a");
    expect(platform.log).toEqual(["many a,b", "one a"]);
  });
});
