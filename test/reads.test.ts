import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  generatedUserId,
  generateSeed,
  startEmulator,
} from "../emulator";
import {
  GET_USERS as LISTING,
  GET_USER as ONE,
  PUT_USER as PUT,
  USER_PATH,
} from "../emulator/request-keys";
import {
  AcronisClient,
  type AcronisClientOptions,
  isVersionMismatch,
  OutcomeUnknownError,
} from "../provider/api";
import { READ_CACHE_TTL_MS } from "../provider/settings/settings";
import { recordIssuedTokens } from "./support/stack";

/**
 * The API client's reads against the emulator over real HTTP: tenant listings as the platform
 * pages them, and what a write does to what the client knows. Counted by the emulator.
 */

const TENANT = "31000000-0000-4000-8000-000000000001";

// 2,500 users in one tenant: a listing of three pages (a probe of 100, then the platform's 2,000).
const USERS = 2_500;
let emulator: Awaited<ReturnType<typeof startEmulator>>;
const clients: AcronisClient[] = [];

beforeAll(async () => {
  emulator = await startEmulator({
    seed: generateSeed({ users: USERS, usersPerTenant: USERS, activatedRatio: 0 }),
  });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await emulator.control.reset();
});
afterAll(async () => {
  recordIssuedTokens(emulator);
  await emulator?.close();
});

/** A client configured as the provider configures it (settings/settings.ts), read-ahead on. */
function client(options: Partial<AcronisClientOptions> = {}): AcronisClient {
  const c = new AcronisClient({
    baseUrl: emulator.baseUrl,
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    readAhead: true,
    readCacheTtlMs: READ_CACHE_TTL_MS,
    retry: { maxAttempts: 1 },
    ...options,
  });
  clients.push(c);
  return c;
}

async function counts() {
  const { counts } = await emulator.control.requests();
  return { listing: counts[LISTING] ?? 0, one: counts[ONE] ?? 0, put: counts[PUT] ?? 0 };
}

describe("tenant listing over HTTP", () => {
  it("reads a tenant page by page with the platform's cursor, and answers reads from it", async () => {
    const c = client();
    await emulator.control.resetRequests();
    // Every account of the tenant, one after another, in the platform's order.
    for (let i = 1; i <= USERS; i++) {
      const user = await c.getUser(generatedUserId(i), { tenantId: TENANT });
      expect(user).toMatchObject({ id: generatedUserId(i), tenantId: TENANT });
      expect(user.email).toBe(`user${i}@bench.example`);
    }
    // The first page (a probe of 100 users) on the second read; the next, by its `after`
    // cursor, at the platform's default size (2,000) on the first read the probe could not
    // answer (account 101), and the last (400) on account 2101. Reads on their own: those three,
    // the first, and any that came while a page after the probe was on its way (a tenant larger
    // than a page makes no read wait): a handful, where a listing that lost its place would
    // leave hundreds.
    const { listing, one } = await counts();
    expect(listing).toBe(3);
    expect(one).toBeGreaterThanOrEqual(4);
    expect(one).toBeLessThanOrEqual(20);
  });

  it("a listed account removed from the platform since is read on its own: the platform's 404", async () => {
    const c = client();
    await c.getUser(generatedUserId(1), { tenantId: TENANT });
    await c.getUser(generatedUserId(2), { tenantId: TENANT }); // asks for the first page
    await c.getUser(generatedUserId(3), { tenantId: TENANT }); // answered by it
    await emulator.control.deleteUser(generatedUserId(2500)); // not in the first page
    await emulator.control.resetRequests();
    await expect(c.getUser(generatedUserId(2500), { tenantId: TENANT })).rejects.toMatchObject({
      status: 404,
    });
    expect((await counts()).one).toBe(1);
  });

  it("a tenant the API client may not list (403): reads go one by one, with no error of their own", async () => {
    const c = client();
    // The accounts' outputs name a tenant outside the client's subtree: the listing answers
    // 403, and the accounts (which are in reach) are still read.
    const elsewhere = "10000000-0000-4000-8000-000000000099";
    await emulator.control.resetRequests();
    for (let i = 1; i <= 5; i++) {
      expect((await c.getUser(generatedUserId(i), { tenantId: elsewhere })).id).toBe(
        generatedUserId(i),
      );
    }
    expect(await counts()).toEqual({ listing: 1, one: 5, put: 0 });
  });
});

describe("writes and what the client knows", () => {
  // Without a tenant hint: no listing, so every request counted here is the write rule's.
  it("a PUT with a version older than the platform's: 409, and the re-read goes to the platform", async () => {
    const c = client();
    const id = generatedUserId(1);
    const read = await c.getUser(id);
    // Another writer moves the account on after our read.
    await emulator.control.patchUser(id, { firstname: "Changed elsewhere" });
    expect((await c.getUser(id)).version).toBe(read.version); // cached
    await emulator.control.resetRequests();
    const conflict = await c.updateUserEmail(id, "new@x.example", read.version).catch((e) => e);
    expect(isVersionMismatch(conflict)).toBe(true);
    const fresh = await c.getUser(id);
    expect(fresh.version).toBeGreaterThan(read.version);
    const written = await c.updateUserEmail(id, "new@x.example", fresh.version);
    expect(written.email).toBe("new@x.example");
    expect(await counts()).toEqual({ listing: 0, one: 1, put: 2 });
    // After a successful write the next read goes to the platform too.
    expect((await c.getUser(id)).email).toBe("new@x.example");
    expect((await counts()).one).toBe(2);
  });

  it("a PUT whose answer was lost: the next read goes to the platform", async () => {
    const c = client();
    const id = generatedUserId(2);
    const read = await c.getUser(id);
    await emulator.control.faults({
      method: "PUT",
      path: USER_PATH,
      action: { type: "lose-response" },
    });
    await emulator.control.resetRequests();
    const lost = await c.updateUserEmail(id, "lost@x.example", read.version).catch((e) => e);
    expect(lost).toBeInstanceOf(OutcomeUnknownError);
    // Applied although the answer was lost: only a read from the platform can tell.
    expect((await c.getUser(id)).email).toBe("lost@x.example");
    expect(await counts()).toEqual({ listing: 0, one: 1, put: 1 });
  });
});
