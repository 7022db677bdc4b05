import type * as pulumi from "@pulumi/pulumi";
import { AcronisApiError, AcronisClient, isVersionMismatch, OutcomeUnknownError } from "./api";
import { parseDuration } from "./duration";
import { checkInputs, DEFAULT_RESEND_AFTER, UNKNOWN, type UserEmailInputs } from "./inputs";
import {
  admitChange,
  type Desired,
  decideDiff,
  decideUpdate,
  type LiveAccount,
  needsWrite,
  outputsAfterPut,
  outputsAfterRefresh,
  type PendingRequest,
  pendingAfterLostResponse,
  pendingFrom,
  resendAtOf,
  type UserEmailOutputs,
} from "./reconcile";
import {
  type CheckSettings,
  type ConfigLookup,
  clientOptions,
  howToSetSetting,
  instanceName,
  loadCheckPolicy,
  loadSettings,
  SettingsError,
} from "./settings";

/**
 * The Pulumi steps of UserEmail. Each step is a short sequence: read the account, ask the
 * decision core (reconcile.ts), call the client, shape outputs. The API client is built once per
 * host process from the settings `configure` received, and shared by every resource the engine
 * sends to this process.
 */

/** How many times update re-reads and retries when another writer moved the version on. */
const MAX_WRITE_ATTEMPTS = 4;

/** DEFAULT_RESEND_AFTER in ms, parsed once: the fallback when a stored resendAfter does not parse. */
const DEFAULT_RESEND_AFTER_MS = defaultResendAfterMs();

let configLookup: ConfigLookup = () => undefined;
let client: AcronisClient | undefined;
/** Read once per configure: check runs for every resource, and config does not change in between. */
let checkPolicy: CheckSettings | undefined;
/**
 * The accounts this process would change, counted against acronis:maxEmailChanges. A process
 * serves one deployment (preview and update each start their own; each provider instance has its
 * own). Not cleared by configure: the host configures once per distinct `__provider` text, which
 * may happen twice in one deployment, and a second count would double the limit.
 */
const changing = new Set<string>();
/**
 * The accounts this process has checked. The engine sends a Diff of a resource the program
 * declares only after that resource's Check, to the same provider process (pulumi/pulumi
 * step_generator.go `continueStepsFromImport` then `diff`); the Diff that follows a refresh Read
 * (step.go `RefreshStep.Apply`) has no Check before it. Only the first kind plans a write, so
 * only an account checked here is counted in Diff: a refresh never trips acronis:maxEmailChanges.
 */
const checked = new Set<string>();

/**
 * A line for the user: Pulumi shows the host's console output since 3.146; `pulumi.log` does
 * not work inside the host.
 */
function say(line: string): void {
  console.log(line);
}

export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  configLookup = (key) => req.config.get(key);
  checkPolicy = undefined;
  await client?.close();
  client = undefined;
}

function api(): AcronisClient {
  if (!client) {
    client = new AcronisClient(clientOptions(loadSettings(configLookup, process.env)));
  }
  return client;
}

function policy(): CheckSettings {
  checkPolicy ??= loadCheckPolicy(configLookup, process.env);
  return checkPolicy;
}

