import { DEMO_CLIENT, DEMO_PARTNER_TENANT, fixedId, TENANTS } from "./demo-seeds";
import type { Seed } from "./seed";

/** Large deterministic seeds for benchmarks and scale tests. */

const FIRST = ["Ada", "Ben", "Cleo", "Dan", "Eva", "Finn", "Gia", "Hugo", "Ivy", "Jon"];
const LAST = ["Stone", "Rivers", "Hale", "Park", "Quinn", "Ward", "Frost", "Lane", "Moor", "Reed"];

export interface GenerateSeedOptions {
  users: number;
  /** Fraction of accounts that are activated (0..1); default 0.5. */
  activatedRatio?: number;
  /** Users per customer tenant; default 1000. */
  usersPerTenant?: number;
}

/**
 * Deterministic large seed for benchmarks: the demo partner + client of `defaultSeed`, customers
 * of `usersPerTenant` users each, and user ids `30000000-0000-4000-8000-<index hex>`.
 */
export function generateSeed(opts: GenerateSeedOptions): Seed {
  const ratio = opts.activatedRatio ?? 0.5;
  const per = Math.max(1, opts.usersPerTenant ?? 1000);
  const customers = Math.max(1, Math.ceil(opts.users / per));
  const tenants: Seed["tenants"] = [{ ...DEMO_PARTNER_TENANT }];
  for (let t = 0; t < customers; t++) {
    tenants.push({
      id: fixedId("31000000", t + 1),
      name: `Customer ${t + 1}`,
      parent_id: TENANTS.partner,
      kind: "customer",
    });
  }
  const users: NonNullable<Seed["users"]> = [];
  for (let i = 0; i < opts.users; i++) {
    // Spreads activated accounts evenly rather than in one block.
    const activated = Math.floor((i + 1) * ratio) > Math.floor(i * ratio);
    users.push({
      id: fixedId("30000000", i + 1),
      login: `user${i + 1}`,
      email: `user${i + 1}@bench.example`,
      tenant_id: fixedId("31000000", Math.floor(i / per) + 1),
      activated,
      version: i % 2 === 0 ? 1 : 1559561146223 + i,
      firstname: FIRST[i % FIRST.length] ?? "User",
      lastname: LAST[Math.floor(i / FIRST.length) % LAST.length] ?? "Bench",
    });
  }
  return {
    tenants,
    clients: [{ ...DEMO_CLIENT }],
    users,
  };
}

/** Id of the i-th (1-based) user of `generateSeed`. */
export function generatedUserId(i: number): string {
  return fixedId("30000000", i);
}
