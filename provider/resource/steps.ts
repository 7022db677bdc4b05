import type * as pulumi from "@pulumi/pulumi";
import { isVersionMismatch, OutcomeUnknownError } from "../api";
import { parseDuration } from "../decision/duration";
import {
  checkInputs,
  DEFAULT_RESEND_AFTER,
  type RawInputs,
  UNKNOWN,
  type UserEmailInputs,
} from "../decision/inputs";
import {
  adoptionOutcome,
  type Desired,
  decideDiff,
  decideUpdate,
  type LiveAccount,
  outputsAfterPut,
  outputsAfterRefresh,
  type PendingRequest,
  pendingAfterLostResponse,
  pendingFrom,
  resendAtOf,
  type UserEmailOutputs,
} from "../decision/reconcile";
import type { Steps } from "../entry";
import { adoptionNote, failsEveryAccount, unreadNote } from "./adoption-notes";
import { ProviderSession } from "./provider-session";
import { explainRefreshError } from "./refresh-credentials";
import { reported, StepError } from "./step-error";

/**
 * The Pulumi steps of UserEmail. Each step is a short sequence: read the account, ask the
 * decision core (reconcile.ts), call the client, shape outputs. What the steps share (the
 * settings `configure` received, the API client, the counts for acronis:maxEmailChanges) is one
 * ProviderSession, made by `configure`; its doc comment says how long each part lives.
 */

/** How many times update re-reads and retries when another writer moved the version on. */
const MAX_WRITE_ATTEMPTS = 4;

/** DEFAULT_RESEND_AFTER in ms, parsed once: the fallback when a stored resendAfter does not parse. */
const DEFAULT_RESEND_AFTER_MS = defaultResendAfterMs();

/** Made by `configure`; each configure replaces it (provider-session.ts says what carries over). */
let session: ProviderSession | undefined;

/**
 * A line for the user: Pulumi shows the host's console output since 3.146; `pulumi.log` does
 * not work inside the host.
 */
function say(line: string): void {
  console.log(line);
}

export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  const previous = session;
  session = ProviderSession.start((key) => req.config.get(key), previous);
  await previous?.close();
}

export async function check(
  olds: RawInputs,
  news: RawInputs,
): Promise<pulumi.dynamic.CheckResult<UserEmailInputs>> {
  return reported("check", news.userId, session, async (session) => {
    const result = checkInputs(news, session.policy());
    // An account new to the stack (or to this resource) gets no Diff, and no Create in preview:
    // Check is where the engine lets us count it. `olds` are the old inputs, {} for a new one.
    const { inputs } = result;
    // An input still unknown (an output of another resource) is not read: `up` knows it later.
    const known = inputs && inputs.userId !== UNKNOWN && inputs.email !== UNKNOWN;
    if (known) session.markChecked(inputs.userId);
    if (known && olds.userId !== inputs.userId) await previewAdoption(session, inputs);
    return result;
  });
}

export async function diff(
  _id: string,
  stored: UserEmailOutputs,
  news: UserEmailInputs,
): Promise<pulumi.dynamic.DiffResult> {
  return reported("diff", news.userId, session, async (session) => {
    if (news.userId === UNKNOWN || news.email === UNKNOWN) {
      // Not known until another resource is applied: the engine shows it as a possible change.
      const replaces = news.userId === UNKNOWN ? ["userId"] : [];
      return { changes: true, replaces, deleteBeforeReplace: false };
    }
    const live =
      stored.userId === news.userId
        ? await session.readAccount(news.userId, tenantOf(stored))
        : null;
    const decision = decideDiff(news, stored, live);
    // A Diff with no Check before it in this process is a refresh's: it plans no write.
    if (session.wasChecked(news.userId)) {
      session.countChange(desiredOf(news), live, pendingFrom(stored));
    }
    if (decision.reason === "pending-confirmation") reportPending(news, stored);
    if (decision.reason === "record-confirmation") {
      // Pulumi shows this as `~ update` naming no property: say why, and that nothing is sent.
      say(
        `acronis: account ${news.userId}: the platform already holds the declared address (a ` +
          "confirmation link was opened, or someone set it); `up` records that in the stack " +
          "and sends nothing",
      );
    }
    if (decision.reason === "account-missing") {
      say(
        `acronis: account ${news.userId}: not found on the platform; \`pulumi refresh\` drops it from the stack`,
      );
    }
    return { changes: decision.changes, replaces: decision.replaces, deleteBeforeReplace: false };
  });
}

