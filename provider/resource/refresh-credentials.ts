import { AcronisApiError } from "../api";

/**
 * What a refused sign-in during a refresh means, and the one command that fixes it.
 *
 * Pulumi configures the provider of a refresh (`pulumi refresh`, and the refresh that
 * `preview --refresh` / `up --refresh` run before the program) from the provider's inputs stored
 * in the state at the last update, not from the current stack config (pulumi/pulumi
 * pkg/resource/deploy/deployment.go `EnsureProvider`; engine/providers.ts). A secret rotated in
 * the stack config is therefore not used until an update records it, and once the old secret is
 * revoked every refresh fails with 401. `pulumi up` without `--refresh` records the current
 * config first, and needs no refresh to do it. Credentials passed as ACRONIS_* variables are
 * never stored, so a refresh always signs in with the current ones
 * (docs/credentials-and-rotation.md).
 */
export const REFRESH_CREDENTIALS_HINT =
  "a refresh signs in with the credentials stored in the stack's state by its last update, " +
  "not with the current stack config; if this API client's secret was rotated and the old one " +
  "revoked, record the current credentials once with `pulumi up` (without --refresh), then " +
  "refresh again (docs/credentials-and-rotation.md)";

/** The error of a refresh Read: a refused sign-in gets the cause and the fix; others unchanged. */
export function explainRefreshError(error: unknown): unknown {
  if (!(error instanceof AcronisApiError) || error.kind !== "auth") return error;
  return new Error(`${error.message}. ${REFRESH_CREDENTIALS_HINT}`);
}
