import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import {
  generatedUserId,
  generateSeed,
  type RequestStatsSnapshot,
  type RunningEmulator,
  startEmulator,
} from "../emulator";
import { demoStackConfig } from "../emulator/demo-stack-config";
import {
  DEFAULT_PARALLEL,
  Engine,
  failures,
  type Goal,
  type RunResult,
  type SchedulingOptions,
} from "../engine/engine";
import { type CallRecord, ProviderHost } from "../engine/host";
import {
  createWorkspace,
  REPO_ROOT,
  serializeProvider,
  userEmailGoal,
  type Workspace,
} from "../engine/workspace";
import { exportRows } from "./bench-export";
import { stateRows } from "./bench-state";
import { atMost, ms, printTable, type Row, ratio, reported } from "./bench-table";
import { makeNaiveProvider } from "./naive-provider";

/**
 * `npm run bench`: the provider measured through the local engine, which schedules calls as the
 * Pulumi engine does (Check and Diff one at a time by default, steps and refresh reads on
 * 4 x CPUs workers, `up` = a preview and an update on fresh provider processes), against the
 * emulator with injected latency. Counts come from the emulator, times from this process, RSS
 * from the hosts' VmHWM. Every figure has a reference row measured in the same run: the naive
 * provider (one GET per Diff, no batching, no cache, on the same libraries as ours) through the
 * same engine; small stacks also show a provider that loads no library at all (naive-provider.ts).
 * Prints a table, writes the figures as JSON, exits non-zero if a target is missed.
 */

const PROJECT = "bench";
const READ_KEYS = ["GET /api/2/users", "GET /api/2/users/{id}"];
const PUT_KEY = "PUT /api/2/users/{id}";
const TOKEN_KEY = "POST /api/2/idp/token";

interface Args {
  quick: boolean;
  /** Only the refresh section (`npm run bench -- --refresh-only`): a shared machine's short run. */
  refreshOnly: boolean;
  json: string;
}

function parseCli(): Args {
  const { values } = parseArgs({
    options: {
      json: { type: "string", default: path.join(".bench", "results.json") },
      quick: { type: "boolean", default: false },
      "refresh-only": { type: "boolean", default: false },
    },
  });
  return {
    quick: values.quick ?? false,
    refreshOnly: values["refresh-only"] ?? false,
    json: values.json ?? ".bench/results.json",
  };
}

// ---- measuring ----

