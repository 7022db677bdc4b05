import { describe, expect, it } from "vitest";
import { TENANTS, USERS } from "./demo-seeds";
import { expectError, MISSING } from "./scoped-platform";
import { api, demoPlatformForTests, request } from "./test-helpers";

/**
 * GET /tenants/{tenant_id}/users (FetchTenantUsers, as Acronis's own
 * tenants/navigate_through_tenants.py uses it): a bare list of the tenant's user ids, not paged.
 */

const p = demoPlatformForTests();
const get = (path: string) => api(p.emu.baseUrl, p.token, "GET", path);

describe("GET /tenants/{tenant_id}/users", () => {
  it("lists the ids of the tenant's own accounts, by name unless told otherwise", async () => {
    const r = await get(`/tenants/${TENANTS.alpha}/users`);
    expect(r.status).toBe(200);
    // Alice Anders, Bob Brown, Carol Chen: by first and last name (the spec's default `name`).
    expect(r.body).toEqual({ items: [USERS.alice, USERS.bob, USERS.carol] });
    const desc = await get(`/tenants/${TENANTS.alpha}/users?order=-login`);
    expect(desc.body.items).toEqual([USERS.carol, USERS.bob, USERS.alice]);
    // Only the tenant's own accounts: the partner's listing has none of its customers' users.
    expect((await get(`/tenants/${TENANTS.partner}/users`)).body.items).toEqual([
      USERS.partnerAdmin,
    ]);
  });

  it("leaves deleted accounts out unless allow_deleted=true", async () => {
    await p.emu.control.deleteUser(USERS.bob);
    expect((await get(`/tenants/${TENANTS.alpha}/users`)).body.items).toEqual([
      USERS.alice,
      USERS.carol,
    ]);
    expect((await get(`/tenants/${TENANTS.alpha}/users?allow_deleted=true`)).body.items).toContain(
      USERS.bob,
    );
  });

  it("answers only the spec's statuses: 401, 403 outside the subtree, 404 unknown or no UUID", async () => {
    const anonymous = await request(`${p.emu.baseUrl}/tenants/${TENANTS.alpha}/users`);
    expectError(anonymous, 401, 401);
    expectError(await get(`/tenants/${TENANTS.unrelated}/users`), 403, 1002, /outside/);
    expectError(await get(`/tenants/${MISSING}/users`), 404, 404);
    expectError(await get("/tenants/not-a-uuid/users"), 404, 404);
  });
});