export async function check(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<UserEmailInputs>> {
  return reported("check", news.userId, async () => {
    const result = checkInputs(news, policy());
    // An account new to the stack (or to this resource) gets no Diff, and no Create in preview:
    // Check is where the engine lets us count it. `olds` are the old inputs, {} for a new one.
    const { inputs } = result;
    const known = inputs && inputs.userId !== UNKNOWN && inputs.email !== UNKNOWN;
    if (known) checked.add(inputs.userId);
    if (known && olds.userId !== inputs.userId && policy().maxEmailChanges !== null) {
      // A new resource carries no stored tenant yet: a plain read.
      countChange(desiredOf(inputs), await readAccount(inputs.userId, undefined), null);
    }
    return result;
  });
}

export async function diff(
  _id: string,
  stored: UserEmailOutputs,
  news: UserEmailInputs,
): Promise<pulumi.dynamic.DiffResult> {
  return reported("diff", news.userId, async () => {
    if (news.userId === UNKNOWN || news.email === UNKNOWN) {
      // Not known until another resource is applied: the engine shows it as a possible change.
      const replaces = news.userId === UNKNOWN ? ["userId"] : [];
      return { changes: true, replaces, deleteBeforeReplace: false };
    }
    const live =
      stored.userId === news.userId ? await readAccount(news.userId, tenantOf(stored)) : null;
    const decision = decideDiff(news, stored, live);
    // A Diff with no Check before it in this process is a refresh's: it plans no write.
    if (checked.has(news.userId)) countChange(desiredOf(news), live, pendingFrom(stored));
    if (decision.reason === "pending-confirmation") reportPending(news, stored);
    if (decision.reason === "account-missing") {
      say(
        `acronis: account ${news.userId}: not found on the platform; \`pulumi refresh\` drops it from the stack`,
      );
    }
    return { changes: decision.changes, replaces: decision.replaces, deleteBeforeReplace: false };
  });
}

/** The account already exists: create adopts it, then converges like update. */
export async function create(
  inputs: UserEmailInputs,
): Promise<pulumi.dynamic.CreateResult<UserEmailOutputs>> {
  return reported("create", inputs.userId, async () => ({
    id: inputs.userId,
    outs: await converge(inputs, null, undefined),
  }));
}

export async function update(
  _id: string,
  stored: UserEmailOutputs,
  news: UserEmailInputs,
): Promise<pulumi.dynamic.UpdateResult<UserEmailOutputs>> {
  return reported("update", news.userId, async () => ({
    outs: await converge(news, pendingFrom(stored), tenantOf(stored)),
  }));
}

export async function read(
  id: string,
  stored: Partial<UserEmailOutputs>,
): Promise<pulumi.dynamic.ReadResult<UserEmailOutputs>> {
  return reported("refresh", id, async () => {
    const live = await readAccount(id, tenantOf(stored));
    // An empty id tells the engine the resource is gone.
    if (live === null) return { id: "", props: {} as UserEmailOutputs };
    return {
      id,
      props: outputsAfterRefresh({ ...stored, email: stored.email ?? live.email }, live),
    };
  });
}

/** Removing the resource releases the account from management; the account and its email stay. */
async function release(id: string, _stored?: Partial<UserEmailOutputs>): Promise<void> {
  say(`acronis: account ${id}: no longer managed by this stack; its email is left as it is`);
}

export { release as delete };

/**
 * Reads, decides, writes, until the account is synced or a confirmation is pending. The first
 * read may come from this process's cache (the Diff just read the account): the PUT carries the
 * version read, so a stale answer ends in a version mismatch. Re-reads after a version mismatch
 * (another writer) and after a PUT whose answer was lost; the client has dropped the account's
 * cache entry by then, so those re-reads go to the platform and a change is never sent blind.
 */
async function converge(
  inputs: UserEmailInputs,
  priorPending: PendingRequest | null,
  tenantId: string | undefined,
): Promise<UserEmailOutputs> {
  const desired = desiredOf(inputs);
  let pending = priorPending;
  for (let attempt = 1; ; attempt++) {
    const live = await readAccount(desired.userId, tenantId);
    if (live === null) {
      throw new StepError(
        `account ${desired.userId} was not found`,
        "check the userId; an account deleted on the platform leaves the stack with `pulumi refresh`",
      );
    }
    const now = new Date();
    const decision = decideUpdate(desired, live, pending, now);
    // Recording, or waiting: diff has already told the user, once per account, what is pending
    // and until when.
    if (decision.action !== "put") return decision.outputs;
    // Synchronously before the write: at most the limit accounts are written, whatever ran before.
    admit(desired.userId);
    try {
      const returned = await api().updateUserEmail(
        desired.userId,
        decision.email,
        decision.version,
      );
      const outputs = outputsAfterPut(desired, returned, now);
      if (outputs.status === "pendingConfirmation") {
        say(
          `acronis: account ${desired.userId}: confirmation link for ${desired.email} sent to the ` +
            `account's current address at ${now.toISOString()}; the email changes when the user ` +
            `opens it; \`up\` sends a new link after ${inputs.resendAfter} if still unconfirmed`,
        );
      }
      return outputs;
    } catch (error) {
      if (attempt >= MAX_WRITE_ATTEMPTS) throw capReached(error);
      if (isVersionMismatch(error)) continue;
      if (error instanceof OutcomeUnknownError) {
        pending = pendingAfterLostResponse(desired, live, now) ?? pending;
        continue;
      }
      throw error;
    }
  }
}

/** The last write's error, explained when every write met another writer's change. */
function capReached(error: unknown): unknown {
  if (!isVersionMismatch(error)) return error;
  return new StepError(
    `gave up after ${MAX_WRITE_ATTEMPTS} writes`,
    `each was refused because the account changed after it was read (another writer keeps ` +
      `changing it); the last answer: ${error.message}; nothing was changed, run \`up\` again ` +
      "once the other writer is done",
  );
}

/** acronis:maxEmailChanges: counts the account if the next `up` would write it. */
function countChange(desired: Desired, live: LiveAccount | null, pending: PendingRequest | null) {
  if (needsWrite(desired, live, pending, new Date())) admit(desired.userId);
}

/** Counts the account against acronis:maxEmailChanges, or refuses it; synchronous, so exact. */
function admit(userId: string): void {
  const admission = admitChange(policy().maxEmailChanges, changing, userId);
  if (!admission.admitted) {
    const { atLeast, limit } = admission;
    throw new StepError(
      "refused by acronis:maxEmailChanges",
      `this run would change the email of at least ${atLeast} account${atLeast === 1 ? "" : "s"}, ` +
        `the limit is ${limit}; nothing is written for this account (if the changes are ` +
        `intended, raise the limit: ${howToSetSetting("maxEmailChanges")})`,
    );
  }
  if (admission.count) changing.add(userId);
}

/**
 * The account as the platform holds it, or null when it is gone (404, or deleted). `tenantId`,
 * from stored outputs, lets the client read that tenant ahead; the answer is the same either way.
 */
async function readAccount(id: string, tenantId: string | undefined): Promise<LiveAccount | null> {
  try {
    const user = await api().getUser(id, { tenantId });
    return user.deletedAt === null ? user : null;
  } catch (error) {
    if (error instanceof AcronisApiError && error.status === 404) return null;
    throw error;
  }
}

/** The tenant stored outputs name (absent in state written before outputs carried it). */
function tenantOf(stored: Partial<UserEmailOutputs>): string | undefined {
  return typeof stored.tenantId === "string" && stored.tenantId !== ""
    ? stored.tenantId
    : undefined;
}

function defaultResendAfterMs(): number {
  const parsed = parseDuration(DEFAULT_RESEND_AFTER);
  if (!parsed.ok) throw new Error(`DEFAULT_RESEND_AFTER: ${parsed.reason}`);
  return parsed.ms;
}

function desiredOf(inputs: UserEmailInputs): Desired {
  const duration = parseDuration(inputs.resendAfter ?? DEFAULT_RESEND_AFTER);
  return {
    userId: inputs.userId,
    email: inputs.email,
    resendAfterMs: duration.ok ? duration.ms : DEFAULT_RESEND_AFTER_MS,
  };
}

function reportPending(news: UserEmailInputs, stored: UserEmailOutputs): void {
  const pending = pendingFrom(stored);
  if (!pending) return;
  const resendAt = resendAtOf(pending, desiredOf(news).resendAfterMs);
  say(
    `acronis: account ${news.userId}: confirmation of ${pending.email} pending since ` +
      `${pending.requestedAt.toISOString()} (link sent to the account's current address); ` +
      `\`up\` ${resendAt > new Date() ? `sends a new link after ${resendAt.toISOString()}` : "sends a new link"}`,
  );
}

/** An error for the user: a summary and what to do. Printed without our stack trace. */
class StepError extends Error {
  constructor(summary: string, detail: string) {
    super(`${summary}: ${detail}`);
    this.name = "AcronisUserEmail";
  }
}

/** Which explicit provider instance failed, unless the error names it already. */
function via(error: unknown): string {
  const instance = instanceName(configLookup);
  return instance === undefined || error instanceof SettingsError
    ? ""
    : ` via AcronisProvider "${instance}"`;
}

/**
 * Every step's errors reach the user as one line naming the step and the account. The host prints
 * `${error}: ${error.stack}` for some steps, so the stack is emptied: it is ours, not theirs.
 */
async function reported<T>(step: string, account: unknown, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const who = typeof account === "string" && account !== "" ? ` account ${account}` : "";
    const wrapped = new StepError(`UserEmail ${step}${who}${via(error)}`, message);
    wrapped.stack = "";
    throw wrapped;
  }
}
