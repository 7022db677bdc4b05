import { Engine, type SchedulingOptions } from "../engine/engine";
import type { Workspace } from "../engine/workspace";
import {
  BenchStack,
  type Measure,
  median,
  movedEmail,
  onPlatform,
  range,
  seedEmail,
} from "./bench-harness";

/**
 * What `npm run bench` measures: each scenario runs stacks through the harness (bench-harness.ts)
 * and returns its figures, judged by bench-targets.ts and printed by bench-rows.ts.
 */

/** The engine modes a user can choose: the CLI's default, PULUMI_PARALLEL_DIFF, --parallel 64. */
export const MODES: { name: string; scheduling: SchedulingOptions }[] = [
  { name: "default", scheduling: {} },
  { name: "parallelDiff", scheduling: { parallelDiff: true } },
  { name: "--parallel 64", scheduling: { parallel: 64 } },
];

/** The `__provider` text of each provider the bench runs (see naive-provider.ts for the two references). */
export interface Providers {
  ours: string;
  naive: string;
  bare: string;
}

export interface Shape {
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
export function shapes(): Shape[] {
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

export const NO_COMPILE_CACHE = "ours, NODE_DISABLE_COMPILE_CACHE=1";

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

/** A shape's previews: contender -> latency -> the median preview. */
export type ShapeFigures = Record<string, Record<number, Measure>>;

/**
 * Preview of the shape's accounts with new addresses, after adopting them, for each contender.
 * They take turns run by run, so a slow spell of the machine falls on all of them.
 */
export async function previewShape(
  ws: Workspace,
  providers: Providers,
  shape: Shape,
  latencies: number[],
): Promise<ShapeFigures> {
  return onPlatform(shape.users, shape.usersPerTenant, async (emulator) => {
    const stacks: [string, BenchStack][] = [];
    for (const [i, who] of contenders(providers, shape).entries()) {
      const stack = new BenchStack(emulator, ws, who.text, `${shape.name}-${i}`, who.env);
      await emulator.control.latency(0);
      await stack.engine.up(stack.goals(shape.managed, seedEmail), { skipPreview: true });
      stacks.push([who.name, stack]);
    }
    const out: ShapeFigures = {};
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

export interface MatrixFigures {
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
export async function matrix(
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

export interface DenseFigures {
  latency: number;
  refresh: Measure;
  upRefreshSkipPreview: Measure;
  upRefresh: Measure;
  updatePhase: Measure;
  preview0: Measure;
}

/** Refresh, `up --refresh` and the update phase of an up changing 1,000 dense accounts. */
export async function denseRuns(
  ws: Workspace,
  text: string,
  latency: number,
): Promise<DenseFigures> {
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

/** The refresh runs of `refreshRuns`, in this order (bench-rows.ts names them). */
export type RefreshFigures = Partial<Record<"ours" | "naive", Measure[]>>;

/**
 * `pulumi refresh` as the engine runs it (a preview, then the execution, each Read followed by a
 * Diff), its `--skip-preview` execution alone, `up --refresh` of a synced stack, and the
 * execution without the Diffs: 1,000 dense accounts at `latency`, default scheduling, ours and
 * the naive provider.
 */
export async function refreshRuns(
  ws: Workspace,
  providers: Providers,
  n: number,
  latency: number,
): Promise<RefreshFigures> {
  const figures: RefreshFigures = {};
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
  return figures;
}
