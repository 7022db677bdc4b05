import { answer, Cancelled } from "./generation-calls";
import type { Goal, Registered, ResourceState } from "./model";
import { refreshStep, type StateStepDeployment } from "./state-steps";

/**
 * `refresh --run-program` and `destroy --run-program` (pulumi/pulumi at 1b5949891b3c,
 * pkg/cmd/pulumi/operations/refresh.go and destroy.go, `--run-program`): the program runs, and
 * its registrations are answered without creating or updating anything.
 *
 * - Refresh (deployment_executor.go `Execute`: `RefreshProgram`, the step generator in
 *   `refreshMode`): a registration with state gets a refresh step with a completion source
 *   (step_generator.go `generateResourceSteps`, `NewRefreshStep(..., cts, ...)`), read with the
 *   provider as the program registers it (the default provider configured from the current
 *   config), written to the checkpoint as its own mutation (backend/snapshot.go
 *   `refreshSnapshotMutation.End`, step.go `RefreshStep.Persisted`); the program gets the
 *   refreshed state (`continueStepsFromRefresh`: `event.Done` with it). A failed Read fails the
 *   registration (the completion source's error is returned by `continueStepsFromRefresh`). A
 *   registration with no state is a skipped create, no provider call (`NewSkippedCreateStep`).
 *   The resources the program did not register are refreshed after it
 *   (deployment_executor.go `performPostSteps` -> `GenerateRefreshes`), their writes elided.
 * - Destroy (`destroyMode`, `continueStepsFromRefresh`): a custom resource is never created or
 *   updated: a same step on its state; the deletes follow the program.
 */
export type StateProgram = "refresh" | "destroy";

export async function stateProgramStep(
  d: StateStepDeployment,
  kind: StateProgram,
  goal: Goal,
  urn: string,
  old: ResourceState | undefined,
): Promise<{ finished: Promise<Registered> }> {
  if (!old) return { finished: Promise.resolve({ id: "", outputs: goal.inputs }) };
  if (kind === "destroy") {
    d.record({ name: goal.name, urn, op: "same", ok: true });
    return { finished: Promise.resolve({ id: old.id, outputs: old.outputs }) };
  }
  const host = await d.host(goal.provider);
  if (!(await d.acquire())) throw new Cancelled();
  const finished = refreshStep(d, old, host, true);
  return { finished: answer(finished, () => d.engine.find(urn)?.id ?? old.id) };
}
