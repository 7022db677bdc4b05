import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, type Seed, TENANTS } from "../emulator";
import {
  PUT_USER as PUT,
  GET_USERS as READ_BATCH,
  GET_USER as READ_ONE,
  POST_TOKEN as TOKEN,
} from "../emulator/request-keys";
import { DEFAULT_PROVIDER_TYPE } from "../engine/default-provider";
import { countOps, Engine, failures, type Goal, type RunResult } from "../engine/engine";
import { stackForStories } from "./support/stack";

/**
 * What reads cost through the real provider host when the local engine schedules calls as Pulumi
 * does by default: Check and Diff one at a time, steps and refresh Reads on 8 workers, a fresh
 * host process per deployment, 20 ms added to every platform answer. Counted by the emulator, never
 * timed. One platform holds every shape of stack, each in tenants of its own:
 *
 *   dense   10 tenants x 100 users, every account managed
 *   sparse  40 tenants x 500 users, one managed account each
 *   pairs   20 tenants x 1,000 users, two managed accounts each
 *   huge    one tenant of 50,000 users, three managed accounts, none in its first page
 */

const LATENCY_MS = 20;
const WORKERS = 8;

type Shape = "dense" | "sparse" | "pairs" | "huge";

const SHAPES: Record<Shape, { tenants: number; users: number; managed: (i: number) => boolean }> = {
  dense: { tenants: 10, users: 100, managed: () => true },
  sparse: { tenants: 40, users: 500, managed: (i) => i === 250 },
  pairs: { tenants: 20, users: 1000, managed: (i) => i === 300 || i === 700 },
  huge: { tenants: 1, users: 50_000, managed: (i) => i % 15_000 === 0 && i > 0 },
};

const hex = (n: number) => n.toString(16).padStart(12, "0");

/** The platform, and the accounts each shape manages, in program order. */
function platform(): { seed: Seed; managed: Record<Shape, { id: string; email: string }[]> } {
  const tenantList: Seed["tenants"] = [{ id: TENANTS.partner, name: "Partner", kind: "partner" }];
  const userList: NonNullable<Seed["users"]> = [];
  const managed = { dense: [], sparse: [], pairs: [], huge: [] } as Record<
    Shape,
    { id: string; email: string }[]
  >;
  let tenants = 0;
  let users = 0;
  for (const [shape, s] of Object.entries(SHAPES) as [Shape, (typeof SHAPES)[Shape]][]) {
    for (let t = 0; t < s.tenants; t++) {
      const tenantId = `41000000-0000-4000-8000-${hex(++tenants)}`;
      tenantList.push({ id: tenantId, name: `${shape} ${t}`, parent_id: TENANTS.partner });
      for (let i = 0; i < s.users; i++) {
        const id = `40000000-0000-4000-8000-${hex(++users)}`;
        const email = `u${users}@${shape}.example`;
        userList.push({
          id,
          login: `u${users}`,
          email,
          tenant_id: tenantId,
          activated: i % 2 === 0,
        });
        if (s.managed(i)) managed[shape].push({ id, email });
      }
    }
  }
  const clients = [
    { client_id: DEMO_CLIENT_ID, client_secret: DEMO_CLIENT_SECRET, tenant_id: TENANTS.partner },
  ];
  return { seed: { tenants: tenantList, clients, users: userList }, managed };
}

const { seed, managed } = platform();
const stack = stackForStories({
  name: "engine-reads",
  seed,
  config: (baseUrl) => ({
    "acronis:baseUrl": baseUrl,
    "acronis:clientId": DEMO_CLIENT_ID,
    "acronis:clientSecret": DEMO_CLIENT_SECRET,
  }),
});

function goals(shape: Shape, email = (e: string) => e): Goal[] {
  return managed[shape].map((a) => stack.userEmail(a.id, { userId: a.id, email: email(a.email) }));
}
const moved = (email: string) => email.replace("@", "@moved.");

