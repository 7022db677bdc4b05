import { isVersionMismatch, OutcomeUnknownError } from "../api";
import type { UserEmailInputs } from "../decision/inputs";
import {
  decideUpdate,
  desiredOf,
  outputsAfterPut,
  type PendingRequest,
  pendingAfterLostResponse,
  type UserEmailOutputs,
} from "../decision/reconcile";
import type { ProviderSession } from "./provider-session";
import { StepError } from "./step-error";
import { linkSentLine, say } from "./step-lines";

/**
 * What `up` does to an account (create and update alike): read it, ask the decision core, write
 * if it says so, until the account is synced or a confirmation is pending.
 *
 * The first read may come from this process's cache (the Diff just read the account): the PUT
 * carries the version read, so a stale answer ends in a version mismatch. It re-reads after a
 * version mismatch (another writer) and after a PUT whose answer was lost; the client has dropped
 * the account's cache entry by then, so those re-reads go to the platform and a change is never
 * sent blind.
 */

/** How many times update re-reads and retries when another writer moved the version on. */
export const MAX_WRITE_ATTEMPTS = 4;

export async function converge(
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
        say(linkSentLine(desired.userId, desired.email, now, inputs.resendAfter));
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
