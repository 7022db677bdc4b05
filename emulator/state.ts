import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import {
  accessDenied,
  badRequest,
  ErrorCode,
  loginConflict,
  notFound,
  PlatformError,
  TokenError,
  unauthorized,
} from "./errors";
import { DEFAULT_CLIENT_SCOPES, type Scope } from "./scopes";
import { EMAIL_RE, type ParsedSeed, UUID_RE } from "./seed";

export const DEFAULT_TOKEN_TTL_SECONDS = 7200;
export const MAX_BATCH_UUIDS = 100;
export const DEFAULT_SEARCH_LIMIT = 10;
export const DEFAULT_BATCH_LIMIT = 2000;

export const NOTIFICATIONS = [
  "maintenance",
  "quota",
  "reports",
  "backup_error",
  "backup_warning",
  "backup_info",
  "backup_daily_report",
  "backup_critical",
  "device_control_warning",
  "certificate_management_error",
  "certificate_management_warning",
  "certificate_management_info",
] as const;

/** Contact fields that are nullable strings in both `items` (GET) and `contactPut`. */
export const CONTACT_STRING_FIELDS = [
  "address1",
  "address2",
  "country",
  "state",
  "city",
  "zipcode",
  "phone",
  "firstname",
  "lastname",
  "title",
  "website",
  "industry",
  "organization_size",
  "aan",
  "fax",
  "language",
] as const;
type ContactStringField = (typeof CONTACT_STRING_FIELDS)[number];

export interface Tenant {
  id: string;
  name: string;
  parentId: string | null;
  kind: string;
  children: string[];
}

export interface ApiClient {
  clientId: string;
  secret: string;
  tenantId: string;
  authMethod: "client_secret_basic" | "client_secret_post";
  createdAt: string;
  lastAccessAt: string | null;
  lastAccessFromIp: string | null;
  scopes: readonly Scope[];
  /** Disabled clients get no new tokens (schema `client.status`). */
  status: "enabled" | "disabled";
  data: Record<string, unknown>;
  redirectUris: string[];
  originId: string | null;
}

export interface Contact extends Record<ContactStringField, string | null> {
  id: string;
  created_at: string;
  updated_at: string;
  types: string[];
  email: string;
  email_confirmed: boolean | null;
}

export interface UserRecord {
  id: string;
  tenantId: string;
  login: string;
  version: number;
  activated: boolean;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  language: string;
  notifications: string[];
  externalId: string | null;
  idpId: string | null;
  disableAfter: string | null;
  businessTypes: string[];
  originId: string | null;
  originExternalId: string | null;
  contact: Contact;
}

export interface Mail {
  id: string;
  /** An email-change confirmation (PUT) or an activation mail (send-activation-email). */
  kind: "email-change" | "activation";
  /** The address the link was sent to: the account's email at the time of the PUT (the OLD one). */
  to: string;
  userId: string;
  requestedEmail: string;
  /** Path of the confirmation link; the server makes it absolute. */
  linkPath: string;
  sentAt: string;
  /** Set when the link is opened; a link opens once. */
  openedAt: string | null;
  /** pending until opened; then confirmed, or rejected when the account moved on. */
  outcome: "pending" | "confirmed" | "superseded" | "deleted";
  /** Account version the link is valid for. */
  baseVersion: number;
}

export interface TokenResponse {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  expires_on: number;
  id_token: string;
}

export interface ClientCredentials {
  id: string;
  secret: string;
  via: "basic" | "post";
}

export type Lod = "stamps" | "basic" | "full";

const iso = (ms: number) => new Date(ms).toISOString();
const b64url = (s: string) => Buffer.from(s).toString("base64url");

// ---- request body schemas (from the OpenAPI `userPut` / `contactPut`) ----

const uuidSchema = z.string().regex(UUID_RE, "must be a UUID");
const rfc3339 = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/, "must be RFC 3339");
const nullableString = z.string().nullable().optional();

