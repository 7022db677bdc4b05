import {
  generatedUserId,
  generateSeed,
  type RequestStatsSnapshot,
  type RunningEmulator,
  startEmulator,
} from "../emulator";
import { demoStackConfig } from "../emulator/demo-stack-config";
import { GET_USER, GET_USERS, PUT_USER } from "../emulator/request-keys";
import { Engine, failures, type Goal, type RunResult } from "../engine/engine";
import { type CallRecord, ProviderHost } from "../engine/host";
import { userEmailGoal, type Workspace } from "../engine/workspace";
import { printTable, type Row } from "./bench-table";

/**
 * The bench's harness: a stack of one provider on an emulator, through the local engine, and the
 * measuring of one run of it (time from this process, request counts from the emulator, RSS from
 * the hosts' VmHWM). What is measured is in bench-scenarios.ts; what it must reach, bench-targets.ts.
 */

const PROJECT = "bench";
const READ_KEYS = [GET_USERS, GET_USER];
const PUT_KEY = PUT_USER;
const TOKEN_KEY = "POST /api/2/idp/token";

export interface Measure {
  ms: number;
  reads: number;
  writes: number;
  /** Every request but the token's. */
  requests: number;
  tokens: number;
  rssMb: number;
  /** The first Check's answer time: a new process loading the provider (NaN without a Check). */
  firstCheckMs: number;
}

function answerMs(call: CallRecord | undefined): number {
  return call?.end === undefined ? Number.NaN : call.end - call.start;
}

function reads(s: RequestStatsSnapshot): number {
  return READ_KEYS.reduce((n, k) => n + (s.counts[k] ?? 0), 0);
}

/** One stack of a provider on one emulator, through the local engine. */
export class BenchStack {
  readonly hosts: ProviderHost[] = [];
  private readonly calls: CallRecord[] = [];
  readonly engine: Engine;

  constructor(
    readonly emulator: RunningEmulator,
    private readonly ws: Workspace,
    private readonly providerText: string,
    stack: string,
    /** The provider processes' extra environment. */
    env: NodeJS.ProcessEnv = {},
  ) {
    const config = demoStackConfig({ name: PROJECT, config: {} }, emulator.baseUrl);
    this.engine = new Engine({
      project: PROJECT,
      stack,
      stackConfig: () => ({ values: config, secretKeys: ["acronis:clientSecret"] }),
      startHost: ProviderHost.starter({
        cwd: ws.dir,
        project: PROJECT,
        config,
        env,
        calls: this.calls,
      }),
      onHost: (host) => this.hosts.push(host),
    });
  }

  goals(indexes: readonly number[], email: (i: number) => string): Goal[] {
    return indexes.map((i) => {
      const goal = userEmailGoal(this.ws, `user${i}`, {
        userId: generatedUserId(i),
        email: email(i),
      });
      return { ...goal, inputs: { ...goal.inputs, __provider: this.providerText } };
    });
  }

  async measure(what: string, run: () => Promise<RunResult>): Promise<Measure> {
    await this.emulator.control.resetRequests();
    this.hosts.length = 0;
    this.calls.length = 0;
    const started = performance.now();
    const result = await run();
    const elapsed = performance.now() - started;
    const failed = failures(result);
    if (failed.length > 0) {
      throw new Error(`${what}: ${failed.length} step(s) failed, first: ${failed[0]?.error}`);
    }
    const stats = await this.emulator.control.requests();
    return {
      ms: elapsed,
      reads: reads(stats),
      writes: stats.counts[PUT_KEY] ?? 0,
      // The account requests: the process's one token request is counted apart.
      requests: stats.total - (stats.counts[TOKEN_KEY] ?? 0),
      tokens: stats.counts[TOKEN_KEY] ?? 0,
      rssMb: Math.max(...this.hosts.map((h) => h.peakRssMb)),
      firstCheckMs: answerMs(this.calls.find((c) => c.method === "check")),
    };
  }
}

export const seedEmail = (i: number) => `user${i}@bench.example`;
export const movedEmail = (i: number) => `user${i}@moved.example`;
export const range = (n: number) => Array.from({ length: n }, (_, k) => k + 1);

/**
 * A platform of `users` accounts, none activated (each change applies at once, so every up really
 * writes), in tenants of `usersPerTenant`, for the time `body` runs.
 */
export async function onPlatform<T>(
  users: number,
  usersPerTenant: number,
  body: (emulator: RunningEmulator) => Promise<T>,
): Promise<T> {
  const emulator = await startEmulator({
    seed: generateSeed({ users, usersPerTenant, activatedRatio: 0 }),
  });
  try {
    return await body(emulator);
  } finally {
    await emulator.close();
  }
}

/** The run of median time among `runs` (its counts come with it), with the median first Check. */
export function median(runs: readonly Measure[]): Measure {
  const middle = <T>(sorted: T[]) => sorted[Math.floor((sorted.length - 1) / 2)] as T;
  const run = middle([...runs].sort((a, b) => a.ms - b.ms));
  const firstCheckMs = middle(runs.map((r) => r.firstCheckMs).sort((a, b) => a - b));
  return { ...run, firstCheckMs };
}

/** The bench's sections: each one's rows printed as soon as it ends, so a long run shows its figures. */
export class Sections {
  readonly rows: Row[] = [];

  constructor(private readonly print: (line: string) => void) {}

  /** Runs one section; an error becomes a failed row of it, and the next section still runs. */
  async run(title: string, body: () => Promise<Row[]>): Promise<void> {
    console.error(`bench: ${title}...`);
    let added: Row[];
    try {
      added = await body();
    } catch (error) {
      added = [
        { target: title, measured: `error: ${(error as Error).message}`, limit: "-", pass: false },
      ];
    }
    this.rows.push(...added);
    this.print(`\n${title}`);
    printTable(added, this.print);
  }
}