beforeAll(async () => {
  // Every shape's accounts adopted as they are: the stack's state, with each account's tenant.
  const adopted = await stack.up(Object.keys(SHAPES).flatMap((s) => goals(s as Shape)));
  expect(failures(adopted)).toEqual([]);
  await stack.emulator.control.latency(LATENCY_MS);
});

/** A stack of one shape's accounts (as adopted by the first up), on the shared platform. */
function stackOf(shape: Shape): Engine {
  const names = new Set(managed[shape].map((a) => a.id));
  const resources = stack.engine.state.resources.filter((r) => names.has(r.name));
  return new Engine({ ...stack.engine.options, state: { resources } });
}

/** One command, counted by the emulator. */
async function counted(run: () => Promise<RunResult>) {
  await stack.emulator.control.resetRequests();
  const result = await run();
  expect(failures(result)).toEqual([]);
  const { counts } = await stack.emulator.control.requests();
  const n = (key: string) => counts[key] ?? 0;
  return {
    result,
    reads: n(READ_BATCH) + n(READ_ONE),
    puts: n(PUT),
    requests: Object.entries(counts).reduce((sum, [k, v]) => (k === TOKEN ? sum : sum + v), 0),
  };
}

describe("a preview, Diffs one at a time", () => {
  it.each([
    // Per tenant: the first read, the second (which asks for the tenant's page and is read on
    // its own), and the page. Target <= 30.
    { shape: "dense" as const, reads: 30, target: 30 },
    // One GET per account, never a listing. Target <= 1.1 per account.
    { shape: "sparse" as const, reads: 40, target: 44 },
    // Two GETs and one page per tenant. Target <= 2 per account.
    { shape: "pairs" as const, reads: 60, target: 80 },
    // Three GETs and one page of 2,000 users, not the 25 pages of the tenant. Target <= 10.
    { shape: "huge" as const, reads: 4, target: 10 },
  ])("$shape: $reads read requests (target <= $target)", async ({ shape, reads, target }) => {
    const run = await counted(() => stackOf(shape).preview(goals(shape, moved)));
    // Every account is seen as it is: its email differs from the one now declared.
    expect(countOps(run.result).update).toBe(managed[shape].length);
    expect(run.reads).toBe(reads);
    expect(run.reads).toBeLessThanOrEqual(target);
    expect(run.puts).toBe(0);
  });
});

describe("settings", () => {
  it.each<{ how: string; config: Record<string, string>; env: Record<string, string> }>([
    { how: "acronis:readAhead false", config: { "acronis:readAhead": "false" }, env: {} },
    { how: "ACRONIS_READ_AHEAD=false", config: {}, env: { ACRONIS_READ_AHEAD: "false" } },
    { how: "acronis:batchReads false", config: { "acronis:batchReads": "false" }, env: {} },
  ])("$how: one GET per account, no listing", async ({ config, env }) => {
    stack.configure({ config: { ...stack.config, ...config }, env });
    await stack.emulator.control.resetRequests();
    await stackOf("pairs").preview(goals("pairs"));
    stack.configure();
    const { counts } = await stack.emulator.control.requests();
    expect(counts[READ_ONE]).toBe(managed.pairs.length);
    expect(counts[READ_BATCH]).toBeUndefined();
  });
});

/**
 * The refresh and update stories: three of the dense tenants (300 accounts). Each tenant costs
 * the same whatever their number, and each story stays far inside the provider's one-minute read
 * cache, which `up --refresh` relies on, even on a loaded machine.
 */
const REFRESHED_TENANTS = 3;
const refreshed = managed.dense.slice(0, REFRESHED_TENANTS * SHAPES.dense.users);

function refreshedStack(): Engine {
  const names = new Set(refreshed.map((a) => a.id));
  // The default provider's record too: a refresh configures the provider from it, and without
  // it the program's registration would be a new provider, whose process reads everything again.
  const resources = stack.engine.state.resources.filter(
    (r) => names.has(r.name) || r.type === DEFAULT_PROVIDER_TYPE,
  );
  return new Engine({ ...stack.engine.options, state: structuredClone({ resources }) });
}
const refreshedGoals = (email = (e: string) => e) =>
  refreshed.map((a) => stack.userEmail(a.id, { userId: a.id, email: email(a.email) }));

