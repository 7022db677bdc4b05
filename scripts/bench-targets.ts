import type { ExportRuns } from "./bench-export-figures";
import type { Measure } from "./bench-harness";
import type { DenseFigures, MatrixFigures, ShapeFigures } from "./bench-scenarios";
import { atMost, ms, type Row } from "./bench-table";

/**
 * What the bench must reach, as data: one table of targets, each a bound on a figure of the run
 * and the reason for it. `evaluate` judges a run's figures against them: a pure function.
 */

/** The figures of one bench run that targets are judged on (any part may be missing). */
export interface BenchFigures {
  /** Worker count of the engine's default scheduling (4 x CPUs). */
  parallel?: number;
  providerBytes?: number;
  /** shape -> contender -> latency -> median preview. */
  shapes?: Record<string, ShapeFigures>;
  /** latency (> 0) -> the dense stack's refresh, `up --refresh` and update runs. */
  dense?: Record<number, DenseFigures>;
  matrix?: MatrixFigures[];
  export?: ExportRuns;
}

/** One figure a target bounds, with the label the table shows for it. */
export interface Figure {
  label: string;
  value: number;
}

export type TargetGroup = "provider" | "latency" | "matrix" | "scale" | "export";

export interface Target {
  name: string;
  /** Which section of the bench judges it (the section that measures its figures). */
  group: TargetGroup;
  /** The figure must be at most this. */
  bound: number;
  unit: "" | "x";
  why: string;
  /** The figures a run yields for this target: none when the run did not measure them. */
  measured: (run: BenchFigures) => Figure[];
}

/** "Never slower than the naive reference row, within 5%." */
export const NOT_SLOWER = 1.05;

const SHAPES = ["dense", "sparse", "pairs", "huge"];

/** A figure the run lacks: every ratio of it is NaN, and NaN fails every bound. */
const MISSING: Measure = {
  ms: Number.NaN,
  reads: Number.NaN,
  writes: Number.NaN,
  requests: Number.NaN,
  tokens: Number.NaN,
  rssMb: Number.NaN,
  firstCheckMs: Number.NaN,
};

/** What a per-latency target reads at one latency: the shape previews ("ours" unless told), the dense runs. */
type AtLatency = (
  latency: number,
  at: (shape: string, who?: string) => Measure,
  dense: DenseFigures,
  run: BenchFigures,
) => Figure | Figure[];

/** A target judged at each latency the run has dense runs for (its section: "targets at N ms"). */
function atEachLatency(target: Omit<Target, "group" | "measured"> & { figure: AtLatency }): Target {
  const { figure, ...rest } = target;
  return {
    ...rest,
    group: "latency",
    measured: (run) =>
      Object.entries(run.dense ?? {}).flatMap(([key, dense]) => {
        const latency = Number(key);
        const at = (shape: string, who = "ours") =>
          run.shapes?.[shape]?.[who]?.[latency] ?? MISSING;
        return figure(latency, at, dense, run);
      }),
  };
}

/** The read requests per managed account of a 40-account shape's preview. */
function readsPerAccount(shape: "sparse" | "pairs", bound: number, why: string): Target {
  return atEachLatency({
    name: `${shape} preview reads`,
    bound,
    unit: "x",
    why,
    figure: (l, at) => ({
      label: `@${l}ms ${shape} preview 40: reads per account`,
      value: at(shape).reads / 40,
    }),
  });
}

const sparse0 = (run: BenchFigures) => run.shapes?.sparse?.ours?.[0]?.ms ?? Number.NaN;

/** The matrix's cells of ours that have a naive cell of the same accounts, latency and mode. */
function againstNaive(run: BenchFigures, phase: "preview" | "up" | "refresh"): Figure[] {
  const cells = run.matrix ?? [];
  return cells.flatMap((f) => {
    const naive = cells.find(
      (g) =>
        g.provider === "naive" &&
        g.accounts === f.accounts &&
        g.latency === f.latency &&
        g.mode === f.mode,
    );
    if (f.provider !== "ours" || !naive) return [];
    const label = `${f.accounts} @${f.latency}ms ${f.mode}: ${phase} time / naive's`;
    return [{ label, value: f[phase].ms / naive[phase].ms }];
  });
}