/**
 * An account new to the stack gets no Diff, and no Create in preview: its Check reads it and says
 * what `up` will do with it (adoption-notes.ts), so the first preview is one a reviewer can approve.
 * The read is the one the update's Create then answers from (the client's cache), and it is where
 * acronis:maxEmailChanges counts the account. A read that fails for every account (settings,
 * credentials) fails the preview as it would fail `up`; with the limit set, any failed read does,
 * as before (the count needs the answer); otherwise a platform error is said for the account.
 */
async function previewAdoption(session: ProviderSession, inputs: UserEmailInputs): Promise<void> {
  const desired = desiredOf(inputs);
  let live: LiveAccount | null;
  try {
    live = await session.readNewAccount(inputs.userId);
  } catch (error) {
    if (session.policy().maxEmailChanges !== null || failsEveryAccount(error)) throw error;
    session.rememberUnread(inputs.userId, error);
    say(unreadNote(inputs.userId, error));
    return;
  }
  session.countChange(desired, live, null);
  say(adoptionNote(inputs.userId, adoptionOutcome(desired, live)));
}

/** The account already exists: create adopts it, then converges like update. */
export async function create(
  inputs: UserEmailInputs,
): Promise<pulumi.dynamic.CreateResult<UserEmailOutputs>> {
  return reported("create", inputs.userId, session, async (session) => ({
    id: inputs.userId,
    outs: await converge(session, inputs, null, undefined),
  }));
}

export async function update(
  _id: string,
  stored: UserEmailOutputs,
  news: UserEmailInputs,
): Promise<pulumi.dynamic.UpdateResult<UserEmailOutputs>> {
  return reported("update", news.userId, session, async (session) => ({
    outs: await converge(session, news, pendingFrom(stored), tenantOf(stored)),
  }));
}

export async function read(
  id: string,
  stored: Partial<UserEmailOutputs> = {},
): Promise<pulumi.dynamic.ReadResult<UserEmailOutputs>> {
  return reported("refresh", id, session, async (session) => {
    const live = await session.readAccount(id, tenantOf(stored)).catch((error: unknown) => {
      throw explainRefreshError(error);
    });
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
 * entry.ts loads this module as its `Steps`: the compiler holds these exports to the SDK's
 * contract (a type only, nothing is emitted).
 */
export type Contract = HoldsTo<{
  configure: typeof configure;
  check: typeof check;
  diff: typeof diff;
  create: typeof create;
  read: typeof read;
  update: typeof update;
  delete: typeof release;
}>;
type HoldsTo<T extends Steps> = T;

/**
 * Reads, decides, writes, until the account is synced or a confirmation is pending. The first
 * read may come from this process's cache (the Diff just read the account): the PUT carries the
 * version read, so a stale answer ends in a version mismatch. Re-reads after a version mismatch
 * (another writer) and after a PUT whose answer was lost; the client has dropped the account's
 * cache entry by then, so those re-reads go to the platform and a change is never sent blind.
 */
async function converge(
  session: ProviderSession,
  inputs: UserEmailInputs,
  priorPending: PendingRequest | null,
  tenantId: string | undefined,
): Promise<UserEmailOutputs> {
  const desired = desiredOf(inputs);
  const unread = session.takeUnread(desired.userId);
  if (unread !== undefined) throw unread;
  let pending = priorPending;
  for (let attempt = 1; ; attempt++) {
    const live = await session.readAccount(desired.userId, tenantId);
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
    session.admit(desired.userId);
    try {
      const returned = await session
        .api()
        .updateUserEmail(desired.userId, decision.email, decision.version);
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
