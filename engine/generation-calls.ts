import type { ProviderHost } from "./host";
import type { Props, Registered, ResourceOptions, ResourceState, StepResult } from "./model";
import { applyReplaceOnChanges, type DiffOutcome, diffOutcome } from "./options";

/**
 * The provider calls of step generation (deployment.ts runs them in the loop, or a Diff on a
 * worker with PULUMI_PARALLEL_DIFF), and the program's answer once its step has finished.
 */

/** A registration whose step never started: the deployment stopped first. */
export class Cancelled extends Error {
  constructor() {
    super("deployment cancelled by an earlier error");
  }
}

/** Check: its failures are one error naming each property. */
export async function checkCall(
  host: ProviderHost,
  urn: string,
  olds: Props,
  news: Props,
): Promise<Props> {
  const checked = await host.check(urn, olds, news);
  if (checked.failures.length > 0) {
    throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
  }
  return checked.inputs;
}

/** step_generator.go `diffResource`, then `applyReplaceOnChanges`. */
export async function diffCall(
  host: ProviderHost,
  old: ResourceState,
  inputs: Props,
  options: ResourceOptions,
): Promise<DiffOutcome> {
  const resp = await host.diff(
    old.urn,
    old.id,
    old.outputs,
    inputs,
    options.ignoreChanges,
    old.inputs,
  );
  const outcome = diffOutcome(
    resp,
    old.inputs,
    inputs,
    options.ignoreChanges,
    resp.deleteBeforeReplace,
  );
  return applyReplaceOnChanges(outcome, options.replaceOnChanges);
}

export function isReplace(diff: DiffOutcome): boolean {
  return diff.changes && diff.replaces.length > 0;
}

/** The program's answer once its step has finished: the step's error, or its id and outputs. */
export function answer(finished: Promise<StepResult>, id: () => string): Promise<Registered> {
  return finished.then((step) => {
    if (!step.ok) throw new Error(step.error);
    return { id: id(), outputs: step.outputs ?? {} };
  });
}
