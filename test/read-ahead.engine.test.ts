import { beforeAll, describe, expect, it } from "vitest";
import {
  PUT_USER as PUT,
  GET_USERS as READ_LIST,
  GET_USER as READ_ONE,
} from "../emulator/request-keys";
import { failures, type Goal, type ResourceState } from "../engine/engine";
import type { ProviderHost } from "../engine/host";
import { CLIENT_ID, CLIENT_SECRET, stackConfig } from "./support/fixtures";
import { stackForStories } from "./support/stack";

/**
 * A Diff answered from a tenant listing decides exactly as one answered by its own GET, through
 * the real provider host, Diffs one at a time as the engine sends them by default: pending,
 * drifted, deleted (404, or `deleted_at` in the listing) and foreign (403) accounts alike. And an
 * account that changed on the platform after its tenant was read is still written right.
 */

const ROOT = "a1000000-0000-4000-8000-000000000000";
const CUSTOMER = "a1000000-0000-4000-8000-000000000001";
const FOREIGN = "a1000000-0000-4000-8000-0000000000ff";
const id = (n: number) => `b1000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

// c1..c8 in the customer tenant; f1..f3 in a tenant the API client cannot see.
const C = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`c${i + 1}`, id(i + 1)]));
const F = { f1: id(0xf1), f2: id(0xf2), f3: id(0xf3) };
const email = (name: string) => `${name}@old.example.com`;

const seed = {
  tenants: [
    { id: ROOT, name: "Root" },
    { id: CUSTOMER, name: "Customer", parent_id: ROOT },
    { id: FOREIGN, name: "Somebody Else" },
  ],
  clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, tenant_id: ROOT }],
  users: [
    ...Object.entries(C).map(([name, userId]) => ({
      id: userId,
      login: name,
      email: email(name),
      tenant_id: CUSTOMER,
      // c3 is activated: its change waits for the user to confirm it.
      activated: name === "c3",
      version: 1,
    })),
    ...Object.entries(F).map(([name, userId]) => ({
      id: userId,
      login: name,
      email: email(name),
      tenant_id: FOREIGN,
      activated: false,
      version: 1,
    })),
  ],
};

const stack = stackForStories({ name: "engine-read-ahead", seed, config: stackConfig });
/** The goals in program order: what each resource declares. */
let goals: Goal[];
/** The stack's state: adopted accounts, and foreign ones as state from another time holds them. */
let state: ResourceState[];

beforeAll(async () => {
  const declared: Record<string, string> = Object.fromEntries(
    Object.keys(C).map((name) => [name, email(name)]),
  );
  declared.c3 = "c3@new.example.com"; // pending: the link went to the old address
  const adopt = Object.keys(C).map((name) =>
    stack.userEmail(name, { userId: C[name] as string, email: declared[name] as string }),
  );
  expect(failures(await stack.up(adopt))).toEqual([]);
  expect(stack.engine.resource("c3")?.outputs.status).toBe("pendingConfirmation");

  // Since then, on the platform: c4 drifted, c5 was deleted.
  await stack.emulator.control.patchUser(C.c4 as string, { email: "someone@else.example.net" });
  await stack.emulator.control.deleteUser(C.c5 as string);

  // Accounts the client can no longer see. f3's state says it lives in the customer tenant.
  const template = stack.engine.resource("c1") as ResourceState;
  const foreign = Object.entries(F).map(([name, userId]) => {
    const goal = stack.userEmail(name, { userId, email: email(name) });
    return {
      ...template,
      name,
      urn: stack.engine.urn(goal),
      id: userId,
      inputs: goal.inputs,
      outputs: {
        ...template.outputs,
        userId,
        email: email(name),
        liveEmail: email(name),
        login: name,
        tenantId: name === "f3" ? CUSTOMER : FOREIGN,
      },
    };
  });
  goals = [...adopt, ...Object.entries(F).map(([name, userId]) => foreignGoal(name, userId))];
  state = [...stack.engine.state.resources, ...foreign];
});

function foreignGoal(name: string, userId: string): Goal {
  return stack.userEmail(name, { userId, email: email(name) });
}

interface Seen {
  name: string;
  diff: string;
  lines: string[];
}

/**
 * A preview, Diffs one at a time, in a fresh host with `config` added: what each account got.
 * The host's lines come over a pipe of their own: the host is stopped first, so every line it
 * printed is read, and it printed exactly `lines`.
 */
async function preview(config: Record<string, string>, lines: number) {
  stack.configure({ config: { ...stack.config, ...config } });
  const host = await stack.startHost();
  stack.output.length = 0; // this host's lines only
  await stack.emulator.control.resetRequests();
  const seen: Seen[] = [];
  for (const goal of goals)
    seen.push({ name: goal.name, diff: await diffOne(host, goal), lines: [] });
  const { counts } = await stack.emulator.control.requests();
  // A signal, not a wait for "enough" lines: the process has ended and its pipes are drained, so
  // a line printed late (a duplicate, an extra warning) is counted and compared too.
  await host.stop();
  expect(host.consoleLines).toHaveLength(lines);
  for (const s of seen) {
    const userId = String(goals.find((g) => g.name === s.name)?.inputs.userId);
    s.lines = host.consoleLines
      .filter((l) => l.includes(userId))
      .map((l) => l.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>"));
  }
  return { seen, listings: counts[READ_LIST] ?? 0, singles: counts[READ_ONE] ?? 0 };
}

async function diffOne(host: ProviderHost, goal: Goal): Promise<string> {
  const old = state.find((r) => r.name === goal.name) as ResourceState;
  try {
    const checked = await host.check(old.urn, old.inputs, goal.inputs);
    const answer = await host.diff(old.urn, old.id, old.outputs, checked.inputs);
    return `${answer.changes} [${answer.replaces.join(",")}]`;
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

describe("a Diff answered from the tenant's listing", () => {
  it("decides as one answered by its own GET: pending, drifted, deleted, foreign", async () => {
    // Lines: c3's pending confirmation, c5 not found.
    const single = await preview({ "acronis:batchReads": "false" }, 2);
    const listed = await preview({}, 2);

    expect(listed.seen).toEqual(single.seen);
    const by = Object.fromEntries(single.seen.map((s) => [s.name, s]));
    expect(by.c1?.diff).toBe("none []");
    expect(by.c3?.diff).toBe("some []");
    expect(by.c3?.lines.join()).toContain("confirmation of c3@new.example.com pending since");
    expect(by.c4?.diff).toBe("some []"); // drifted
    expect(by.c5?.diff).toBe("some []");
    expect(by.c5?.lines.join()).toContain("not found on the platform");
    for (const f of ["f1", "f2", "f3"]) expect(by[f]?.diff).toMatch(/^error: .*403/);

    // Each account on its own, against: c1, c2 on their own (the second asks for the customer
    // tenant's page), c3..c8 from it except c5, which it does not hold (deleted), and the
    // foreign ones on their own (f2 asks for their tenant's page: 403, silently; f3 is not in
    // the customer tenant's).
    expect(single).toMatchObject({ listings: 0, singles: 11 });
    expect(listed).toMatchObject({ listings: 2, singles: 6 });
  });

  it("an account the listing shows with deleted_at is gone, as its own GET's 404 says", async () => {
    // The platform lists deleted accounts only when asked to; this listing carries one anyway.
    const items = [];
    for (const [name, userId] of Object.entries(C)) {
      if (name === "c5") continue;
      const user = await stack.emulator.control.getUser(userId);
      items.push(name === "c6" ? { ...user, deleted_at: "2026-01-01T00:00:00Z" } : user);
    }
    await stack.emulator.control.faults({
      method: "GET",
      path: "^/api/2/users$",
      action: { type: "status", status: 200, body: { items, paging: { cursors: {} } } },
    });
    try {
      const listed = await preview({}, 3); // c3 pending, c5 and c6 not found
      const by = Object.fromEntries(listed.seen.map((s) => [s.name, s]));
      // c5's answer pinned first (its own 404), then c6's compared with it.
      expect(by.c5?.diff).toBe("some []");
      expect(by.c5?.lines).toEqual([
        `acronis: account ${C.c5}: not found on the platform; \`pulumi refresh\` drops it from the stack`,
      ]);
      expect(by.c6?.diff).toBe(by.c5?.diff);
      expect(by.c6?.lines.map((l) => l.replace(C.c6 as string, "<id>"))).toEqual(
        by.c5?.lines.map((l) => l.replace(C.c5 as string, "<id>")),
      );
      expect(by.c7?.diff).toBe("none []"); // the rest of the listing still answers
    } finally {
      await stack.emulator.control.clearFaults();
    }
  });
});