const contactPutSchema = z.strictObject({
  tenant_id: uuidSchema.optional(),
  user_id: uuidSchema.optional(),
  types: z
    .array(z.enum(["legal", "primary", "billing", "technical", "management"]))
    .min(1)
    .refine((a) => new Set(a).size === a.length, "items must be unique")
    .optional(),
  email: z.string().regex(EMAIL_RE, "must match ^$|\\S+@\\S+").optional(),
  address1: nullableString,
  address2: nullableString,
  country: nullableString,
  state: nullableString,
  city: nullableString,
  zipcode: nullableString,
  phone: nullableString,
  firstname: nullableString,
  lastname: nullableString,
  title: nullableString,
  website: nullableString,
  industry: nullableString,
  organization_size: nullableString,
  email_confirmed: z.boolean().nullable().optional(),
  aan: nullableString,
  language: nullableString,
  fax: nullableString,
});

export const userPutSchema = z.strictObject({
  login: z.string().optional(),
  external_id: z.string().optional(),
  idp_id: uuidSchema.optional(),
  contact: contactPutSchema.optional(),
  enabled: z.boolean().optional(),
  language: z.string().optional(),
  notifications: z.array(z.enum(NOTIFICATIONS)).optional(),
  version: z.number().int(),
  disable_after: rfc3339.optional(),
});
type UserPut = z.infer<typeof userPutSchema>;

/** Out-of-band change, as another writer (or the user in the console) would make it. */
export const userPatchSchema = z.strictObject({
  email: z.string().optional(),
  activated: z.boolean().optional(),
  enabled: z.boolean().optional(),
  firstname: z.string().nullable().optional(),
  lastname: z.string().nullable().optional(),
  login: z.string().optional(),
  version: z.number().int().optional(),
});
export type UserPatch = z.infer<typeof userPatchSchema>;

/** `details.info` naming the offending field, e.g. `contact.foo: unknown field`. */
export function zodInfo(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const at = i.path.map(String).join(".");
      if (i.code === "unrecognized_keys") {
        return i.keys.map((k) => `${at ? `${at}.` : ""}${k}: unknown field`).join("; ");
      }
      return `${at || "(body)"}: ${i.message}`;
    })
    .join("; ");
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  return a === b;
}

function words(s: string | null): string[] {
  if (!s) return [];
  const lower = s.toLowerCase();
  // The whole value counts as a word too, so "alice@alpha" matches login "alice@alpha.example".
  return [lower, ...lower.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0)];
}

function matchesAll(query: string[], fields: (string | null)[]): boolean {
  const ws = fields.flatMap(words);
  return query.every((q) => ws.some((w) => w.startsWith(q)));
}

export interface StateOptions {
  tokenTtlSeconds?: number;
  /** Wall clock in ms; the control surface adds an offset on top. */
  clock?: () => number;
}

/** The in-memory platform. Methods throw PlatformError / TokenError for error answers. */
export class PlatformState {
  readonly tenants = new Map<string, Tenant>();
  readonly clients = new Map<string, ApiClient>();
  readonly users = new Map<string, UserRecord>();
  /** Insertion-ordered user ids per tenant, for search and subtree listing. */
  private readonly usersByTenant = new Map<string, string[]>();
  private readonly loginIndex = new Map<string, string>();
  private readonly tokens = new Map<string, { clientId: string; expiresAt: number }>();
  /** Every access and id token ever issued, so tests can prove none leaked anywhere. */
  private readonly issued: string[] = [];
  readonly outbox: Mail[] = [];
  private readonly mailsByToken = new Map<string, Mail>();
  private clockOffsetMs = 0;
  private readonly clock: () => number;
  tokenTtlSeconds: number;

  constructor(
    private readonly seed: ParsedSeed,
    opts: StateOptions = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    this.tokenTtlSeconds = opts.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
    this.load();
  }

  now(): number {
    return this.clock() + this.clockOffsetMs;
  }

