import type { Measure } from "./bench-harness";
import {
  type DenseFigures,
  type MatrixFigures,
  NO_COMPILE_CACHE,
  type RefreshFigures,
  type ShapeFigures,
} from "./bench-scenarios";
import { ms, type Row, ratio, reported } from "./bench-table";

/**
 * The figures the bench reports without judging them (targets are in bench-targets.ts): what a
 * user reads in the table beside the targets.
 */

const cell = (m: Measure, naive?: Measure) =>
  `${ms(m.ms)} r${m.reads} w${m.writes}${naive ? ` (${ratio(m.ms / naive.ms)} naive)` : ""}`;

/** The matrix: each cell of ours set against naive's, then naive's own cells. */
export function matrixRows(figures: readonly MatrixFigures[]): Row[] {
  const rows: Row[] = [];
  const naiveOf = (f: MatrixFigures) =>
    figures.find(
      (g) =>
        g.provider === "naive" &&
        g.accounts === f.accounts &&
        g.latency === f.latency &&
        g.mode === f.mode,
    );
  for (const f of figures.filter((g) => g.provider === "ours")) {
    const naive = naiveOf(f);
    const head = `${f.accounts} @${f.latency}ms ${f.mode}`;
    rows.push(
      reported(`${head}: preview`, cell(f.preview, naive?.preview)),
      reported(`${head}: up`, cell(f.up, naive?.up)),
      reported(`${head}: refresh`, cell(f.refresh, naive?.refresh)),
      reported(`${head}: peak host RSS`, `${Math.round(Math.max(f.up.rssMb, f.preview.rssMb))} MB`),
    );
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

/** At one latency: `up --refresh`'s reads, and what the libraries and the compile cache cost. */
export function latencyRows(
  latency: number,
  shapes: Record<string, ShapeFigures>,
  dense: DenseFigures,
): Row[] {
  const rows = [
    reported(
      `@${latency}ms up --refresh (preview + update, two processes): reads`,
      String(dense.upRefresh.reads),
    ),
  ];
  for (const [shape, s] of Object.entries(shapes)) {
    const [ours, naive, bare, uncached] = ["ours", "naive", "bare", NO_COMPILE_CACHE].map(
      (who) => s[who]?.[latency],
    );
    if (!ours || !naive || !bare || !uncached) continue;
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
  return rows;
}

/** The names of `refreshRuns`' figures, in its order. */
const REFRESH_RUNS = [
  "refresh (preview + execution)",
  "refresh --skip-preview",
  "up --refresh",
  "refresh --skip-preview without the Diffs (legacy)",
];

export function refreshRows(n: number, latency: number, figures: RefreshFigures): Row[] {
  return REFRESH_RUNS.flatMap((name, k) => {
    const ours = figures.ours?.[k];
    const naive = figures.naive?.[k];
    if (!ours) return [];
    const vsNaive = naive ? ` (naive ${ms(naive.ms)}, r${naive.reads})` : "";
    return [
      reported(
        `${n} dense @${latency}ms ${name}`,
        `${ms(ours.ms)} r${ours.reads} w${ours.writes}${vsNaive}`,
      ),
    ];
  });
}