export const TARGETS: readonly Target[] = [
  {
    name: "serialized provider size",
    group: "provider",
    bound: 512,
    unit: "",
    why: "stored twice per account in state (inputs and outputs), so paid on every state write",
    measured: (run) =>
      run.providerBytes === undefined
        ? []
        : [{ label: "serialized __provider (bytes)", value: run.providerBytes }],
  },
  atEachLatency({
    name: "dense preview reads",
    bound: 30,
    unit: "",
    why: "tenant read-ahead: 10 tenants cost their first two accounts' reads and one page each",
    figure: (l, at) => ({
      label: `@${l}ms dense preview 1000: read requests`,
      value: at("dense").reads,
    }),
  }),
  atEachLatency({
    name: "dense preview against latency",
    bound: 2,
    unit: "x",
    why: "with read-ahead a dense preview waits on few round trips: latency must not dominate it",
    figure: (l, at, _, run) => ({
      label: `@${l}ms dense preview: wall / wall at 0 ms`,
      value: at("dense").ms / (run.shapes?.dense?.ours?.[0]?.ms ?? Number.NaN),
    }),
  }),
  readsPerAccount(
    "sparse",
    1.1,
    "an account alone in its tenant costs one read, never a listing page on top",
  ),
  atEachLatency({
    name: "sparse preview time",
    bound: 1.15,
    unit: "x",
    why: "Diffs come one at a time: one round trip per account plus the host's own cost, no more",
    figure: (l, at, _, run) => ({
      label: `@${l}ms sparse preview: wall / (40 x ${l} ms + host's own cost ${ms(sparse0(run))})`,
      value: at("sparse").ms / (40 * l + sparse0(run)),
    }),
  }),
  readsPerAccount("pairs", 2, "a tenant never costs more than one read per account plus one page"),
  atEachLatency({
    name: "huge tenant preview requests",
    bound: 10,
    unit: "",
    why: "3 accounts of a 50,000-user tenant cost one page of 100 users, not the tenant's listing",
    figure: (l, at) => ({
      label: `@${l}ms huge preview 3 of 50,000: requests (+${at("huge").tokens} token)`,
      value: at("huge").requests + at("huge").tokens,
    }),
  }),
  atEachLatency({
    name: "refresh reads",
    bound: 30,
    unit: "",
    why: "refresh reads on the workers are batched into one page per tenant",
    figure: (l, _, d) => ({
      label: `@${l}ms refresh 1000 dense: read requests`,
      value: d.refresh.reads,
    }),
  }),
  atEachLatency({
    name: "up --refresh reads",
    bound: 1.2,
    unit: "x",
    why: "the program's Diffs answer from the refresh's reads: no second read of an account",
    figure: (l, _, d) => ({
      label: `@${l}ms up --refresh --skip-preview: reads / plain refresh's (${d.refresh.reads})`,
      value: d.upRefreshSkipPreview.reads / Math.max(1, d.refresh.reads),
    }),
  }),
  atEachLatency({
    name: "update phase requests",
    bound: 1000 + 30,
    unit: "",
    why: "one PUT per changed account, answered from what its Diff read: no read after the PUT",
    figure: (l, _, d) => ({
      label: `@${l}ms update phase changing 1000: requests (PUTs ${d.updatePhase.writes}; token ${d.updatePhase.tokens} apart)`,
      value: d.updatePhase.requests,
    }),
  }),
  atEachLatency({
    name: "update phase time",
    bound: 1.3,
    unit: "x",
    why: "the PUTs overlap on the engine's workers: their round trips shared by the workers, plus the Diffs",
    figure: (l, _, d, run) => ({
      label: `@${l}ms update phase: wall / (1000 x ${l} ms / ${run.parallel} + preview@0 ${ms(d.preview0.ms)})`,
      value: d.updatePhase.ms / ((1000 * l) / (run.parallel ?? Number.NaN) + d.preview0.ms),
    }),
  }),
  atEachLatency({
    name: "shape previews against naive",
    bound: NOT_SLOWER,
    unit: "x",
    why: "never slower than a provider reading each account on its own, whatever the shape",
    figure: (l, at) =>
      SHAPES.map((shape) => ({
        label: `@${l}ms ${shape} preview: time / naive's (${ms(at(shape).ms)} vs ${ms(at(shape, "naive").ms)})`,
        value: at(shape).ms / at(shape, "naive").ms,
      })),
  }),
  ...(["preview", "up", "refresh"] as const).map(
    (phase): Target => ({
      name: `${phase} against naive, per mode`,
      group: "matrix",
      bound: NOT_SLOWER,
      unit: "x",
      why: "never slower than the naive provider in the same engine mode, latency and size",
      measured: (run) => againstNaive(run, phase),
    }),
  ),
  {
    name: "preview growth",
    group: "scale",
    bound: 11,
    unit: "x",
    why: "a preview grows at most linearly with the accounts: 10 times the accounts, at most 11 times the time",
    measured: (run) => {
      const at = (accounts: number) =>
        run.matrix?.find(
          (f) =>
            f.accounts === accounts &&
            f.latency === 20 &&
            f.mode === "default" &&
            f.provider === "ours",
        );
      const small = at(1000);
      const big = at(10_000);
      if (!small || !big) return [];
      return [{ label: "preview @20ms: 10,000 / 1,000", value: big.preview.ms / small.preview.ms }];
    },
  },
  {
    name: "export time against its floor",
    group: "export",
    bound: 1.5,
    unit: "x",
    why: "the export waits on one round trip per page and little else: what 20 ms adds stays near pages x 20 ms",
    measured: ({ export: e }) => {
      if (!e) return [];
      const floorMs = e.large.pages * e.large.latencyMs;
      return [
        {
          label: `export: time 20 ms adds / floor (${e.large.pages} round trips = ${floorMs} ms)`,
          value: Math.max(0, e.large.ms - e.noLatency.ms) / floorMs,
        },
      ];
    },
  },
  {
    name: "export pages",
    group: "export",
    bound: 25,
    unit: "",
    why: "50,000 users in pages of 2,000 (the platform's default limit): each page read once",
    measured: ({ export: e }) =>
      e ? [{ label: "export: pages read for 50,000 users", value: e.large.pages }] : [],
  },
];

/** A run's figures judged against the targets (of one group, or all): one row per figure. */
export function evaluate(
  run: BenchFigures,
  group?: TargetGroup,
  targets: readonly Target[] = TARGETS,
): Row[] {
  return targets
    .filter((t) => group === undefined || t.group === group)
    .flatMap((t) => t.measured(run).map((f) => atMost(f.label, f.value, t.bound, t.unit)));
}