  advanceClock(seconds: number): void {
    this.clockOffsetMs += seconds * 1000;
  }

  /**
   * Back to the seed: tenants, clients, users, outbox and clock. Issued tokens stay valid, so a
   * test's reset does not look like a credential revocation to the client under test.
   */
  reset(): void {
    this.clockOffsetMs = 0;
    this.load();
  }

  private load(): void {
    this.tenants.clear();
    this.clients.clear();
    this.users.clear();
    this.usersByTenant.clear();
    this.loginIndex.clear();
    this.outbox.length = 0;
    this.mailsByToken.clear();
    const at = iso(this.now());
    for (const t of this.seed.tenants) {
      this.tenants.set(t.id, {
        id: t.id,
        name: t.name,
        parentId: t.parent_id ?? null,
        kind: t.kind ?? (t.parent_id ? "customer" : "partner"),
        children: [],
      });
      this.usersByTenant.set(t.id, []);
    }
    for (const t of this.tenants.values()) {
      if (t.parentId) this.tenants.get(t.parentId)?.children.push(t.id);
    }
    for (const c of this.seed.clients) {
      this.clients.set(c.client_id, {
        clientId: c.client_id,
        secret: c.client_secret,
        tenantId: c.tenant_id,
        authMethod: c.auth_method === "post" ? "client_secret_post" : "client_secret_basic",
        createdAt: at,
        lastAccessAt: null,
        lastAccessFromIp: null,
        scopes: c.scopes ?? DEFAULT_CLIENT_SCOPES,
        status: "enabled",
        data: { client_name: "emulator" },
        redirectUris: [],
        originId: null,
      });
    }
    for (const u of this.seed.users) {
      const contact: Contact = {
        id: randomUUID(),
        created_at: at,
        updated_at: at,
        types: [],
        email: u.email,
        // Seed choice: an activated account has confirmed its address; a new one has not.
        email_confirmed: u.activated,
        address1: null,
        address2: null,
        country: null,
        state: null,
        city: null,
        zipcode: null,
        phone: null,
        firstname: u.firstname ?? null,
        lastname: u.lastname ?? null,
        title: null,
        website: null,
        industry: null,
        organization_size: null,
        aan: null,
        fax: null,
        language: null,
      };
      this.users.set(u.id, {
        id: u.id,
        tenantId: u.tenant_id,
        login: u.login,
        version: u.version ?? 1,
        activated: u.activated,
        enabled: u.enabled ?? true,
        createdAt: at,
        updatedAt: at,
        deletedAt: null,
        language: u.language ?? "en",
        notifications: ["maintenance", "quota", "reports"],
        externalId: null,
        idpId: null,
        disableAfter: null,
        businessTypes: [],
        originId: null,
        originExternalId: null,
        contact,
      });
      this.usersByTenant.get(u.tenant_id)?.push(u.id);
      this.loginIndex.set(u.login, u.id);
    }
  }

  // ---- tokens ----

  issuedTokens(): readonly string[] {
    return this.issued;
  }

