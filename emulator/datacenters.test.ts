import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATACENTERS, type RunningDatacenters, startDatacenters } from "./datacenters";
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  TENANTS,
  US5_CLIENT_ID,
  US5_CLIENT_SECRET,
  US5_TENANTS,
  US5_USERS,
  USERS,
  us5Seed,
} from "./demo-seeds";
import { parseSeed } from "./seed";
import { api, basic, getToken, request } from "./test-helpers";

let platform: RunningDatacenters<keyof typeof DATACENTERS>;

beforeAll(async () => {
  platform = await startDatacenters();
});
afterAll(async () => {
  await platform?.close();
});

describe("two datacenters", () => {
  it("us5Seed shares no tenant, client, account or login with the default seed", () => {
    const eu2 = parseSeed(DATACENTERS.eu2.seed);
    const us5 = parseSeed(us5Seed);
    const ids = (s: typeof eu2) => [
      ...s.tenants.map((t) => t.id),
      ...s.clients.map((c) => c.client_id),
      ...s.users.map((u) => u.id),
      ...s.users.map((u) => u.login),
    ];
    expect(ids(us5).filter((id) => ids(eu2).includes(id))).toEqual([]);
    expect(us5.clients.map((c) => c.client_id)).toEqual([US5_CLIENT_ID]);
  });

  it("serve two base URLs, each with its own client and accounts", async () => {
    const { eu2, us5 } = platform.datacenters;
    expect(eu2.baseUrl).not.toBe(us5.baseUrl);
    expect((await request(`${eu2.url}/_emulator/`)).body.clientId).toBe(DEMO_CLIENT_ID);
    expect((await request(`${us5.url}/_emulator/`)).body.clientId).toBe(US5_CLIENT_ID);

    const usToken = await getToken(us5.baseUrl, US5_CLIENT_ID, US5_CLIENT_SECRET);
    expect((await api(us5.baseUrl, usToken, "GET", `/users/${US5_USERS.grace}`)).body.login).toBe(
      "grace",
    );
    // An account of the other datacenter does not exist here.
    expect((await api(us5.baseUrl, usToken, "GET", `/users/${USERS.alice}`)).status).toBe(404);
    // Outside the client's subtree.
    expect((await api(us5.baseUrl, usToken, "GET", `/users/${US5_USERS.oscar}`)).status).toBe(403);

    const euToken = await getToken(eu2.baseUrl);
    expect((await api(eu2.baseUrl, euToken, "GET", `/users/${US5_USERS.grace}`)).status).toBe(404);
    const search = await api(
      eu2.baseUrl,
      euToken,
      "GET",
      `/search?tenant=${TENANTS.partner}&text=alice`,
    );
    expect(search.status).toBe(200);
  });

  it("a client logs in only at its own datacenter", async () => {
    const { eu2, us5 } = platform.datacenters;
    const login = (baseUrl: string, id: string, secret: string) =>
      request(`${baseUrl}/idp/token`, {
        method: "POST",
        headers: {
          authorization: basic(id, secret),
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "grant_type=client_credentials",
      });
    expect((await login(us5.baseUrl, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)).status).toBe(401);
    expect((await login(eu2.baseUrl, US5_CLIENT_ID, US5_CLIENT_SECRET)).status).toBe(401);
    // The tenant of one is unknown to the other's client as well.
    const usToken = await getToken(us5.baseUrl, US5_CLIENT_ID, US5_CLIENT_SECRET);
    const foreign = await api(
      us5.baseUrl,
      usToken,
      "GET",
      `/search?tenant=${TENANTS.alpha}&text=alice`,
    );
    expect(foreign.status).toBeGreaterThanOrEqual(400);
    const own = await api(
      us5.baseUrl,
      usToken,
      "GET",
      `/search?tenant=${US5_TENANTS.gamma}&text=grace`,
    );
    expect(own.body.items.map((i: { id: string }) => i.id)).toEqual([US5_USERS.grace]);
  });

  it("listen on consecutive ports when given a first port, and close together", async () => {
    const free = await startDatacenters(DATACENTERS, { port: 0 });
    const base = free.datacenters.eu2.port;
    await free.close();
    const fixed = await startDatacenters(DATACENTERS, { port: base });
    try {
      expect(fixed.datacenters.eu2.port).toBe(base);
      expect(fixed.datacenters.us5.port).toBe(base + 1);
    } finally {
      await fixed.close();
    }
    await expect(fetch(`${fixed.datacenters.us5.url}/_emulator/`)).rejects.toThrow();
  });
});
