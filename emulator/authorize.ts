import { accessDenied } from "./errors";
import type { ApiClient } from "./platform-records";
import { holds, OPERATION_SCOPES, type Operation, type Scope } from "./scopes";
import type { PlatformState } from "./state";

/** The caller of an API request: 401 without a valid bearer token, 403 without the scope. */
export function authorize(
  state: PlatformState,
  authorization: string | undefined,
  operation: Operation,
): ApiClient {
  const caller = state.authenticate(authorization);
  const anyOf: readonly Scope[] = OPERATION_SCOPES[operation];
  if (!anyOf.some((s) => holds(caller.scopes, s))) {
    throw accessDenied(
      `API client ${caller.clientId} lacks the scope ${anyOf
        .map((s) => `urn:acronis.com::account-server::${s}`)
        .join(" or ")}`,
    );
  }
  return caller;
}