/**
 * What the reads of one command cost, from the platform's arrivals: tenant listing pages, and
 * the accounts read on their own (by `GET /users/{id}`, or batched in `GET /users?uuids=`).
 */
async function readShape() {
  const arrivals = await stack.emulator.control.holds.arrivals();
  const query = (q: string) => new URLSearchParams(q);
  const pages = arrivals.filter(
    (a) => a.key === READ_BATCH && query(a.query).has("subtree_root_tenant_id"),
  );
  const batches = arrivals.filter((a) => a.key === READ_BATCH && query(a.query).has("uuids"));
  const singles = arrivals.filter((a) => a.key === READ_ONE);
  const ownIds =
    singles.length +
    batches.reduce((n, b) => n + (query(b.query).get("uuids")?.split(",").length ?? 0), 0);
  return {
    pagedTenants: pages.map((p) => query(p.query).get("subtree_root_tenant_id")),
    ownIds,
    requests: pages.length + batches.length + singles.length,
  };
}

/**
 * Per tenant, whatever the number of workers: the first read the cache cannot answer goes on its
 * own, the second too and asks for the tenant's first page (100 users, the whole tenant), and
 * every later read waits for that page. So one page and two accounts read on their own.
 */
async function expectOnePageAndTwoReadsPerTenant(): Promise<void> {
  const shape = await readShape();
  expect(shape.pagedTenants).toHaveLength(REFRESHED_TENANTS);
  expect(new Set(shape.pagedTenants).size).toBe(REFRESHED_TENANTS);
  expect(shape.ownIds).toBe(2 * REFRESHED_TENANTS);
}

describe("refresh, and up --refresh, on 8 workers", () => {
  it("refresh of 300 dense accounts: one page and two reads per tenant", async () => {
    // One process's reads: `--skip-preview` (a plain `pulumi refresh` is a preview and then this
    // execution, each in its own process, so twice this).
    const run = await counted(() =>
      refreshedStack().refresh({ parallel: WORKERS, skipPreview: true }),
    );
    expect(run.result.steps.map((r) => r.outputs?.status)).toEqual(refreshed.map(() => "synced"));
    await expectOnePageAndTwoReadsPerTenant();
    expect(run.reads).toBeLessThanOrEqual(3 * REFRESHED_TENANTS);
  });

  it("up --refresh of 300 synced dense accounts: the Diffs read nothing the refresh read", async () => {
    // The update deployment of `up --refresh` (`--skip-preview`: one deployment, one process).
    const run = await counted(() =>
      refreshedStack().up(refreshedGoals(), {
        refresh: true,
        skipPreview: true,
        parallel: WORKERS,
      }),
    );
    // Each refresh Read is followed by a Diff: the 300 synced accounts' refresh steps are
    // `same`, as are the program's 300 steps.
    expect(countOps(run.result)).toMatchObject({ refresh: 0, same: 2 * refreshed.length });
    // Exactly a refresh's reads: no Diff read again.
    await expectOnePageAndTwoReadsPerTenant();
  });
});

describe("the update deployment of up", () => {
  it("changing 300 dense accounts: one PUT each, and three reads per tenant", async () => {
    // The update deployment of `up` is exactly an `up --skip-preview`.
    const run = await counted(() =>
      refreshedStack().up(refreshedGoals(moved), { skipPreview: true, parallel: WORKERS }),
    );
    expect(countOps(run.result).update).toBe(refreshed.length);
    for (const step of run.result.steps) {
      expect(["synced", "pendingConfirmation"]).toContain(step.outputs?.status);
    }
    expect(run.puts).toBe(refreshed.length);
    // The Diffs, one at a time, read as a preview does; the update steps answer from what the
    // Diffs read (the PUT carries that version), so nothing else.
    await expectOnePageAndTwoReadsPerTenant();
    expect(run.requests - run.puts).toBe(3 * REFRESHED_TENANTS);
  });
});