  issueToken(
    grantType: string | undefined,
    creds: ClientCredentials | undefined,
    ip: string | null,
  ): TokenResponse {
    if (!grantType) throw new TokenError(400, "invalid_request", "grant_type is required");
    if (grantType !== "client_credentials") {
      throw new TokenError(400, "invalid_request", `unsupported grant_type '${grantType}'`);
    }
    if (!creds) throw new TokenError(401, "access_denied", "client credentials are missing");
    const client = this.clients.get(creds.id.toLowerCase());
    if (!client || client.secret !== creds.secret) {
      throw new TokenError(401, "access_denied", "invalid client credentials");
    }
    if (client.status === "disabled") {
      throw new TokenError(401, "access_denied", "client is disabled");
    }
    const wanted = creds.via === "basic" ? "client_secret_basic" : "client_secret_post";
    if (client.authMethod !== wanted) {
      throw new TokenError(
        401,
        "access_denied",
        `client is registered with token_endpoint_auth_method=${client.authMethod}`,
      );
    }
    const now = this.now();
    const expiresAt = now + this.tokenTtlSeconds * 1000;
    client.lastAccessAt = iso(now);
    client.lastAccessFromIp = ip;
    const accessToken = randomBytes(32).toString("base64url");
    if (this.tokens.size > 50_000) this.sweepTokens(now);
    this.tokens.set(accessToken, { clientId: client.clientId, expiresAt });
    this.issued.push(accessToken);
    // Opaque JWT-shaped id_token: claims only, random signature, never the secret.
    const idToken = [
      b64url(JSON.stringify({ alg: "none", typ: "JWT" })),
      b64url(
        JSON.stringify({
          sub: client.clientId,
          tenant_id: client.tenantId,
          iat: Math.floor(now / 1000),
          exp: Math.floor(expiresAt / 1000),
        }),
      ),
      randomBytes(16).toString("base64url"),
    ].join(".");
    this.issued.push(idToken);
    return {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: this.tokenTtlSeconds,
      expires_on: Math.floor(expiresAt / 1000),
      id_token: idToken,
    };
  }

  private sweepTokens(now: number): void {
    for (const [k, v] of this.tokens) if (v.expiresAt <= now) this.tokens.delete(k);
  }

