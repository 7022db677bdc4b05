import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { SCOPES } from "./scopes";

/** Full-match UUID (case-insensitive); the OpenAPI `uuid` schema is 36 chars of hex and dashes. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** OpenAPI `email` schema pattern (unanchored on purpose, as published). */
export const EMAIL_RE = /^$|\S+@\S+/;

const uuid = z
  .string()
  .regex(UUID_RE, "must be a UUID")
  .transform((s) => s.toLowerCase());

const tenantSchema = z.strictObject({
  id: uuid,
  name: z.string().min(1),
  parent_id: uuid.optional(),
  kind: z.enum(["root", "partner", "folder", "customer", "unit"]).optional(),
});

const clientSchema = z.strictObject({
  client_id: uuid,
  client_secret: z.string().min(1),
  tenant_id: uuid,
  auth_method: z.enum(["basic", "post"]).optional(),
  /** Account-server scopes of the client's tokens; default tenant_admin, tenant_viewer, user_admin. */
  scopes: z.array(z.enum(SCOPES)).optional(),
});

const userSchema = z.strictObject({
  id: uuid,
  login: z.string().min(1),
  email: z.string().regex(EMAIL_RE, "must match ^$|\\S+@\\S+"),
  tenant_id: uuid,
  activated: z.boolean(),
  version: z.number().int().nonnegative().optional(),
  firstname: z.string().optional(),
  lastname: z.string().optional(),
  enabled: z.boolean().optional(),
  language: z.string().optional(),
});

const seedSchema = z
  .strictObject({
    tenants: z.array(tenantSchema).min(1),
    clients: z.array(clientSchema).default([]),
    users: z.array(userSchema).default([]),
  })
  .superRefine((seed, ctx) => {
    // Referential integrity: every id named must exist and be unique, and the tree must be acyclic.
    const tenants = new Map<string, { parent_id?: string | undefined }>();
    seed.tenants.forEach((t, i) => {
      if (tenants.has(t.id)) {
        ctx.addIssue({
          code: "custom",
          path: ["tenants", i, "id"],
          message: "duplicate tenant id",
        });
      }
      tenants.set(t.id, t);
    });
    seed.tenants.forEach((t, i) => {
      if (t.parent_id !== undefined && !tenants.has(t.parent_id)) {
        ctx.addIssue({
          code: "custom",
          path: ["tenants", i, "parent_id"],
          message: `unknown parent tenant ${t.parent_id}`,
        });
        return;
      }
      const seen = new Set<string>([t.id]);
      let p = t.parent_id;
      while (p !== undefined) {
        if (seen.has(p)) {
          ctx.addIssue({ code: "custom", path: ["tenants", i, "parent_id"], message: "cycle" });
          return;
        }
        seen.add(p);
        p = tenants.get(p)?.parent_id;
      }
    });
    const clientIds = new Set<string>();
    seed.clients.forEach((c, i) => {
      if (clientIds.has(c.client_id)) {
        ctx.addIssue({ code: "custom", path: ["clients", i, "client_id"], message: "duplicate" });
      }
      clientIds.add(c.client_id);
      if (!tenants.has(c.tenant_id)) {
        ctx.addIssue({
          code: "custom",
          path: ["clients", i, "tenant_id"],
          message: "unknown tenant",
        });
      }
    });
    const userIds = new Set<string>();
    const logins = new Set<string>();
    seed.users.forEach((u, i) => {
      if (userIds.has(u.id)) {
        ctx.addIssue({ code: "custom", path: ["users", i, "id"], message: "duplicate user id" });
      }
      userIds.add(u.id);
      if (logins.has(u.login)) {
        ctx.addIssue({ code: "custom", path: ["users", i, "login"], message: "duplicate login" });
      }
      logins.add(u.login);
      if (!tenants.has(u.tenant_id)) {
        ctx.addIssue({
          code: "custom",
          path: ["users", i, "tenant_id"],
          message: "unknown tenant",
        });
      }
    });
  });

/** What callers write (optional fields optional). */
export type Seed = z.input<typeof seedSchema>;
/** What the emulator works with after validation (ids lowercased, defaults applied). */
export type ParsedSeed = z.output<typeof seedSchema>;

