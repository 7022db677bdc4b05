import { loadSeedFile, type ParsedSeed, parseSeed, type Seed } from "./seed";

/**
 * The built-in seeds, with fixed ids so demos and tests can name them: `defaultSeed` (datacenter
 * eu2) and `us5Seed` (a second datacenter with nothing in common). Data only.
 */

/** A seed's fixed id: `<prefix>-0000-4000-8000-<n as 12 hex digits>`, easy to read in a log. */
export function fixedId(prefix: string, n: number): string {
  return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

/** Fixed ids by name, e.g. `{ alpha: 2 }` -> `{ alpha: "<prefix>-0000-4000-8000-000000000002" }`. */
function fixedIds<K extends string>(
  prefix: string,
  ns: Record<K, number>,
): Readonly<Record<K, string>> {
  return Object.fromEntries(
    Object.entries<number>(ns).map(([name, n]) => [name, fixedId(prefix, n)]),
  ) as Record<K, string>;
}

export const DEMO_CLIENT_ID = "6e1a2f0c-de70-4c1e-a000-000000000001";
export const DEMO_CLIENT_SECRET = "emulator-demo-secret";
/**
 * A second API client at the demo partner, for what must not happen to the demo client itself:
 * the contract suite disables it to see its token refused, then enables it again.
 */
export const DEMO_SPARE_CLIENT_ID = "6e1a2f0c-de70-4c1e-a000-000000000003";
export const DEMO_SPARE_CLIENT_SECRET = "emulator-spare-secret";

export const TENANTS = fixedIds("10000000", { partner: 1, alpha: 2, beta: 3, unrelated: 0x99 });

export const USERS = fixedIds("20000000", {
  partnerAdmin: 1,
  alice: 2,
  bob: 3,
  carol: 4,
  dave: 5,
  erin: 6,
  frank: 7,
  mallory: 0x99,
});

/** The demo partner tenant, root of the demo client: shared by `defaultSeed` and `generateSeed`. */
export const DEMO_PARTNER_TENANT = {
  id: TENANTS.partner,
  name: "Demo Partner",
  kind: "partner",
} satisfies Seed["tenants"][number];

/** The demo API client (basic auth, on the demo partner). */
export const DEMO_CLIENT = {
  client_id: DEMO_CLIENT_ID,
  client_secret: DEMO_CLIENT_SECRET,
  tenant_id: TENANTS.partner,
  auth_method: "basic",
} satisfies NonNullable<Seed["clients"]>[number];

export const defaultSeed = {
  tenants: [
    { ...DEMO_PARTNER_TENANT },
    { id: TENANTS.alpha, name: "Alpha Customer", parent_id: TENANTS.partner, kind: "customer" },
    { id: TENANTS.beta, name: "Beta Customer", parent_id: TENANTS.partner, kind: "customer" },
    // Outside the demo client's subtree: everything about it must answer 403 / be absent.
    { id: TENANTS.unrelated, name: "Unrelated Partner", kind: "partner" },
  ],
  clients: [
    { ...DEMO_CLIENT },
    {
      client_id: DEMO_SPARE_CLIENT_ID,
      client_secret: DEMO_SPARE_CLIENT_SECRET,
      tenant_id: TENANTS.partner,
    },
  ],
  users: [
    {
      id: USERS.partnerAdmin,
      login: "partner.admin",
      email: "admin@demo-partner.example",
      tenant_id: TENANTS.partner,
      activated: true,
      // A realistic large version (the platform's versions are not small counters).
      version: 1559561146223,
      firstname: "Pat",
      lastname: "Admin",
    },
    {
      id: USERS.alice,
      login: "alice",
      email: "alice@alpha.example",
      tenant_id: TENANTS.alpha,
      activated: true,
      version: 3,
      firstname: "Alice",
      lastname: "Anders",
    },
    {
      id: USERS.bob,
      login: "bob",
      email: "bob@alpha.example",
      tenant_id: TENANTS.alpha,
      activated: false,
      version: 1,
      firstname: "Bob",
      lastname: "Brown",
    },
    {
      id: USERS.carol,
      login: "carol",
      email: "carol@alpha.example",
      tenant_id: TENANTS.alpha,
      activated: true,
      version: 7,
      firstname: "Carol",
      lastname: "Chen",
    },
    {
      id: USERS.dave,
      login: "dave",
      email: "dave@beta.example",
      tenant_id: TENANTS.beta,
      activated: false,
      version: 2,
      firstname: "Dave",
      lastname: "Dunn",
    },
    {
      id: USERS.erin,
      login: "erin",
      email: "erin@beta.example",
      tenant_id: TENANTS.beta,
      activated: true,
      version: 1559561146300,
      firstname: "Erin",
      lastname: "Evans",
    },
    {
      id: USERS.frank,
      login: "frank",
      email: "frank@beta.example",
      tenant_id: TENANTS.beta,
      activated: false,
      version: 1,
      firstname: "Frank",
      lastname: "Fisher",
      enabled: false,
    },
    {
      id: USERS.mallory,
      login: "mallory",
      email: "mallory@unrelated.example",
      tenant_id: TENANTS.unrelated,
      activated: true,
      version: 5,
      firstname: "Mallory",
      lastname: "Moss",
    },
  ],
} satisfies Seed;

// ---- a second datacenter: its own partner, customers, API client and accounts ----

/** The API client of the second datacenter (`us5Seed`), at its own partner tenant. */
export const US5_CLIENT_ID = "6e1a2f0c-de70-4c1e-b000-000000000002";
export const US5_CLIENT_SECRET = "emulator-us5-secret";

export const US5_TENANTS = fixedIds("40000000", {
  partner: 1,
  gamma: 2,
  delta: 3,
  unrelated: 0x99,
});

export const US5_USERS = fixedIds("50000000", {
  grace: 1,
  heidi: 2,
  ivan: 3,
  judy: 4,
  oscar: 0x99,
});

/**
 * A second datacenter for multi-datacenter stacks: no tenant, client or account in common with
 * `defaultSeed`, so an account of one is a 404 in the other.
 */
export const us5Seed = {
  tenants: [
    { id: US5_TENANTS.partner, name: "US Partner", kind: "partner" },
    {
      id: US5_TENANTS.gamma,
      name: "Gamma Customer",
      parent_id: US5_TENANTS.partner,
      kind: "customer",
    },
    {
      id: US5_TENANTS.delta,
      name: "Delta Customer",
      parent_id: US5_TENANTS.partner,
      kind: "customer",
    },
    // Outside the client's subtree: 403.
    { id: US5_TENANTS.unrelated, name: "Other US Partner", kind: "partner" },
  ],
  clients: [
    {
      client_id: US5_CLIENT_ID,
      client_secret: US5_CLIENT_SECRET,
      tenant_id: US5_TENANTS.partner,
      auth_method: "basic",
    },
  ],
  users: [
    {
      id: US5_USERS.grace,
      login: "grace",
      email: "grace@gamma.example",
      tenant_id: US5_TENANTS.gamma,
      activated: true,
      version: 4,
      firstname: "Grace",
      lastname: "Gale",
    },
    {
      id: US5_USERS.heidi,
      login: "heidi",
      email: "heidi@gamma.example",
      tenant_id: US5_TENANTS.gamma,
      activated: false,
      version: 1,
      firstname: "Heidi",
      lastname: "Hart",
    },
    {
      id: US5_USERS.ivan,
      login: "ivan",
      email: "ivan@delta.example",
      tenant_id: US5_TENANTS.delta,
      activated: true,
      version: 1559561146400,
      firstname: "Ivan",
      lastname: "Ives",
    },
    {
      id: US5_USERS.judy,
      login: "judy",
      email: "judy@delta.example",
      tenant_id: US5_TENANTS.delta,
      activated: false,
      version: 2,
      firstname: "Judy",
      lastname: "Jones",
    },
    {
      id: US5_USERS.oscar,
      login: "oscar",
      email: "oscar@other.example",
      tenant_id: US5_TENANTS.unrelated,
      activated: true,
      version: 1,
      firstname: "Oscar",
      lastname: "Olsen",
    },
  ],
} satisfies Seed;

/** Seed object, or a path to a YAML file; the default seed when absent. */
export function resolveSeed(seed: Seed | string | undefined): ParsedSeed {
  if (seed === undefined) return parseSeed(defaultSeed);
  if (typeof seed === "string") return loadSeedFile(seed);
  return parseSeed(seed);
}
