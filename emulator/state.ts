import { accessDenied, loginConflict, notFound } from "./errors";
import { clientFromSeed, tenantFromSeed, userFromSeed } from "./new-records";
import { parseUuid } from "./patterns";
import {
  type ApiClient,
  iso,
  type Lod,
  type Mail,
  type Tenant,
  type UserRecord,
} from "./platform-records";
import type { ParsedSeed } from "./seed";
import {
  type ClientCredentials,
  DEFAULT_TOKEN_TTL_SECONDS,
  type TokenResponse,
  TokenStore,
} from "./tokens";
import { type UserSchema, userJson } from "./user-json";

export interface StateOptions {
  tokenTtlSeconds?: number;
  /** Wall clock in ms; the control surface adds an offset on top. */
  clock?: () => number;
}

/**
 * The in-memory platform: tenants, API clients, accounts, the outbox and the clock, with the
 * indexes that keep logins unique and listings in seed order. The operations on it (writes,
 * listing, search, mail links) are functions of their own modules that take it as an argument.
 */
export class PlatformState {
  readonly tenants = new Map<string, Tenant>();
  readonly clients = new Map<string, ApiClient>();
  readonly users = new Map<string, UserRecord>();
  /** Insertion-ordered user ids per tenant, for search and subtree listing. */
  private readonly usersByTenant = new Map<string, string[]>();
  private readonly loginIndex = new Map<string, string>();
  private readonly tokens = new TokenStore(this);
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
      this.tenants.set(t.id, tenantFromSeed(t));
      this.usersByTenant.set(t.id, []);
    }
    for (const t of this.tenants.values()) {
      if (t.parentId) this.tenants.get(t.parentId)?.children.push(t.id);
    }
    for (const c of this.seed.clients) this.clients.set(c.client_id, clientFromSeed(c, at));
    for (const u of this.seed.users) this.index(userFromSeed(u, at));
  }

  private index(u: UserRecord): void {
    this.users.set(u.id, u);
    this.usersByTenant.get(u.tenantId)?.push(u.id);
    this.loginIndex.set(u.login, u.id);
  }

  // ---- tokens ----

  issuedTokens(): readonly string[] {
    return this.tokens.issuedTokens();
  }

  issueToken(
    grantType: string | undefined,
    creds: ClientCredentials | undefined,
    ip: string | null,
  ): TokenResponse {
    return this.tokens.issue(grantType, creds, ip);
  }

  /** The API client behind an `Authorization: Bearer` header, or a 401. */
  authenticate(authorization: string | undefined): ApiClient {
    return this.tokens.authenticate(authorization);
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

  /** Ids of the tenant's accounts (deleted ones included), in the order they were added. */
  userIdsOf(tenantId: string): readonly string[] {
    return this.usersByTenant.get(tenantId) ?? [];
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

  /** The account as the API answers it, at level of detail `lod`. */
  userJson(u: UserRecord, lod: Lod = "full", schema: UserSchema = "user"): Record<string, unknown> {
    return userJson(u, lod, this.tenants.get(u.tenantId)?.kind ?? "customer", schema);
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
    this.index(u);
  }

  /**
   * Renames `u`, keeping the login index in step. 409 when another user (deleted ones included:
   * a soft-deleted account keeps its login) already holds `login`; nothing changes then.
   */
  setLogin(u: UserRecord, login: string): void {
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

  // ---- mail ----

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
}