describe("an account that changed after its tenant was read", () => {
  it("is written right by up: the stale version gets a 409, a fresh read, then the PUT", async () => {
    stack.configure();
    const host = await stack.startHost();
    const target = "c8@new.example.com";
    const changed = goals.map((g) =>
      g.name === "c8" ? stack.userEmail("c8", { userId: C.c8 as string, email: target }) : g,
    );
    const c8 = state.find((r) => r.name === "c8") as ResourceState;
    // The update deployment's Diffs, one at a time: c8's comes from the customer tenant's page.
    let inputs: Record<string, unknown> = {};
    for (const goal of changed.filter((g) => g.name.startsWith("c"))) {
      const old = state.find((r) => r.name === goal.name) as ResourceState;
      const checked = await host.check(old.urn, old.inputs, goal.inputs);
      const diff = await host.diff(old.urn, old.id, old.outputs, checked.inputs);
      if (goal.name === "c8") {
        expect(diff.changes).toBe("some");
        inputs = checked.inputs;
      }
    }
    // Someone else writes c8 before our update step runs.
    const other = await stack.emulator.control.patchUser(C.c8 as string, {
      email: "someone@else.example.net",
    });
    await stack.emulator.control.resetRequests();

    const updated = await host.update(c8.urn, c8.id, c8.outputs, inputs);

    const platform = await stack.emulator.control.getUser(C.c8 as string);
    expect(platform.contact.email).toBe(target);
    expect(platform.version).toBe(other.version + 1);
    expect(updated.properties).toMatchObject({
      status: "synced",
      liveEmail: target,
      version: platform.version,
    });
    const { counts } = await stack.emulator.control.requests();
    // The PUT with the version read before (409), the re-read from the platform, the PUT.
    expect(counts[PUT]).toBe(2);
    expect(counts[READ_ONE]).toBe(1);
  });
});
