import { SettingsError } from "../settings/settings";

/** An error for the user: a summary and what to do. Printed without our stack trace. */
export class StepError extends Error {
  constructor(summary: string, detail: string) {
    super(`${summary}: ${detail}`);
    this.name = "AcronisUserEmail";
  }
}

/**
 * What a step's error needs of its session (provider-session.ts `ProviderSession`): the explicit
 * provider instance it serves, if any. Named here so this file sits below the session, which
 * throws StepErrors.
 */
export interface StepSession {
  instance(): string | undefined;
}

/** Which explicit provider instance failed, unless the error names it already. */
function via(error: unknown, session: StepSession | undefined): string {
  const instance = session?.instance();
  return instance === undefined || error instanceof SettingsError
    ? ""
    : ` via AcronisProvider "${instance}"`;
}

/**
 * Runs one step with the session `configure` made. Every step's errors reach the user as one line
 * naming the step and the account. The host prints `${error}: ${error.stack}` for some steps, so
 * the stack is emptied: it is ours, not theirs.
 */
export async function reported<T, S extends StepSession>(
  step: string,
  account: unknown,
  session: S | undefined,
  run: (session: S) => Promise<T>,
): Promise<T> {
  try {
    if (session === undefined) {
      // The SDK's host configures a provider before its first step (cmd/dynamic-provider getProvider).
      throw new Error("no configure came before this step; the provider host must configure first");
    }
    return await run(session);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const who = typeof account === "string" && account !== "" ? ` account ${account}` : "";
    const wrapped = new StepError(`UserEmail ${step}${who}${via(error, session)}`, message);
    wrapped.stack = "";
    throw wrapped;
  }
}