  /** The API client behind an `Authorization: Bearer` header, or a 401. */
  authenticate(authorization: string | undefined): ApiClient {
    if (!authorization) throw unauthorized("Authorization header is missing");
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m?.[1]) throw unauthorized("Authorization header is not a bearer token");
    const t = this.tokens.get(m[1]);
    if (!t) throw unauthorized("invalid access token");
    if (t.expiresAt <= this.now()) {
      this.tokens.delete(m[1]);
      throw unauthorized("access token expired");
    }
    const client = this.clients.get(t.clientId);
    if (!client) throw unauthorized("client no longer exists");
    return client;
  }

  // ---- tenants ----

  inSubtree(tenantId: string, rootId: string): boolean {
    let t: string | null = tenantId;
    while (t !== null) {
      if (t === rootId) return true;
      t = this.tenants.get(t)?.parentId ?? null;
    }
    return false;
  }

  // ---- users ----

  /** 400 bad id, 404 unknown (or deleted unless allowDeleted), 403 outside the caller's subtree. */
  requireUser(caller: ApiClient, rawId: string, allowDeleted = false): UserRecord {
    const id = parseUuid(rawId, "user_id");
    const u = this.users.get(id);
    if (!u || (u.deletedAt !== null && !allowDeleted)) throw notFound(`user ${id} not found`);
    if (!this.inSubtree(u.tenantId, caller.tenantId)) {
      throw accessDenied(`user ${id} is outside the caller's tenant subtree`);
    }
    return u;
  }

  userJson(u: UserRecord, lod: Lod = "full"): Record<string, unknown> {
    const stamps: Record<string, unknown> = {
      id: u.id,
      version: u.version,
      tenant_id: u.tenantId,
      created_at: u.createdAt,
      updated_at: u.updatedAt,
      deleted_at: u.deletedAt,
      origin_id: u.originId,
      origin_external_id: u.originExternalId,
      disable_after: u.disableAfter,
    };
    if (lod === "stamps") return { ...stamps, access_policies: [] };
    const basic = {
      ...stamps,
      personal_tenant_id: null,
      login: u.login,
      enabled: u.enabled,
      session_mfa_status: "passed_or_not_required",
    };
    if (lod === "basic") return { ...basic, access_policies: [] };
    const full: Record<string, unknown> = {
      ...basic,
      contact: { ...u.contact, types: [...u.contact.types] },
      activated: u.activated,
      language: u.language,
      business_types: [...u.businessTypes],
      notifications: [...u.notifications],
      mfa_status: "disabled",
      terms_accepted: u.activated,
      tenant_kind: this.tenants.get(u.tenantId)?.kind ?? "customer",
    };
    if (u.externalId !== null) full.external_id = u.externalId;
    if (u.idpId !== null) full.idp_id = u.idpId;
    return full;
  }

  /** Whether any account, deleted ones included, holds `login`. */
  loginTaken(login: string): boolean {
    return this.loginIndex.has(login);
  }

  /** Adds a new account (its login must be free) to the indexes search and listing use. */
  addUser(u: UserRecord): void {
    if (this.loginTaken(u.login) || this.users.has(u.id)) {
      throw new Error(`addUser: login or id of ${u.id} already in use`);
    }
    this.users.set(u.id, u);
    this.usersByTenant.get(u.tenantId)?.push(u.id);
    this.loginIndex.set(u.login, u.id);
  }

  /**
   * Renames `u`, keeping the login index in step. 409 when another user (deleted ones included:
   * a soft-deleted account keeps its login) already holds `login`; nothing changes then.
   */
  private setLogin(u: UserRecord, login: string): void {
    const other = this.loginIndex.get(login);
    if (other !== undefined && other !== u.id) throw loginConflict(login);
    this.loginIndex.delete(u.login);
    this.loginIndex.set(login, u.id);
    u.login = login;
  }

  /** A real change: version +1, `updated_at` now. */
  touch(u: UserRecord, contactToo: boolean): void {
    u.version += 1;
    u.updatedAt = iso(this.now());
    if (contactToo) u.contact.updated_at = u.updatedAt;
  }

  /**
   * PUT /users/{id}. Only the sent fields change; a real change bumps `version` by one.
   * Email on an activated account: nothing changes, a confirmation mail goes to the OLD address.
   */
  putUser(caller: ApiClient, rawId: string, body: UserPut): UserRecord {
    const u = this.requireUser(caller, rawId);
    if (body.version !== u.version) {
      throw new PlatformError(
        409,
        ErrorCode.versionMismatch,
        "Version mismatch",
        `version ${body.version} does not match the current version ${u.version}`,
      );
    }
    let changed = false;
    let contactChanged = false;
    if (body.login !== undefined && body.login !== u.login) {
      this.setLogin(u, body.login);
      changed = true;
    }
    if (body.external_id !== undefined && body.external_id !== u.externalId) {
      u.externalId = body.external_id;
      changed = true;
    }
    if (body.idp_id !== undefined && body.idp_id !== u.idpId) {
      u.idpId = body.idp_id;
      changed = true;
    }
    if (body.enabled !== undefined && body.enabled !== u.enabled) {
      u.enabled = body.enabled;
      changed = true;
    }
    if (body.language !== undefined && body.language !== u.language) {
      u.language = body.language;
      changed = true;
    }
    if (body.notifications !== undefined && !sameValue(body.notifications, u.notifications)) {
      u.notifications = [...body.notifications];
      changed = true;
    }
    if (body.disable_after !== undefined && body.disable_after !== u.disableAfter) {
      u.disableAfter = body.disable_after;
      changed = true;
    }
    let mailTo: { to: string; requested: string } | null = null;
    const c = body.contact;
    if (c) {
      for (const f of CONTACT_STRING_FIELDS) {
        const v = c[f];
        if (v !== undefined && v !== u.contact[f]) {
          u.contact[f] = v;
          contactChanged = true;
        }
      }
      if (c.types !== undefined && !sameValue(c.types, u.contact.types)) {
        u.contact.types = [...c.types];
        contactChanged = true;
      }
      if (c.email_confirmed !== undefined && c.email_confirmed !== u.contact.email_confirmed) {
        u.contact.email_confirmed = c.email_confirmed;
        contactChanged = true;
      }
      if (c.email !== undefined && c.email !== u.contact.email) {
        if (u.activated) {
          mailTo = { to: u.contact.email, requested: c.email };
        } else {
          u.contact.email = c.email;
          // Choice: a directly set address on a not-activated account is unconfirmed.
          u.contact.email_confirmed = false;
          contactChanged = true;
        }
      }
    }
    if (changed || contactChanged) this.touch(u, contactChanged);
    if (mailTo) this.sendConfirmation(u, mailTo.to, mailTo.requested);
    return u;
  }

  private sendConfirmation(u: UserRecord, to: string, requestedEmail: string): Mail {
    const token = randomBytes(24).toString("base64url");
    const mail: Mail = {
      id: randomUUID(),
      kind: "email-change",
      to,
      userId: u.id,
      requestedEmail,
      linkPath: `/_emulator/confirm/${token}`,
      sentAt: iso(this.now()),
      openedAt: null,
      outcome: "pending",
      // The link is valid only while the account stays at the version it was sent for.
      baseVersion: u.version,
    };
    this.deliver(mail, token);
    return mail;
  }

  /** Puts a mail in the outbox; `token` is the secret part of its link. */
  deliver(mail: Mail, token: string): void {
    this.outbox.push(mail);
    this.mailsByToken.set(token, mail);
  }

  /** The mail whose link carries `token`, if one of that kind was sent. */
  mailByToken(token: string, kind: Mail["kind"]): Mail | undefined {
    const mail = this.mailsByToken.get(token);
    return mail?.kind === kind ? mail : undefined;
  }

  /**
   * The user opens a confirmation link. 404 unknown link; 410 when opened before, when the
   * account was deleted, or when its version moved on since the mail (another link confirmed,
   * another write) — so of several outstanding links the first opened wins and the rest die.
   */
  confirm(token: string): { mail: Mail; user: UserRecord } {
    const mail = this.mailByToken(token, "email-change");
    if (!mail) throw notFound("unknown confirmation link");
    if (mail.openedAt !== null) {
      throw new PlatformError(410, ErrorCode.gone, "Link already used", `mail ${mail.id}`);
    }
    mail.openedAt = iso(this.now());
    const u = this.users.get(mail.userId);
    if (!u || u.deletedAt !== null) {
      mail.outcome = "deleted";
      throw new PlatformError(410, ErrorCode.gone, "Account deleted", `user ${mail.userId}`);
    }
    if (u.version !== mail.baseVersion) {
      mail.outcome = "superseded";
      throw new PlatformError(
        410,
        ErrorCode.gone,
        "Link expired",
        `account version is ${u.version}, link was issued at version ${mail.baseVersion}`,
      );
    }
    u.contact.email = mail.requestedEmail;
    u.contact.email_confirmed = true;
    this.touch(u, true);
    mail.outcome = "confirmed";
    return { mail, user: u };
  }

  /** GET /users?uuids=...: unknown, deleted and out-of-subtree ids are simply absent. */
  usersByIds(caller: ApiClient, ids: string[], allowDeleted: boolean): UserRecord[] {
    const out: UserRecord[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const u = this.users.get(id);
      if (!u || (u.deletedAt !== null && !allowDeleted)) continue;
      if (!this.inSubtree(u.tenantId, caller.tenantId)) continue;
      out.push(u);
    }
    return out;
  }

  /** A tenant id the caller may list from: 400 malformed, 404 unknown, 403 outside its subtree. */
  private requireTenantRoot(caller: ApiClient, raw: string, field: string): string {
    const root = parseUuid(raw, field);
    if (!this.tenants.has(root)) throw notFound(`tenant ${root} not found`);
    if (!this.inSubtree(root, caller.tenantId)) {
      throw accessDenied(`tenant ${root} is outside the caller's tenant subtree`);
    }
    return root;
  }

  /** GET /users?subtree_root_tenant_id=...: depth-first by tenant, then seed order. */
  usersInSubtree(
    caller: ApiClient,
    rawRoot: string,
    offset: number,
    limit: number,
    allowDeleted: boolean,
  ): { users: UserRecord[]; next: number | null } {
    const root = this.requireTenantRoot(caller, rawRoot, "subtree_root_tenant_id");
    const out: UserRecord[] = [];
    let index = 0;
    let more = false;
    const stack = [root];
    outer: while (stack.length > 0) {
      const t = stack.pop() as string;
      for (const id of this.usersByTenant.get(t) ?? []) {
        const u = this.users.get(id);
        if (!u || (u.deletedAt !== null && !allowDeleted)) continue;
        if (index++ < offset) continue;
        if (out.length >= limit) {
          more = true;
          break outer;
        }
        out.push(u);
      }
      const kids = this.tenants.get(t)?.children ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as string);
    }
    return { users: out, next: more ? offset + out.length : null };
  }

  /**
   * GET /search: every query word must prefix some word of login, email, first or last name
   * (tenants: of the name), case-insensitively. Depth-first from the search root.
   */
  search(
    caller: ApiClient,
    rawTenant: string | null,
    text: string | null,
    limit: number,
    allowDeleted: boolean,
  ): Record<string, unknown>[] {
    if (!rawTenant) throw badRequest("tenant: required");
    const root = this.requireTenantRoot(caller, rawTenant, "tenant");
    const query = (text ?? "")
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w.length > 0);
    if (query.length === 0) throw badRequest("text: required");
    const items: Record<string, unknown>[] = [];
    const visit = (tenantId: string, pathToParent: string[]): void => {
      const t = this.tenants.get(tenantId);
      if (!t || items.length >= limit) return;
      if (matchesAll(query, [t.name])) {
        items.push({
          obj_type: "tenant",
          kind: t.kind,
          id: t.id,
          parent_id: t.parentId ?? t.id,
          path: pathToParent,
          name: t.name,
          first_name: null,
          last_name: null,
          deleted_at: null,
        });
      }
      const here = [...pathToParent, t.name];
      for (const id of this.usersByTenant.get(tenantId) ?? []) {
        if (items.length >= limit) return;
        const u = this.users.get(id);
        if (!u || (u.deletedAt !== null && !allowDeleted)) continue;
        const ct = u.contact;
        if (matchesAll(query, [u.login, ct.email, ct.firstname, ct.lastname])) {
          // Email is searched but deliberately not returned (schema `global_search`).
          items.push({
            obj_type: "user",
            id: u.id,
            parent_id: u.tenantId,
            path: here,
            login: u.login,
            first_name: ct.firstname,
            last_name: ct.lastname,
            deleted_at: u.deletedAt,
          });
        }
      }
      for (const child of t.children) visit(child, here);
    };
    visit(root, []);
    return items;
  }

  // ---- out-of-band (control surface) ----

  patchUser(rawId: string, patch: UserPatch): UserRecord {
    const id = parseUuid(rawId, "user_id");
    const u = this.users.get(id);
    if (!u) throw notFound(`user ${id} not found`);
    // First, so a refused login leaves the user untouched.
    if (patch.login !== undefined && patch.login !== u.login) this.setLogin(u, patch.login);
    if (patch.email !== undefined) u.contact.email = patch.email;
    if (patch.activated !== undefined) u.activated = patch.activated;
    if (patch.enabled !== undefined) u.enabled = patch.enabled;
    if (patch.firstname !== undefined) u.contact.firstname = patch.firstname;
    if (patch.lastname !== undefined) u.contact.lastname = patch.lastname;
    this.touch(u, true);
    if (patch.version !== undefined) u.version = patch.version;
    return u;
  }

  deleteUser(rawId: string): UserRecord {
    const id = parseUuid(rawId, "user_id");
    const u = this.users.get(id);
    if (!u || u.deletedAt !== null) throw notFound(`user ${id} not found`);
    this.touch(u, false);
    u.deletedAt = u.updatedAt;
    return u;
  }
}

export function parseUuid(raw: string, field: string): string {
  if (!UUID_RE.test(raw)) throw badRequest(`${field}: '${raw}' is not a UUID`);
  return raw.toLowerCase();
}
