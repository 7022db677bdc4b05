import { DEMO_CLIENT_ID, defaultSeed, US5_CLIENT_ID, us5Seed } from "./demo-seeds";
import type { Seed } from "./seed";
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "./server";

/**
 * Several Acronis datacenters at once, for multi-datacenter stacks: one emulator per datacenter,
 * each with its own base URL, tenants, API client and accounts, so nothing one knows exists in
 * another (an account of one is a 404 in the other, its client cannot log in there).
 */

export interface DatacenterSeed {
  seed: Seed;
  /** The seed's API client, printed by the command and shown in demos. */
  clientId: string;
}

/** The demo's two datacenters: `eu2` is the default seed, `us5` its counterpart. */
export const DATACENTERS = {
  eu2: { seed: defaultSeed, clientId: DEMO_CLIENT_ID },
  us5: { seed: us5Seed, clientId: US5_CLIENT_ID },
} as const satisfies Record<string, DatacenterSeed>;

export interface DatacentersOptions extends Omit<EmulatorOptions, "seed" | "port"> {
  /**
   * The first datacenter listens on `port`, the next on `port + 1`, and so on, in the order of
   * the seeds; 0 (default) picks a free port for each.
   */
  port?: number;
}

export interface RunningDatacenters<K extends string> {
  /** One running emulator per datacenter name. */
  datacenters: Record<K, RunningEmulator>;
  /** Closes every datacenter. */
  close(): Promise<void>;
}

/** Starts one emulator per datacenter (default: `DATACENTERS`). */
export async function startDatacenters<K extends string = keyof typeof DATACENTERS>(
  seeds: Record<K, DatacenterSeed> = DATACENTERS as unknown as Record<K, DatacenterSeed>,
  options: DatacentersOptions = {},
): Promise<RunningDatacenters<K>> {
  const names = Object.keys(seeds) as K[];
  const started: RunningEmulator[] = [];
  const close = async () => {
    await Promise.all(started.map((emulator) => emulator.close()));
  };
  try {
    for (const [index, name] of names.entries()) {
      const log = options.log;
      started.push(
        await startEmulator({
          ...options,
          seed: seeds[name].seed,
          port: options.port ? options.port + index : 0,
          ...(log ? { log: (line: string) => log(`[${name}] ${line}`) } : {}),
        }),
      );
    }
  } catch (error) {
    await close();
    throw error;
  }
  const datacenters = Object.fromEntries(
    names.map((name, index) => [name, started[index] as RunningEmulator]),
  ) as Record<K, RunningEmulator>;
  return { datacenters, close };
}
