import type { ProviderHost } from "./host";
import type { Op, ResourceState } from "./model";
import { diffOutcome } from "./options";

/**
 * One refresh step, as pulumi/pulumi at 1b5949891b3c runs it (pkg/resource/deploy/step.go
 * `RefreshStep.Apply` and `RefreshStep.ResultOp`):
 *
 * - Read, with the stored id, inputs and outputs; an empty id means the resource is gone.
 * - Then, unless PULUMI_ENABLE_LEGACY_REFRESH_DIFF (sdk/go/common/env/env.go
 *   `EnableLegacyRefreshDiff`, deployment option `UseLegacyRefreshDiff`), a Diff as if an `up` of
 *   an unchanged program followed: the refreshed inputs and outputs as the olds, the old inputs
 *   as the news, the resource's stored ignoreChanges passed along; the result is inverted
 *   (`diff.Invert()`), which keeps whether there are changes. A Diff error fails the step.
 * - The step shows `same` when that Diff found no changes, else `update`; a gone one `delete`
 *   (reported here as `gone`). Without the Diff: `same` only when the outputs did not change.
 */

export interface Refreshed {
  op: Op;
  /** The resource's new state, or null when the provider says it is gone. */
  state: ResourceState | null;
}

export async function refreshResource(
  host: ProviderHost,
  old: ResourceState,
  options: { legacyRefreshDiff?: boolean },
): Promise<Refreshed> {
  const read = await host.read(old.urn, old.id, old.outputs, old.inputs);
  if (read.id === "") return { op: "gone", state: null };
  const state: ResourceState = {
    ...old,
    id: read.id,
    inputs: read.inputs ?? old.inputs,
    outputs: read.properties,
  };
  if (options.legacyRefreshDiff) {
    const same = JSON.stringify(old.outputs) === JSON.stringify(state.outputs);
    return { op: same ? "same" : "update", state };
  }
  const diff = await host.diff(
    old.urn,
    state.id,
    state.outputs,
    old.inputs,
    old.ignoreChanges,
    state.inputs,
  );
  const outcome = diffOutcome(diff, state.inputs, old.inputs, old.ignoreChanges);
  return { op: outcome.changes ? "update" : "same", state };
}
