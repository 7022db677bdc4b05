import type * as pulumi from "@pulumi/pulumi";
import { checkInputs, type RawInputs, UNKNOWN, type UserEmailInputs } from "../decision/inputs";
import {
  adoptionOutcome,
  decideDiff,
  desiredOf,
  type LiveAccount,
  outputsAfterRefresh,
  pendingFrom,
  resendAtOf,
  type UserEmailOutputs,
} from "../decision/reconcile";
import { adoptionNote, failsEveryAccount, unreadNote } from "./adoption-notes";
import { converge } from "./converge";
import { ProviderSession } from "./provider-session";
import { explainRefreshError } from "./refresh-credentials";
import { reported } from "./step-error";
import { missingLine, pendingLine, recordLine, releasedLine, say } from "./step-lines";

/**
 * The Pulumi steps of UserEmail. Each step is a short sequence: read the account, ask the
 * decision core (decision/reconcile.ts), call the client, shape outputs. What create and update
 * do to an account is converge.ts; the lines the steps print are step-lines.ts. What the steps
 * share (the settings `configure` received, the API client, the counts for acronis:maxEmailChanges)
 * is one ProviderSession, made by `configure`; its doc comment says how long each part lives.
 */

/** Made by `configure`; each configure replaces it (provider-session.ts says what carries over). */
let session: ProviderSession | undefined;

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
    const desired = desiredOf(news);
    const pending = pendingFrom(stored);
    // A Diff with no Check before it in this process is a refresh's: it plans no write.
    if (session.wasChecked(news.userId)) session.countChange(desired, live, pending);
    if (decision.reason === "pending-confirmation" && pending) {
      say(pendingLine(news.userId, pending, resendAtOf(pending, desired.resendAfterMs)));
    }
    if (decision.reason === "record-confirmation") say(recordLine(news.userId));
    if (decision.reason === "account-missing") say(missingLine(news.userId));
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
  say(releasedLine(id));
}

export { release as delete };

/** The tenant stored outputs name (absent in state written before outputs carried it). */
function tenantOf(stored: Partial<UserEmailOutputs>): string | undefined {
  return typeof stored.tenantId === "string" && stored.tenantId !== ""
    ? stored.tenantId
    : undefined;
}
