import { type ProgramRunResult, runProgram } from "./language-host";
import { DEFAULT_PARALLEL, type Goal } from "./model";
import type { ProgramRunOptions } from "./program-launch";

/**
 * What a program declares, without applying anything: the program runs once under the SDK's own
 * runner as a preview (`--dry-run`), and each registration is answered at once as the engine
 * answers a resource it would create in a preview (no id, the inputs as outputs). Tests and
 * `npm start` use it to look at the declared resources; deployments run the program through
 * the engine instead (`languageHostProgram` in program.ts), which answers with real outputs.
 */

export type CollectOptions = Omit<ProgramRunOptions, "dryRun" | "parallel"> & { parallel?: number };

export interface CollectedProgram {
  /** Each registration's resource: its URN, name, type, inputs and explicit provider. */
  goals: Goal[];
  /** Every registration as the monitor handed it over (options, secrecy and parent included). */
  registrations: Goal[];
  program: ProgramRunResult;
}

export async function collectGoals(options: CollectOptions): Promise<CollectedProgram> {
  const registrations: Goal[] = [];
  const program = await runProgram(
    { ...options, dryRun: true, parallel: options.parallel ?? DEFAULT_PARALLEL },
    async (goal) => {
      registrations.push(goal);
      return { id: "", outputs: goal.inputs };
    },
  );
  const goals = registrations.map(({ urn, name, type, inputs, provider }) => ({
    urn,
    name,
    type,
    inputs,
    ...(provider ? { provider } : {}),
  }));
  return { goals, registrations, program };
}