interface Measure {
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

/** The engine modes a user can choose: the CLI's default, PULUMI_PARALLEL_DIFF, --parallel 64. */
const MODES: { name: string; scheduling: SchedulingOptions }[] = [
  { name: "default", scheduling: {} },
  { name: "parallelDiff", scheduling: { parallelDiff: true } },
  { name: "--parallel 64", scheduling: { parallel: 64 } },
];

/** One stack of a provider on one emulator, through the local engine. */
class BenchStack {
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

const seedEmail = (i: number) => `user${i}@bench.example`;
const movedEmail = (i: number) => `user${i}@moved.example`;
const range = (n: number) => Array.from({ length: n }, (_, k) => k + 1);

// ---- the stacks ----

interface Shape {
  name: string;
  users: number;
  usersPerTenant: number;
  managed: number[];
  /**
   * Previews measured per provider and latency; the median is kept. A small stack's preview is a
   * few hundred ms, of which a provider process's start varies by tens: one run would be noise.
   */
  runs: number;
}

/** The shapes of issue 12: how managed accounts sit in their tenants decides what a read costs. */
function shapes(): Shape[] {
  const tenants = (count: number, per: number, picks: number[]) =>
    range(count).flatMap((t) => picks.map((p) => (t - 1) * per + p));
  return [
    { name: "dense", users: 1000, usersPerTenant: 100, managed: range(1000), runs: 1 },
    {
      name: "sparse",
      users: 40 * 500,
      usersPerTenant: 500,
      managed: tenants(40, 500, [1]),
      runs: 5,
    },
    {
      name: "pairs",
      users: 20 * 1000,
      usersPerTenant: 1000,
      managed: tenants(20, 1000, [1, 501]),
      runs: 5,
    },
    {
      name: "huge",
      users: 50_000,
      usersPerTenant: 50_000,
      managed: [1, 25_000, 50_000],
      runs: 7,
    },
  ];
}

/** The `__provider` text of each provider the bench runs (see naive-provider.ts for the two references). */
interface Providers {
  ours: string;
  naive: string;
  bare: string;
}

/**
 * A platform of `users` accounts, none activated (each change applies at once, so every up really
 * writes), in tenants of `usersPerTenant`, for the time `body` runs.
 */
async function onPlatform<T>(
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
function median(runs: readonly Measure[]): Measure {
  const middle = <T>(sorted: T[]) => sorted[Math.floor((sorted.length - 1) / 2)] as T;
  const run = middle([...runs].sort((a, b) => a.ms - b.ms));
  const firstCheckMs = middle(runs.map((r) => r.firstCheckMs).sort((a, b) => a - b));
  return { ...run, firstCheckMs };
}

/** One provider as a shape's previews run it. */
interface Contender {
  name: string;
  text: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Ours and naive on every shape. On the small shapes, where a process's start is a visible part
 * of a run, also `bare` (a provider loading no library) and ours without Node's compile cache:
 * what the libraries cost, and what the cache saves of it.
 */
function contenders(providers: Providers, shape: Shape): Contender[] {
  const always = [
    { name: "ours", text: providers.ours },
    { name: "naive", text: providers.naive },
  ];
  if (shape.runs === 1) return always;
  return [
    ...always,
    { name: "bare", text: providers.bare },
    { name: NO_COMPILE_CACHE, text: providers.ours, env: { NODE_DISABLE_COMPILE_CACHE: "1" } },
  ];
}

const NO_COMPILE_CACHE = "ours, NODE_DISABLE_COMPILE_CACHE=1";

/**
 * Preview of the shape's accounts with new addresses, after adopting them, for each contender.
 * They take turns run by run, so a slow spell of the machine falls on all of them.
 */
async function previewShape(
  ws: Workspace,
  providers: Providers,
  shape: Shape,
  latencies: number[],
): Promise<Record<string, Record<number, Measure>>> {
  return onPlatform(shape.users, shape.usersPerTenant, async (emulator) => {
    const stacks: [string, BenchStack][] = [];
    for (const [i, who] of contenders(providers, shape).entries()) {
      const stack = new BenchStack(emulator, ws, who.text, `${shape.name}-${i}`, who.env);
      await emulator.control.latency(0);
      await stack.engine.up(stack.goals(shape.managed, seedEmail), { skipPreview: true });
      stacks.push([who.name, stack]);
    }
    const out: Record<string, Record<number, Measure>> = {};
    for (const latency of latencies) {
      await emulator.control.latency(latency);
      const runs = new Map<string, Measure[]>(stacks.map(([name]) => [name, []]));
      for (let run = 0; run < shape.runs; run++) {
        for (const [name, stack] of stacks) {
          const goals = stack.goals(shape.managed, movedEmail);
          const label = `${shape.name} preview (${name}, ${latency} ms)`;
          const measured = await stack.measure(label, () => stack.engine.preview(goals));
          runs.get(name)?.push(measured);
        }
      }
      for (const [name, measured] of runs) {
        out[name] ??= {};
        out[name][latency] = median(measured);
      }
    }
    return out;
  });
}

interface MatrixFigures {
  accounts: number;
  latency: number;
  mode: string;
  provider: "ours" | "naive";
  preview: Measure;
  up: Measure;
  refresh: Measure;
}

/**
 * Issue 10's matrix: preview, up (changing every account) and refresh of a dense stack, per
 * latency and engine mode, for our provider and the naive one. Accounts are not activated, so
 * each up really changes all of them; the addresses alternate from one mode to the next.
 */
async function matrix(
  ws: Workspace,
  providers: Providers,
  n: number,
  latencies: number[],
  modes: typeof MODES,
  which: MatrixFigures["provider"][],
): Promise<MatrixFigures[]> {
  const figures: MatrixFigures[] = [];
  for (const provider of which) {
    await onPlatform(n, 100, async (emulator) => {
      const stack = new BenchStack(emulator, ws, providers[provider], `n${n}-${provider}`);
      await stack.engine.up(stack.goals(range(n), seedEmail), { skipPreview: true });
      let flip = false;
      for (const latency of latencies) {
        await emulator.control.latency(latency);
        for (const mode of modes) {
          flip = !flip;
          const goals = stack.goals(range(n), flip ? movedEmail : seedEmail);
          const label = `${n} ${provider} ${mode.name} @${latency}ms`;
          console.error(`bench: ${label}`);
          const s = mode.scheduling;
          figures.push({
            accounts: n,
            latency,
            mode: mode.name,
            provider,
            preview: await stack.measure(`${label} preview`, () => stack.engine.preview(goals, s)),
            up: await stack.measure(`${label} up`, () => stack.engine.up(goals, s)),
            refresh: await stack.measure(`${label} refresh`, () => stack.engine.refresh(s)),
          });
        }
      }
    });
  }
  return figures;
}

interface DenseFigures {
  latency: number;
  refresh: Measure;
  upRefreshSkipPreview: Measure;
  upRefresh: Measure;
  updatePhase: Measure;
  preview0: Measure;
}

/** Refresh, `up --refresh` and the update phase of an up changing 1,000 dense accounts. */
async function denseRuns(ws: Workspace, text: string, latency: number): Promise<DenseFigures> {
  const n = 1000;
  return onPlatform(n, 100, async (emulator) => {
    const stack = new BenchStack(emulator, ws, text, "dense-runs");
    const synced = stack.goals(range(n), seedEmail);
    const moved = stack.goals(range(n), movedEmail);
    await stack.engine.up(synced, { skipPreview: true });
    const preview0 = await stack.measure("preview at 0 ms", () => stack.engine.preview(moved));
    await emulator.control.latency(latency);
    const refresh = await stack.measure("refresh", () => stack.engine.refresh());
    const upRefreshSkipPreview = await stack.measure("up --refresh --skip-preview", () =>
      stack.engine.up(synced, { refresh: true, skipPreview: true }),
    );
    const upRefresh = await stack.measure("up --refresh", () =>
      stack.engine.up(synced, { refresh: true }),
    );
    // The update phase of `pulumi up` is exactly an `up --skip-preview` deployment.
    const updatePhase = await stack.measure("update phase", () =>
      stack.engine.up(moved, { skipPreview: true }),
    );
    return { latency, refresh, upRefreshSkipPreview, upRefresh, updatePhase, preview0 };
  });
}

/**
 * `pulumi refresh` as the engine runs it (a preview, then the execution, each Read followed by a
 * Diff), its `--skip-preview` execution alone, and `up --refresh` of a synced stack: 1,000 dense
 * accounts at `latency`, default scheduling, ours and the naive provider.
 */
async function refreshRuns(ws: Workspace, providers: Providers, latency: number): Promise<Row[]> {
  const n = 1000;
  const rows: Row[] = [];
  const figures: Partial<Record<"ours" | "naive", Measure[]>> = {};
  for (const provider of ["ours", "naive"] as const) {
    figures[provider] = await onPlatform(n, 100, async (emulator) => {
      const stack = new BenchStack(emulator, ws, providers[provider], `refresh-${provider}`);
      const synced = stack.goals(range(n), seedEmail);
      await stack.engine.up(synced, { skipPreview: true });
      await emulator.control.latency(latency);
      console.error(`bench: refresh ${provider} @${latency}ms`);
      return [
        await stack.measure("refresh", () => stack.engine.refresh()),
        await stack.measure("refresh --skip-preview", () =>
          stack.engine.refresh({ skipPreview: true }),
        ),
        await stack.measure("up --refresh", () => stack.engine.up(synced, { refresh: true })),
        // The same execution without the Diffs (PULUMI_ENABLE_LEGACY_REFRESH_DIFF=true): what
        // the Diffs cost, measured in the same conditions.
        await stack.measure("refresh --skip-preview, legacy", () =>
          new Engine({
            ...stack.engine.options,
            legacyRefreshDiff: true,
            state: { resources: stack.engine.resources() },
          }).refresh({ skipPreview: true }),
        ),
      ];
    });
  }
  const names = [
    "refresh (preview + execution)",
    "refresh --skip-preview",
    "up --refresh",
    "refresh --skip-preview without the Diffs (legacy)",
  ];
  names.forEach((name, k) => {
    const ours = figures.ours?.[k];
    const naive = figures.naive?.[k];
    if (!ours) return;
    const vsNaive = naive ? ` (naive ${ms(naive.ms)}, r${naive.reads})` : "";
    rows.push(
      reported(
        `${n} dense @${latency}ms ${name}`,
        `${ms(ours.ms)} r${ours.reads} w${ours.writes}${vsNaive}`,
      ),
    );
  });
  return rows;
}

// ---- the tables ----

function matrixRows(figures: MatrixFigures[]): Row[] {
  const rows: Row[] = [];
  const naiveOf = (f: MatrixFigures) =>
    figures.find(
      (g) =>
        g.provider === "naive" &&
        g.accounts === f.accounts &&
        g.latency === f.latency &&
        g.mode === f.mode,
    );
  const cell = (m: Measure, naive?: Measure) =>
    `${ms(m.ms)} r${m.reads} w${m.writes}${naive ? ` (${ratio(m.ms / naive.ms)} naive)` : ""}`;
  for (const f of figures) {
    if (f.provider !== "ours") continue;
    const naive = naiveOf(f);
    const head = `${f.accounts} @${f.latency}ms ${f.mode}`;
    rows.push(
      reported(`${head}: preview`, cell(f.preview, naive?.preview)),
      reported(`${head}: up`, cell(f.up, naive?.up)),
      reported(`${head}: refresh`, cell(f.refresh, naive?.refresh)),
      reported(`${head}: peak host RSS`, `${Math.round(Math.max(f.up.rssMb, f.preview.rssMb))} MB`),
    );
    if (naive) {
      for (const run of ["preview", "up", "refresh"] as const) {
        rows.push(
          atMost(`${head}: ${run} time / naive's`, f[run].ms / naive[run].ms, NOT_SLOWER, "x"),
        );
      }
    }
  }
  for (const f of figures.filter((g) => g.provider === "naive")) {
    const head = `naive ${f.accounts} @${f.latency}ms ${f.mode}`;
    rows.push(
      reported(
        `${head}: preview / up / refresh`,
        [f.preview, f.up, f.refresh].map((m) => cell(m)).join(" | "),
      ),
    );
  }
  return rows;
}

/** "Never slower than the naive reference row, within 5%." */
const NOT_SLOWER = 1.05;

function shapeRows(
  latency: number,
  s: Record<string, Record<string, Record<number, Measure>>>,
  dense: DenseFigures,
  host0: { sparse: number },
): Row[] {
  const get = (shape: string, who: string, lat: number) => s[shape]?.[who]?.[lat] as Measure;
  const rows: Row[] = [];
  const d = get("dense", "ours", latency);
  const d0 = get("dense", "ours", 0);
  rows.push(
    atMost(`@${latency}ms dense preview 1000: read requests`, d.reads, 30),
    atMost(`@${latency}ms dense preview: wall / wall at 0 ms`, d.ms / d0.ms, 2, "x"),
  );
  const sp = get("sparse", "ours", latency);
  const sparseN = 40;
  rows.push(
    atMost(`@${latency}ms sparse preview 40: reads per account`, sp.reads / sparseN, 1.1, "x"),
    atMost(
      `@${latency}ms sparse preview: wall / (40 x ${latency} ms + host's own cost ${ms(host0.sparse)})`,
      sp.ms / (sparseN * latency + host0.sparse),
      1.15,
      "x",
    ),
  );
  const pr = get("pairs", "ours", latency);
  rows.push(atMost(`@${latency}ms pairs preview 40: reads per account`, pr.reads / 40, 2, "x"));
  const hg = get("huge", "ours", latency);
  rows.push(
    atMost(
      `@${latency}ms huge preview 3 of 50,000: requests (+${hg.tokens} token)`,
      hg.requests + hg.tokens,
      10,
    ),
  );
  rows.push(atMost(`@${latency}ms refresh 1000 dense: read requests`, dense.refresh.reads, 30));
  rows.push(
    atMost(
      `@${latency}ms up --refresh --skip-preview: reads / plain refresh's (${dense.refresh.reads})`,
      dense.upRefreshSkipPreview.reads / Math.max(1, dense.refresh.reads),
      1.2,
      "x",
    ),
    reported(
      `@${latency}ms up --refresh (preview + update, two processes): reads`,
      String(dense.upRefresh.reads),
    ),
  );
  const ideal = (1000 * latency) / DEFAULT_PARALLEL + dense.preview0.ms;
  rows.push(
    atMost(
      `@${latency}ms update phase changing 1000: requests (PUTs ${dense.updatePhase.writes}; token ${dense.updatePhase.tokens} apart)`,
      dense.updatePhase.requests,
      1000 + 30,
    ),
    atMost(
      `@${latency}ms update phase: wall / (1000 x ${latency} ms / ${DEFAULT_PARALLEL} + preview@0 ${ms(dense.preview0.ms)})`,
      dense.updatePhase.ms / ideal,
      1.3,
      "x",
    ),
  );
  for (const shape of ["dense", "sparse", "pairs", "huge"]) {
    const ours = get(shape, "ours", latency);
    const naive = get(shape, "naive", latency);
    rows.push(
      atMost(
        `@${latency}ms ${shape} preview: time / naive's (${ms(ours.ms)} vs ${ms(naive.ms)})`,
        ours.ms / naive.ms,
        NOT_SLOWER,
        "x",
      ),
    );
    const bare = s[shape]?.bare?.[latency];
    const uncached = s[shape]?.[NO_COMPILE_CACHE]?.[latency];
    if (bare && uncached) {
      rows.push(
        reported(
          `@${latency}ms ${shape} preview: time / bare's, a provider loading no library (${ms(bare.ms)})`,
          ratio(ours.ms / bare.ms),
        ),
        reported(
          `@${latency}ms ${shape} preview: time without the compile cache / with it (${ms(uncached.ms)})`,
          ratio(uncached.ms / ours.ms),
        ),
      );
      if (shape === "huge") {
        rows.push(
          reported(
            `@${latency}ms first Check of a process (loads the provider): ours / no cache / naive / bare`,
            [ours, uncached, naive, bare].map((m) => ms(m.firstCheckMs)).join(" / "),
          ),
        );
      }
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const args = parseCli();
  const ws = await createWorkspace("bench");
  const providers: Providers = {
    ours: ws.providerText,
    naive: await serializeProvider(makeNaiveProvider("naive")),
    bare: await serializeProvider(makeNaiveProvider("bare")),
  };
  const rows: Row[] = [];
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    parallel: DEFAULT_PARALLEL,
  };
  const print = (line: string) => console.log(line);
  /** Each section's rows are printed as soon as it ends, so a long run shows its figures. */
  const section = async (title: string, body: () => Promise<Row[]>) => {
    console.error(`bench: ${title}...`);
    let added: Row[];
    try {
      added = await body();
    } catch (error) {
      added = [
        { target: title, measured: `error: ${(error as Error).message}`, limit: "-", pass: false },
      ];
    }
    rows.push(...added);
    print(`\n${title}`);
    printTable(added, print);
  };

  if (args.refreshOnly) {
    await section("refresh of 1,000 accounts, 10 tenants (r = read requests, w = PUTs)", () =>
      refreshRuns(ws, providers, 20),
    );
    print("\nall figures");
    printTable(rows, print);
    return;
  }

  await section("provider", async () => [
    atMost("serialized __provider (bytes)", Buffer.byteLength(ws.providerText), 512),
  ]);

  // Issue 12's shapes at 20 and 50 ms (and 0 ms, the host's own cost).
  const latencies = args.quick ? [0, 20] : [0, 20, 50];
  const shapeFigures: Record<string, Record<string, Record<number, Measure>>> = {};
  results.shapes = shapeFigures;
  await section("preview of each shape, ours and naive", async () => {
    for (const shape of shapes()) {
      shapeFigures[shape.name] = await previewShape(ws, providers, shape, latencies);
    }
    return [];
  });
  const sparse0 = shapeFigures.sparse?.ours?.[0]?.ms ?? Number.NaN;
  for (const latency of latencies.filter((l) => l > 0)) {
    await section(
      `targets at ${latency} ms (default engine mode, ${DEFAULT_PARALLEL} workers)`,
      async () => {
        const dense = await denseRuns(ws, providers.ours, latency);
        results[`dense${latency}`] = dense;
        return shapeRows(latency, shapeFigures, dense, { sparse: sparse0 });
      },
    );
  }

  // Issue 10's matrix: 1,000 accounts in every mode and latency, ours and naive; 10,000 ours.
  const figures: MatrixFigures[] = [];
  results.matrix = figures;
  await section(
    "1,000 accounts: preview / up / refresh per mode (r = read requests, w = PUTs)",
    async () => {
      figures.push(...(await matrix(ws, providers, 1000, [0, 20], MODES, ["ours", "naive"])));
      return matrixRows(figures.filter((f) => f.accounts === 1000));
    },
  );
  if (!args.quick) {
    await section("10,000 accounts", async () => {
      const big = [
        ...(await matrix(ws, providers, 10_000, [0, 20], MODES.slice(0, 1), ["ours"])),
        ...(await matrix(ws, providers, 10_000, [20], MODES.slice(1), ["ours"])),
      ];
      figures.push(...big);
      const rowsOut = matrixRows(big);
      const p1k = figures.find(
        (f) =>
          f.accounts === 1000 && f.latency === 20 && f.mode === "default" && f.provider === "ours",
      );
      const p10k = big.find((f) => f.latency === 20 && f.mode === "default");
      if (p1k && p10k) {
        rowsOut.push(
          atMost("preview @20ms: 10,000 / 1,000", p10k.preview.ms / p1k.preview.ms, 11, "x"),
        );
      }
      return rowsOut;
    });
  }

  // Issue 21: the export command on a 50,000-user tenant.
  await section("export command: 50,000 users at 20 ms", async () => {
    const exported = await exportRows();
    results.export = exported.figures;
    return exported.rows;
  });

  // Issue 22: what Pulumi's state writes cost a large stack on a self-managed backend.
  await section(
    "state writes: 1,000 and 10,000 accounts, with and without checkpoints",
    async () => {
      const state = await stateRows(args.quick ? [1000] : [1000, 10_000]);
      results.state = state.figures;
      return state.rows;
    },
  );

  print("\nall figures");
  printTable(rows, print);
  const failed = rows.filter((r) => r.pass === false);
  const out = path.resolve(REPO_ROOT, args.json);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ ...results, rows, failed: failed.length }, null, 2)}\n`);
  print(`\nfigures written to ${path.relative(process.cwd(), out) || out}`);
  if (failed.length > 0) {
    print(`${failed.length} target(s) missed`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error("bench failed:", error);
  process.exitCode = 2;
});
