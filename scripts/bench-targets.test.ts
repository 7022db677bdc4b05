import { describe, expect, it } from "vitest";
import type { ExportFigures, ExportRuns } from "./bench-export";
import type { Measure } from "./bench-harness";
import type { DenseFigures, MatrixFigures } from "./bench-scenarios";
import { type BenchFigures, evaluate, TARGETS } from "./bench-targets";

/** A measure of `ms` and `reads`; `more` sets the rest. */
const m = (ms: number, reads = 0, more: Partial<Measure> = {}): Measure => ({
  ms,
  reads,
  writes: 0,
  requests: reads,
  tokens: 1,
  rssMb: 200,
  firstCheckMs: 60,
  ...more,
});

const cell = (
  accounts: number,
  provider: MatrixFigures["provider"],
  preview: number,
  up: number,
): MatrixFigures => ({
  accounts,
  latency: 20,
  mode: "default",
  provider,
  preview: m(preview, 30),
  up: m(up, 30),
  refresh: m(1000, 30),
});

const exported = (ms: number, pages: number): ExportFigures => ({
  users: 50_000,
  latencyMs: 20,
  ms,
  pages,
  rssMb: 100,
});

/** A run meeting every target, each by a margin the rows below take away one at a time. */
function passingRun(): BenchFigures {
  return {
    parallel: 8,
    providerBytes: 288,
    shapes: {
      dense: { ours: { 0: m(1000, 30), 20: m(2000, 30) }, naive: { 20: m(24_000, 1000) } },
      sparse: { ours: { 0: m(500, 40), 20: m(1300, 40) }, naive: { 20: m(1500, 40) } },
      pairs: { ours: { 20: m(1000, 60) }, naive: { 20: m(1200, 40) } },
      huge: { ours: { 20: m(480, 1, { requests: 3 }) }, naive: { 20: m(500, 3) } },
    },
    dense: {
      20: {
        latency: 20,
        refresh: m(1000, 30),
        upRefreshSkipPreview: m(1200, 30),
        upRefresh: m(2500, 60),
        // Ideal: 1000 x 20 ms / 8 + 1000 ms = 3500 ms.
        updatePhase: m(4000, 30, { writes: 1000, requests: 1030 }),
        preview0: m(1000, 30),
      },
    },
    matrix: [cell(1000, "ours", 2000, 5600), cell(1000, "naive", 24_500, 48_300)].concat(
      cell(10_000, "ours", 13_300, 47_400),
    ),
    export: { large: exported(2000, 25), noLatency: exported(1800, 25), onePage: exported(80, 1) },
  };
}

// The parts of a run the rows below change (all present in passingRun's).
const ours = (r: BenchFigures, shape: string) => r.shapes?.[shape]?.ours?.[20] as Measure;
const naive = (r: BenchFigures, shape: string) => r.shapes?.[shape]?.naive?.[20] as Measure;
const dense = (r: BenchFigures) => r.dense?.[20] as DenseFigures;
const cellAt = (r: BenchFigures, k: number) => r.matrix?.[k] as MatrixFigures;
const exports = (r: BenchFigures) => r.export as ExportRuns;

const failedLabels = (run: BenchFigures) =>
  evaluate(run)
    .filter((r) => r.pass === false)
    .map((r) => r.target);

describe("bench targets", () => {
  it("a run meeting every target passes every row, and each target judges a figure of it", () => {
    const rows = evaluate(passingRun());
    expect(rows.filter((r) => r.pass !== true)).toEqual([]);
    for (const target of TARGETS) expect(target.measured(passingRun()).length).toBeGreaterThan(0);
  });

  it.each<[string, (run: BenchFigures) => void, string[]]>([
    ["a provider of 513 bytes", (r) => (r.providerBytes = 513), ["serialized __provider"]],
    [
      "31 reads in a dense preview",
      (r) => (ours(r, "dense").reads = 31),
      ["@20ms dense preview 1000"],
    ],
    [
      "a dense preview over twice its 0 ms time",
      (r) => (ours(r, "dense").ms = 2001),
      ["@20ms dense preview: wall"],
    ],
    [
      "1.125 reads per sparse account",
      (r) => (ours(r, "sparse").reads = 45),
      ["@20ms sparse preview 40"],
    ],
    [
      "a sparse preview 1.15x its round trips",
      (r) => (ours(r, "sparse").ms = 1500),
      ["@20ms sparse preview: wall"],
    ],
    [
      "81 reads for 40 paired accounts",
      (r) => (ours(r, "pairs").reads = 81),
      ["@20ms pairs preview 40"],
    ],
    [
      "11 requests in a huge tenant",
      (r) => (ours(r, "huge").requests = 10),
      ["@20ms huge preview 3"],
    ],
    ["31 refresh reads", (r) => (dense(r).refresh.reads = 31), ["@20ms refresh 1000"]],
    [
      "up --refresh reading 1.23x",
      (r) => (dense(r).upRefreshSkipPreview.reads = 37),
      ["@20ms up --refresh"],
    ],
    [
      "1,031 update requests",
      (r) => (dense(r).updatePhase.requests = 1031),
      ["@20ms update phase changing"],
    ],
    [
      "an update 1.31x its ideal",
      (r) => (dense(r).updatePhase.ms = 4600),
      ["@20ms update phase: wall"],
    ],
    [
      "pairs slower than naive",
      (r) => (naive(r, "pairs").ms = 950),
      ["@20ms pairs preview: time / naive's"],
    ],
    [
      "an up slower than naive's",
      (r) => (cellAt(r, 1).up.ms = 5300),
      ["1000 @20ms default: up time / naive's"],
    ],
    [
      "a 10,000 preview 11.0005x the 1,000",
      (r) => (cellAt(r, 2).preview.ms = 22_001),
      ["preview @20ms: 10,000 / 1,000"],
    ],
    ["an export 2x its floor", (r) => (exports(r).large.ms = 2800), ["export: time 20 ms adds"]],
    ["26 export pages", (r) => (exports(r).large.pages = 26), ["export: pages read"]],
    [
      "the huge shape not measured",
      (r) => delete r.shapes?.huge,
      ["@20ms huge preview 3", "@20ms huge preview: time / naive's"],
    ],
  ])("%s fails exactly its target", (_, breakIt, failing) => {
    const run = passingRun();
    breakIt(run);
    const failed = failedLabels(run);
    expect(failed).toHaveLength(failing.length);
    for (const [k, start] of failing.entries()) {
      expect(failed[k]?.startsWith(start), failed[k]).toBe(true);
    }
  });

  it.each<[string, (run: BenchFigures) => void]>([
    ["a provider of exactly 512 bytes", (r) => (r.providerBytes = 512)],
    ["exactly 30 dense reads", (r) => (ours(r, "dense").reads = 30)],
    ["exactly 1,030 update requests", (r) => (dense(r).updatePhase.requests = 1030)],
  ])("%s is within its bound", (_, setIt) => {
    const run = passingRun();
    setIt(run);
    expect(failedLabels(run)).toEqual([]);
  });

  it("a group's rows only, and none for what the run did not measure", () => {
    const groups = (run: BenchFigures, group: Parameters<typeof evaluate>[1]) =>
      evaluate(run, group).map((r) => r.target);
    expect(groups(passingRun(), "export")).toEqual([
      "export: time 20 ms adds / floor (25 round trips = 500 ms)",
      "export: pages read for 50,000 users",
    ]);
    const quick = passingRun();
    quick.matrix = quick.matrix?.filter((f) => f.accounts === 1000);
    expect(groups(quick, "scale")).toEqual([]);
    expect(groups(quick, "matrix")).toHaveLength(3);
  });
});
