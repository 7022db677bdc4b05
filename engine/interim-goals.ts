import type { Goal } from "./engine";
import {
  defaultParallel,
  type ProgramRunOptions,
  type ProgramRunResult,
  type Registration,
  runProgram,
} from "./language-host";

/**
 * INTERIM, to be removed when the streaming engine lands (issue 11): the bridge between the
 * language host, which streams registrations and waits for each answer, and today's Engine,
 * which takes a program's goals all at once (`engine.preview(goals)` / `engine.up(goals)`).
 *
 * Phase 1 (here): the program runs under the SDK's real runner as a preview (`--dry-run`), and
 * each registration is answered at once with what the engine answers a resource it is about to
 * create in a preview (no id, the inputs as outputs, everything else unknown), so the program runs
 * to its end and every goal is known. Phase 2 (the caller): the current Engine runs those goals.
 *
 * What this loses, until the new engine replaces it: an `up` evaluates the program as a preview,
 * the program's outputs are preview outputs, and input secrecy is not kept in state.
 */

export type CollectOptions = Omit<ProgramRunOptions, "dryRun" | "parallel"> & { parallel?: number };

export interface CollectedProgram {
  goals: Goal[];
  registrations: Registration[];
  program: ProgramRunResult;
}

export async function collectGoals(options: CollectOptions): Promise<CollectedProgram> {
  const registrations: Registration[] = [];
  const program = await runProgram(
    { ...options, dryRun: true, parallel: options.parallel ?? defaultParallel() },
    async (reg) => {
      // Today's Engine drives the default dynamic provider only: nothing else can be scheduled.
      if (!reg.type.startsWith("pulumi-nodejs:dynamic") || reg.provider) {
        throw new Error(`${reg.name} [${reg.type}]: not supported by the interim engine adapter`);
      }
      registrations.push(reg);
      return { id: "", outputs: reg.inputs };
    },
  );
  const goals = registrations.map(({ name, type, inputs }) => ({ name, type, inputs }));
  return { goals, registrations, program };
}
