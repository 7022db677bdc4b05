import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_SPARE_CLIENT_ID,
  DEMO_SPARE_CLIENT_SECRET,
  type RunningEmulator,
  startEmulator,
  TENANTS,
  USERS,
} from "../../emulator";
import { contractMain } from "../contract";
import { runContract } from "./suite";
import { ContractRefusal, type ContractTarget, targetFromEnv } from "./target";

/**
 * The contract suite against the emulator, as `npm run contract` runs it against a datacenter:
 * the same code, here with the emulator's control surface as the mailbox.
 */

let emu: RunningEmulator;
let target: ContractTarget;

beforeAll(async () => {
  emu = await startEmulator();
  target = {
    baseUrl: emu.baseUrl,
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    tenantId: TENANTS.alpha,
    spare: { clientId: DEMO_SPARE_CLIENT_ID, clientSecret: DEMO_SPARE_CLIENT_SECRET },
    mailbox: emu.control.rootUrl,
  };
});

afterAll(async () => {
  await emu.close();
});

beforeEach(async () => {
  await emu.control.reset();
});

const envOf = (t: ContractTarget, extra: Record<string, string> = {}) => ({
  ACRONIS_BASE_URL: t.baseUrl,
  ACRONIS_CLIENT_ID: t.clientId,
  ACRONIS_CLIENT_SECRET: t.clientSecret,
  ACRONIS_CONTRACT_TENANT_ID: t.tenantId,
  ...extra,
});

describe("the contract suite against the emulator", () => {
  it("holds every documented behaviour and every guess, and leaves no account behind", async () => {
    const seeded = () => Promise.all(Object.values(USERS).map((id) => emu.control.getUser(id)));
    const before = await seeded();
    const rows = await runContract(target);
    expect(rows.filter((r) => r.outcome !== "held")).toEqual([]);
    expect(rows.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        "token: client credentials -> bearer token",
        "PUT with a stale version: 409, code 1001",
        "PUT email of an activated account: unchanged, no pending field, until confirmed",
        "subtree listing: pages of `limit`, followed by the `after` cursor",
        "a disabled API client's token: 401",
        "clean-up: every account the run created is deleted",
      ]),
    );
    // Only the run's own accounts were written: every other account is as it was.
    expect(await seeded()).toEqual(before);
    const mailed = (await emu.control.outbox()).map((m) => m.to);
    expect(mailed.length).toBeGreaterThan(0);
    expect(mailed.every((to) => to.startsWith("contract-"))).toBe(true);
  });

  it("says what needs a human, and skips the client row, with the environment alone", async () => {
    const lines: string[] = [];
    const code = await contractMain(envOf(target), (t) => lines.push(t));
    const text = lines.join("");
    expect(code).toBe(0);
    expect(text).toMatch(
      /activate: the mailed link opened activates the account\s+\| needs a human/,
    );
    expect(text).toMatch(/a disabled API client's token: 401\s+\| skipped/);
    expect(text).not.toMatch(/\| differs/);
  });

  it("marks a behaviour the target breaks as differs, with the platform's answer", async () => {
    await emu.control.faults({
      method: "GET",
      path: "^/api/2/search",
      always: true,
      action: { type: "status", status: 404 },
    });
    const rows = await runContract(target);
    const search = rows.find((r) => r.name.startsWith("search by login"));
    expect(search).toMatchObject({
      outcome: "differs",
      platform: expect.stringMatching(/^HTTP 404/),
    });
  });
});

describe("refusals", () => {
  it("refuses to run without a dedicated test tenant, before any request", async () => {
    const { ACRONIS_CONTRACT_TENANT_ID: _, ...noTenant } = envOf(target);
    expect(() => targetFromEnv(noTenant)).toThrow(ContractRefusal);
    const lines: string[] = [];
    await emu.control.resetRequests();
    expect(await contractMain(noTenant, (t) => lines.push(t))).toBe(2);
    expect(lines.join("")).toMatch(/refusing to run: ACRONIS_CONTRACT_TENANT_ID is not set/);
    expect((await emu.control.requests()).total).toBe(0);
  });

  it("refuses a tenant id that is no UUID, and a spare client that is its own client", () => {
    expect(() => targetFromEnv(envOf({ ...target, tenantId: "alpha" }))).toThrow(/no UUID/);
    const self = { ACRONIS_CONTRACT_SPARE_CLIENT_ID: DEMO_CLIENT_ID };
    expect(() => targetFromEnv(envOf(target, self))).toThrow(/disable itself/);
  });
});
