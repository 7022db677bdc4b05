import { DEFAULT_PARALLEL, type Goal } from "./engine";
import {
  type ProgramRunOptions,
  type ProgramRunResult,
  providerUrn,
  type Registration,
  runProgram,
} from "./language-host";

/**
 * What a program declares, without applying anything: the program runs once under the SDK's own
 * runner as a preview (`--dry-run`), and each registration is answered at once as the engine
 * answers a resource it would create in a preview (no id, the inputs as outputs). Tests and
 * `npm start` use it to look at the declared resources; deployments run the program through
 * the engine instead (`languageHostProgram` in program.ts), which answers with real outputs.
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
    { ...options, dryRun: true, parallel: options.parallel ?? DEFAULT_PARALLEL },
    async (reg) => {
      registrations.push(reg);
      return { id: "", outputs: reg.inputs };
    },
  );
  const goals = registrations.map(({ urn, name, type, inputs, provider }) => ({
    urn,
    name,
    type,
    inputs,
    ...(provider ? { provider: providerUrn(provider) } : {}),
  }));
  return { goals, registrations, program };
}
