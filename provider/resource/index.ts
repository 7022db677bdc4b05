/**
 * The resource and its steps: the Pulumi side of the provider.
 * - user-email.ts: `UserEmail`, the resource a program declares (its inputs, its outputs).
 * - acronis-provider.ts: `AcronisProvider`, an explicit provider instance (a datacenter, a client).
 * - steps.ts: what happens on each step Pulumi calls (configure, check, diff, create, read,
 *   update, delete), each a few calls: the session's settings and client, a read, the decision
 *   core, a write, the outputs. converge.ts: what `up` does to an account, create and update alike
 *   (read, decide, write, until synced or pending).
 * - provider-session.ts (what `configure` makes); step-lines.ts, step-error.ts, adoption-notes.ts
 *   and refresh-credentials.ts (what a step prints, and the words of a failed one).
 * The object Pulumi serializes into state is ../entry.ts: it sits at the package's provider root
 * because its path is stored in every UserEmail (test/serialized-provider.test.ts pins it).
 *
 * May import: decision, settings, api.
 */

export {
  AcronisProvider,
  type AcronisProviderArgs,
  AcronisProviderError,
  type AcronisProviderSettings,
  acronisProviderInputs,
  PROVIDER_PACKAGE,
  SECRET_PROVIDER_INPUTS,
} from "./acronis-provider";
export { UserEmail, type UserEmailArgs, userEmailProvider } from "./user-email";
