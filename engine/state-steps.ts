import type { ProviderHost } from "./host";
import { isProviderType, type ResourceState, type StepResult } from "./model";
import { refreshResource } from "./refresh";
import type { StepScheduler } from "./scheduler";
import { DeleteProtectedError, deleteResource, type StepDeployment } from "./steps";

/**
 * The steps a deployment runs on the state rather than on the program's registrations: deletes
 * (after the program, and `destroy`) and refreshes (`refresh`, and `--refresh` before the
 * program). engine.ts cites the Pulumi engine source for each rule.
 */

/**
 * What these steps use of their deployment (deployment.ts `Deployment` is one): its workers, the
 * program's registrations, and what every step uses. Named here so that this file sits below it.
 */
export interface StateStepDeployment extends StepScheduler, StepDeployment {
  readonly registered: ReadonlySet<string>;
  /** Waits for every running step to finish. */
  settle(): Promise<void>;
}

/** Deletes of what the program no longer declares, and of replaced resources (rule 5). */
export async function deleteUndeclared(d: StateStepDeployment): Promise<void> {
  await deleteAll(
    d,
    d.engine.resources().filter((res) => res.pendingDelete || !d.registered.has(res.urn)),
  );
}

/**
 * Deletes on the workers (step.go `DeleteStep.Apply`: protect refuses, retainOnDelete skips
 * the provider call); provider instances last, once nothing they manage is left.
 */
export async function deleteAll(
  d: StateStepDeployment,
  resources: readonly ResourceState[],
): Promise<void> {
  for (const res of resources.filter((r) => !isProviderType(r.type))) {
    if (!(await d.acquire())) return;
    const op = res.pendingDelete ? "delete-replaced" : "delete";
    void d.onWorker(
      res.name,
      res.urn,
      op,
      async () => {
        if (res.protect && !res.pendingDelete) throw new DeleteProtectedError(res.urn);
        if (d.apply) {
          await d.mutation("delete", res, async () => {
            await deleteResource(await d.host(res.provider), res);
            d.engine.remove(res);
          });
        }
        return { op };
      },
      // step_executor.go `cancelDueToError`: a protect refusal never stops the others.
      { continueOn: (error) => error instanceof DeleteProtectedError },
    );
  }
  await d.settle();
  if (d.isCancelled || d.failed.size > 0) return;
  for (const res of resources.filter((r) => isProviderType(r.type))) {
    if (d.apply) d.engine.remove(res);
    d.record({ name: res.name, urn: res.urn, op: "delete", ok: true });
  }
}

/**
 * Refresh steps on the workers (refresh.ts). A failed one does not stop the others
 * (step_executor.go `ignoreErrors`), but fails the refresh: deployment_executor.go `Execute`
 * returns the error of `refresh` before the program runs. Resolves with whether all succeeded.
 * `only`: the resources to refresh (`refresh --run-program` refreshes here the ones the program
 * did not register: step_generator.go `GenerateRefreshes`).
 */
export async function refreshAll(
  d: StateStepDeployment,
  only: (res: ResourceState) => boolean = () => true,
): Promise<boolean> {
  // deployment_executor.go `refresh`: a step for every resource of the old snapshot, those
  // marked for deletion (a replaced one waiting for its delete) included.
  const refreshable = d.engine.resources().filter((r) => !isProviderType(r.type) && only(r));
  for (const res of refreshable) {
    if (!(await d.acquire())) break;
    void refreshStep(d, res, await d.host(res.provider), false);
  }
  await d.settle();
  return d.steps.every((step) => step.ok);
}

/**
 * One refresh step on the worker already acquired. `persisted`: a refresh step of a
 * registration (`refresh --run-program`: step_generator.go `generateResourceSteps`, a
 * `RefreshStep` with a completion source, step.go `RefreshStep.Persisted`) writes the checkpoint
 * like any mutation (snapshot.go `refreshSnapshotMutation.End`); the others are elided.
 */
export function refreshStep(
  d: StateStepDeployment,
  res: ResourceState,
  host: ProviderHost,
  persisted: boolean,
): Promise<StepResult> {
  return d.onWorker(
    res.name,
    res.urn,
    "refresh",
    async () => {
      const refreshed = await refreshResource(host, res, d.options);
      // A preview restores the state afterwards; its diffs still see what was read.
      if (refreshed.state === null) d.engine.remove(res);
      else d.engine.put(refreshed.state);
      // snapshot.go `refreshSnapshotMutation`: elided (the state written once at the end)
      // unless persisted.
      await d.checkpoint?.refresh(persisted);
      return { op: refreshed.op, outputs: refreshed.state?.outputs ?? {} };
    },
    { ignoreErrors: true },
  );
}