export class SeedError extends Error {
  constructor(
    message: string,
    readonly issues: string[],
  ) {
    super(`${message}\n  ${issues.join("\n  ")}`);
    this.name = "SeedError";
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("") || ".";
}

/** Validates a seed object; throws SeedError listing every issue. */
export function parseSeed(input: unknown): ParsedSeed {
  const r = seedSchema.safeParse(input);
  if (r.success) return r.data;
  throw new SeedError(
    "invalid emulator seed",
    r.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`),
  );
}

/** Parses YAML seed text; issues carry `file:line:col` of the offending node when it exists. */
export function parseSeedYaml(text: string, source = "<seed>"): ParsedSeed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    throw new SeedError(
      `invalid YAML in ${source}`,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${source}:${pos ? `${pos.line}:${pos.col}` : "?"}: ${e.message}`;
      }),
    );
  }
  const r = seedSchema.safeParse(doc.toJS());
  if (r.success) return r.data;
  throw new SeedError(
    `invalid emulator seed in ${source}`,
    r.error.issues.map((i) => {
      // Point at an unknown key itself; otherwise walk up until a node exists (a missing key
      // has no node of its own).
      const extra = i.code === "unrecognized_keys" ? i.keys.slice(0, 1) : [];
      let path = [...i.path, ...extra];
      let where = "";
      while (where === "") {
        const node = doc.getIn(path as (string | number)[], true) as
          | { range?: [number, number, number] }
          | undefined;
        if (node?.range) {
          const pos = lineCounter.linePos(node.range[0]);
          where = `${pos.line}:${pos.col}`;
        } else if (path.length === 0) {
          where = "?";
        } else {
          path = path.slice(0, -1);
        }
      }
      return `${source}:${where}: ${formatPath(i.path)}: ${i.message}`;
    }),
  );
}

export function loadSeedFile(file: string): ParsedSeed {
  return parseSeedYaml(readFileSync(file, "utf8"), file);
}

/** Seed object, or a path to a YAML file. */
export function resolveSeed(seed: Seed | string | undefined): ParsedSeed {
  if (seed === undefined) return parseSeed(defaultSeed);
  if (typeof seed === "string") return loadSeedFile(seed);
  return parseSeed(seed);
}

// ---- default seed: fixed ids so demos and tests can name them ----

export const DEMO_CLIENT_ID = "6e1a2f0c-de70-4c1e-a000-000000000001";
export const DEMO_CLIENT_SECRET = "emulator-demo-secret";

export const TENANTS = {
  partner: "10000000-0000-4000-8000-000000000001",
  alpha: "10000000-0000-4000-8000-000000000002",
  beta: "10000000-0000-4000-8000-000000000003",
  unrelated: "10000000-0000-4000-8000-000000000099",
} as const;

export const USERS = {
  partnerAdmin: "20000000-0000-4000-8000-000000000001",
  alice: "20000000-0000-4000-8000-000000000002",
  bob: "20000000-0000-4000-8000-000000000003",
  carol: "20000000-0000-4000-8000-000000000004",
  dave: "20000000-0000-4000-8000-000000000005",
  erin: "20000000-0000-4000-8000-000000000006",
  frank: "20000000-0000-4000-8000-000000000007",
  mallory: "20000000-0000-4000-8000-000000000099",
} as const;

/** The demo partner tenant, root of the demo client: shared by `defaultSeed` and `generateSeed`. */
const DEMO_PARTNER_TENANT = {
  id: TENANTS.partner,
  name: "Demo Partner",
  kind: "partner",
} satisfies Seed["tenants"][number];

/** The demo API client (basic auth, on the demo partner). */
const DEMO_CLIENT = {
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
  clients: [{ ...DEMO_CLIENT }],
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

export const US5_TENANTS = {
  partner: "40000000-0000-4000-8000-000000000001",
  gamma: "40000000-0000-4000-8000-000000000002",
  delta: "40000000-0000-4000-8000-000000000003",
  unrelated: "40000000-0000-4000-8000-000000000099",
} as const;

export const US5_USERS = {
  grace: "50000000-0000-4000-8000-000000000001",
  heidi: "50000000-0000-4000-8000-000000000002",
  ivan: "50000000-0000-4000-8000-000000000003",
  judy: "50000000-0000-4000-8000-000000000004",
  oscar: "50000000-0000-4000-8000-000000000099",
} as const;

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

const FIRST = ["Ada", "Ben", "Cleo", "Dan", "Eva", "Finn", "Gia", "Hugo", "Ivy", "Jon"];
const LAST = ["Stone", "Rivers", "Hale", "Park", "Quinn", "Ward", "Frost", "Lane", "Moor", "Reed"];

function seqId(prefix: string, n: number): string {
  return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

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
      id: seqId("31000000", t + 1),
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
      id: seqId("30000000", i + 1),
      login: `user${i + 1}`,
      email: `user${i + 1}@bench.example`,
      tenant_id: seqId("31000000", Math.floor(i / per) + 1),
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
  return seqId("30000000", i);
}
