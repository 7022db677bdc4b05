import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { EMAIL_RE, UUID_RE } from "./patterns";
import { SCOPES } from "./scopes";

/**
 * The seed: what the emulator starts (and resets) with. Its format as a zod schema with
 * referential checks, and its parsing from an object or a YAML file; the built-in seeds live in
 * demo-seeds.ts and generated-seed.ts, which build on this file (never the other way round).
 */

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
    const problem = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    /** Records `value`, saying so when it was seen before. */
    const unique = (seen: Set<string>, value: string, path: (string | number)[], what: string) => {
      if (seen.has(value)) problem(path, what);
      seen.add(value);
    };
    const knownTenant = (id: string, path: (string | number)[]) => {
      if (!tenants.has(id)) problem(path, "unknown tenant");
    };
    const clientIds = new Set<string>();
    seed.clients.forEach((c, i) => {
      unique(clientIds, c.client_id, ["clients", i, "client_id"], "duplicate");
      knownTenant(c.tenant_id, ["clients", i, "tenant_id"]);
    });
    const userIds = new Set<string>();
    const logins = new Set<string>();
    seed.users.forEach((u, i) => {
      unique(userIds, u.id, ["users", i, "id"], "duplicate user id");
      unique(logins, u.login, ["users", i, "login"], "duplicate login");
      knownTenant(u.tenant_id, ["users", i, "tenant_id"]);
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
