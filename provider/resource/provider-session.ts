import { AcronisApiError, AcronisClient } from "../api";
import {
  admitChange,
  type Desired,
  type LiveAccount,
  needsWrite,
  type PendingRequest,
} from "../decision/reconcile";
import {
  type CheckSettings,
  type ConfigLookup,
  clientOptions,
  howToSetSetting,
  instanceName,
  loadCheckPolicy,
  loadSettings,
} from "../settings/settings";
import { StepError } from "./step-error";

/**
 * What the steps of one provider host process share, made by `configure` and used by every step.
 *
 * Lifetimes:
 * - A host process serves one deployment of one provider instance (preview and update each start
 *   their own; each explicit provider instance has its own). The host calls `configure` before the
 *   first step, and again for each further distinct `__provider` text (so possibly twice in one
 *   deployment): each call makes a new session from the config it brings.
 * - Per session: the stack config, the API client (built on the first step that needs it, closed
 *   when the next configure replaces the session) and the check policy (read once: check runs for
 *   every resource, and config does not change in between).
 * - Per process: the accounts counted against acronis:maxEmailChanges (`changing`) and the
 *   accounts checked (`checked`). Handed on from session to session, never cleared: a second
 *   configure in the same deployment must not count again, or the limit would double.
 * - A step still running when its session is replaced goes on with the new session's config and
 *   client (the old client is closed): a replaced session hands every request to its successor.
 */
export class ProviderSession {
  private client: AcronisClient | undefined;
  private checkPolicy: CheckSettings | undefined;
  private replacedBy: ProviderSession | undefined;
  /** The tenant the last account new to the stack was found in (readNewAccount). */
  private newAccountsTenant: string | undefined;
  /** Accounts whose Check read failed for a platform reason, with the error (takeUnread). */
  private readonly unread = new Map<string, unknown>();

  private constructor(
    /** The stack config (or the explicit provider instance's inputs) `configure` received. */
    private readonly config: ConfigLookup,
    /** The accounts this process would change, counted against acronis:maxEmailChanges. */
    private readonly changing: Set<string>,
    /**
     * The accounts this process has checked. The engine sends a Diff of a resource the program
     * declares only after that resource's Check, to the same provider process (pulumi/pulumi
     * step_generator.go `continueStepsFromImport` then `diff`); the Diff that follows a refresh
     * Read (step.go `RefreshStep.Apply`) has no Check before it. Only the first kind plans a
     * write, so only an account checked here is counted in Diff: a refresh never trips
     * acronis:maxEmailChanges.
     */
    private readonly checked: Set<string>,
  ) {}

  /** The session a `configure` starts; the previous one keeps its client until closed. */
  static start(config: ConfigLookup, previous: ProviderSession | undefined): ProviderSession {
    const next = new ProviderSession(
      config,
      previous?.changing ?? new Set(),
      previous?.checked ?? new Set(),
    );
    if (previous !== undefined) previous.replacedBy = next;
    return next;
  }

  /** The session now in force: this one, or the one that replaced it. */
  private current(): ProviderSession {
    return this.replacedBy?.current() ?? this;
  }

  /** Ends the session's client (its counts live on in the session that replaced it). */
  async close(): Promise<void> {
    await this.client?.close();
    this.client = undefined;
  }

  api(): AcronisClient {
    const session = this.current();
    session.client ??= new AcronisClient(clientOptions(loadSettings(session.config, process.env)));
    return session.client;
  }

  policy(): CheckSettings {
    const session = this.current();
    session.checkPolicy ??= loadCheckPolicy(session.config, process.env);
    return session.checkPolicy;
  }

  /** The explicit provider instance this session serves, if any (for error messages). */
  instance(): string | undefined {
    return instanceName(this.current().config);
  }

  markChecked(userId: string): void {
    this.checked.add(userId);
  }

  wasChecked(userId: string): boolean {
    return this.checked.has(userId);
  }

  /**
   * The account as the platform holds it, or null when it is gone (404, or deleted). `tenantId`,
   * from stored outputs, lets the client read that tenant ahead; the answer is the same either way.
   */
  async readAccount(id: string, tenantId: string | undefined): Promise<LiveAccount | null> {
    try {
      const user = await this.api().getUser(id, { tenantId });
      return user.deletedAt === null ? user : null;
    } catch (error) {
      if (error instanceof AcronisApiError && error.status === 404) return null;
      throw error;
    }
  }

  /**
   * An account new to the stack (no stored outputs, so no tenant to read ahead in). The tenant of
   * the last one found stands in: an adoption declares a tenant's accounts one after another, so
   * read-ahead lists that tenant and answers the next Checks from it. Only a hint: an account the
   * listing does not hold is read on its own, and a wrong guess costs at most one page.
   */
  async readNewAccount(id: string): Promise<LiveAccount | null> {
    const live = await this.readAccount(id, this.newAccountsTenant);
    if (live !== null) this.newAccountsTenant = live.tenantId;
    return live;
  }

  /**
   * A Check read that failed after the client's retries (a 5xx, a timeout): the Create that
   * follows in this process fails with it at once instead of sending another round of retries
   * to a platform that just refused them all.
   */
  rememberUnread(id: string, error: unknown): void {
    this.unread.set(id, error);
  }

  /** The failure remembered for `id`, once. */
  takeUnread(id: string): unknown {
    const error = this.unread.get(id);
    this.unread.delete(id);
    return error;
  }

  /** acronis:maxEmailChanges: counts the account if the next `up` would write it. */
  countChange(desired: Desired, live: LiveAccount | null, pending: PendingRequest | null): void {
    if (needsWrite(desired, live, pending, new Date())) this.admit(desired.userId);
  }

  /** Counts the account against acronis:maxEmailChanges, or refuses it; synchronous, so exact. */
  admit(userId: string): void {
    const admission = admitChange(this.policy().maxEmailChanges, this.changing, userId);
    if (!admission.admitted) {
      const { atLeast, limit } = admission;
      throw new StepError(
        "refused by acronis:maxEmailChanges",
        `this run would change the email of at least ${atLeast} account${atLeast === 1 ? "" : "s"}, ` +
          `the limit is ${limit}; nothing is written for this account (if the changes are ` +
          `intended, raise the limit: ${howToSetSetting("maxEmailChanges")})`,
      );
    }
    if (admission.count) this.changing.add(userId);
  }
}
