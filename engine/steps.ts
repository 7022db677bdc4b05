import type { CheckpointResource, MutationKind, SnapshotManager } from "./checkpoint";
import type { ProviderHost } from "./host";
import type { Goal, Props, ResourceOptions, ResourceState } from "./model";
import type { DiffOutcome } from "./options";
import type { Done } from "./scheduler";
import type { StackStore } from "./stack-store";

/**
 * What each step of a program's resource does on its worker, to the provider and to the state,
 * as pulumi/pulumi at 1b5949891b3c runs it (pkg/resource/deploy/step.go `CreateStep`,
 * `UpdateStep`, `SameStep`, `ReplaceStep`, `ImportStep`, `DeleteStep` `Apply`), each state write
 * wrapped as the snapshot manager sees it (deployment.ts `mutation`). In a preview the provider
 * (supportsPreview=false) is not called: the step is planned, its outputs the new inputs only.
 * Also the protect refusals (step.go `deleteProtectedError`; step_generator.go
 * `continueStepsFromDiff` for a replacement).
 */

/**
 * What a step uses of its deployment (deployment.ts `Deployment` is one): named here so that this
 * file sits below the deployment that runs its steps.
 */
export interface StepDeployment {
  /** An update, whose steps call the provider and write the state; false in a preview. */
  readonly apply: boolean;
  readonly engine: StackStore;
  readonly checkpoint: SnapshotManager | undefined;
  /** The process of a resource's provider. */
  host(provider: string | undefined): Promise<ProviderHost>;
  /** A create, update or delete as the snapshot manager sees it. */
  mutation<T>(kind: MutationKind, res: CheckpointResource, body: () => Promise<T>): Promise<T>;
}

export class DeleteProtectedError extends Error {
  override name = "DeleteProtectedError";
  constructor(urn: string) {
    super(
      `resource "${urn}" cannot be deleted because it is protected. To unprotect the resource, ` +
        "either remove the `protect` flag from the resource in your Pulumi program and run " +
        `\`pulumi up\`, or use the command: \`pulumi state unprotect '${urn}'\``,
    );
  }
}

export class ReplaceProtectedError extends Error {
  override name = "ReplaceProtectedError";
  constructor(urn: string) {
    super(
      `unable to replace resource "${urn}" as it is currently marked for protection. To ` +
        "unprotect the resource, remove the `protect` flag from the resource in your Pulumi " +
        "program and run `pulumi up`",
    );
  }
}

/** The provider's Delete, unless the resource is retained on delete (`retainOnDelete`). */
export async function deleteResource(host: ProviderHost, res: ResourceState): Promise<void> {
  if (res.retainOnDelete) return;
  await host.delete(res.urn, res.id, res.outputs);
}

export async function createStep(
  d: StepDeployment,
  host: ProviderHost,
  goal: Goal,
  urn: string,
  inputs: Props,
): Promise<Done> {
  if (!d.apply) return { op: "create", outputs: inputs };
  const { name, type, provider } = goal;
  const pending = { urn, type, id: "", inputs, outputs: {}, ...(provider ? { provider } : {}) };
  return d.mutation("create", pending, async () => {
    const created = await host.create(urn, inputs);
    const state = { urn, name, type, id: created.id, inputs, outputs: created.properties };
    const stored = { ...state, ...(provider ? { provider } : {}) };
    d.engine.put(withOptions(stored, { ...goal.options, source: goal.source }));
    return { op: "create" as const, outputs: created.properties };
  });
}

/** No changes: the state takes the checked inputs and the options as set this time. */
export async function sameStep(
  d: StepDeployment,
  old: ResourceState,
  inputs: Props,
  options: ResourceOptions,
): Promise<Done> {
  if (d.apply) {
    const same = withOptions({ ...old, inputs }, options);
    d.engine.put(same);
    // snapshot.go `sameSnapshotMutation`: written only when something meaningful changed.
    await d.checkpoint?.same(old, same);
  }
  return { op: "same", outputs: old.outputs };
}

export async function updateStep(
  d: StepDeployment,
  host: ProviderHost,
  urn: string,
  old: ResourceState,
  inputs: Props,
  options: ResourceOptions,
): Promise<Done> {
  // provider_plugin.go `Update`: in a preview the provider (supportsPreview=false) is not
  // called and the outputs are the new inputs only (rule 7).
  if (!d.apply) return { op: "update", outputs: inputs };
  return d.mutation("update", old, async () => {
    const updated = await host.update(urn, old.id, old.outputs, inputs);
    d.engine.put(withOptions({ ...old, inputs, outputs: updated.properties }, options));
    return { op: "update" as const, outputs: updated.properties };
  });
}

/**
 * Create-before-delete: the new resource now, the old one kept in state marked for deletion
 * and deleted with the other deletes once the program has finished ("note that the delete
 * step is generated later on"). With deleteBeforeReplace (the option, else the provider's
 * answer) the old one is deleted first, in the same chain.
 */
export async function replaceStep(
  d: StepDeployment,
  host: ProviderHost,
  goal: Goal,
  urn: string,
  old: ResourceState,
  inputs: Props,
  diff: DiffOutcome,
): Promise<Done> {
  if (!d.apply) return { op: "replace", outputs: inputs };
  if (goal.options?.deleteBeforeReplace ?? diff.deleteBeforeReplace) {
    await d.mutation("delete", old, async () => {
      await deleteResource(await d.host(old.provider), old);
      d.engine.remove(old);
    });
  } else {
    d.engine.put({ ...old, pendingDelete: true });
  }
  return { ...(await createStep(d, host, goal, urn, inputs)), op: "replace" };
}

/**
 * step.go `ImportStep.Apply`: a Read of the named id with no inputs and no state. The
 * dynamic-provider host finds no `__provider` in it and fails; that error is the step's.
 */
export function importStep(
  d: StepDeployment,
  host: ProviderHost,
  goal: Goal,
  urn: string,
  id: string,
): Promise<Done> {
  const { name, type, provider } = goal;
  const pending = { urn, type, id, inputs: goal.inputs, outputs: {} };
  // snapshot.go `doImport`: pending, then the result, like a create.
  return d.mutation("create", { ...pending, ...(provider ? { provider } : {}) }, async () => {
    const read = await host.read(urn, id, {}, {});
    if (read.id === "") throw new Error(`resource '${id}' does not exist`);
    const state = { urn, name, type, id, inputs: goal.inputs, outputs: read.properties };
    if (d.apply) d.engine.put({ ...state, ...(provider ? { provider } : {}) });
    return { op: "import" as const, outputs: read.properties };
  });
}

/**
 * The state with the options Pulumi keeps in it, as the program set them this time
 * (step_generator.go `generateResourceSteps`: protect and retainOnDelete default to false).
 */
function withOptions(res: ResourceState, options: ResourceOptions = {}): ResourceState {
  const { protect: _p, retainOnDelete: _r, ignoreChanges: _i, ...rest } = res;
  const { sourcePosition: _s, stackTrace: _t, ...kept } = rest;
  const source = options.source;
  return {
    ...kept,
    ...(options.protect ? { protect: true } : {}),
    ...(options.retainOnDelete ? { retainOnDelete: true } : {}),
    ...(options.ignoreChanges ? { ignoreChanges: options.ignoreChanges } : {}),
    // source_eval.go: each registration's own source position and stack trace.
    ...(source?.position ? { sourcePosition: source.position } : {}),
    ...(source?.stackTrace.length ? { stackTrace: source.stackTrace } : {}),
  };
}
