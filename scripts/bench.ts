import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_PARALLEL } from "../engine/engine";
import { createWorkspace, REPO_ROOT, serializeProvider, type Workspace } from "../engine/workspace";
import { chartPoints, parseChartFile, renderChart } from "./bench-chart";
import { exportRows } from "./bench-export";
import { Sections } from "./bench-harness";
import { latencyRows, matrixRows, refreshRows } from "./bench-rows";
import {
  denseRuns,
  type MatrixFigures,
  MODES,
  matrix,
  type Providers,
  previewShape,
  refreshRuns,
  shapes,
} from "./bench-scenarios";
import { stateRows } from "./bench-state";
import { printTable } from "./bench-table";
import { type BenchFigures, evaluate, TARGETS } from "./bench-targets";
import { makeNaiveProvider } from "./naive-provider";

/**
 * `npm run bench`: the provider measured through the local engine, which schedules calls as the
 * Pulumi engine does (Check and Diff one at a time by default, steps and refresh reads on
 * 4 x CPUs workers, `up` = a preview and an update on fresh provider processes), against the
 * emulator with injected latency. Counts come from the emulator, times from this process, RSS
 * from the hosts' VmHWM. Every figure has a reference row measured in the same run: the naive
 * provider (one GET per Diff, no batching, no cache, on the same libraries as ours) through the
 * same engine; small stacks also show a provider that loads no library at all (naive-provider.ts).
 * Prints a table, writes the figures as JSON and the matrix as an SVG chart, exits non-zero if a
 * target (bench-targets.ts) is missed.
 */

/** The latency whose matrix figures the chart draws. */
const CHART_LATENCY = 20;

const OPTIONS = {
  json: { type: "string", default: path.join(".bench", "results.json") },
  chart: { type: "string" },
  quick: { type: "boolean", default: false },
  /** Only the refresh section: a shared machine's short run. */
  "refresh-only": { type: "boolean", default: false },
  /** Only the matrix at these account counts (comma-separated), and its chart: a short run. */
  "matrix-only": { type: "string" },
  /** No run: the chart drawn from a results file (one the bench wrote, or figures in its shape). */
  "chart-from": { type: "string" },
} as const;

type Args = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];

const print = (line: string) => console.log(line);
const fromRoot = (file: string) => path.resolve(REPO_ROOT, file);

function write(file: string, text: string, what: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  print(`\n${what} written to ${path.relative(process.cwd(), file) || file}`);
}

function writeChart(file: string, matrixFigures: readonly MatrixFigures[], caption: string): void {
  write(
    file,
    renderChart(chartPoints(matrixFigures), { latency: CHART_LATENCY, caption }),
    "chart",
  );
}

/** The account counts of `--matrix-only`, each a positive integer. */
function accountCounts(text: string): number[] {
  return text.split(",").map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n <= 0) {
      throw new Error(`--matrix-only: "${part}" is not a positive account count (e.g. 100,1000)`);
    }
    return n;
  });
}

/** What every section of one run shares. */
interface BenchRun {
  args: Args;
  ws: Workspace;
  providers: Providers;
  figures: BenchFigures & Record<string, unknown>;
  sections: Sections;
}

async function main(args: Args): Promise<void> {
  const chartFrom = args["chart-from"];
  if (chartFrom) {
    const { points, caption } = parseChartFile(readFileSync(chartFrom, "utf8"), chartFrom);
    const svg = renderChart(points, { latency: CHART_LATENCY, caption });
    write(fromRoot(args.chart ?? path.join("docs", "bench-chart.svg")), svg, "chart");
    return;
  }
  const matrixOnly = args["matrix-only"] === undefined ? [] : accountCounts(args["matrix-only"]);
  const date = new Date().toISOString();
  const source = `npm run bench of ${date} (${DEFAULT_PARALLEL} workers)`;
  const ws = await createWorkspace("bench");
  const run: BenchRun = {
    args,
    ws,
    providers: {
      ours: ws.providerText,
      naive: await serializeProvider(makeNaiveProvider("naive")),
      bare: await serializeProvider(makeNaiveProvider("bare")),
    },
    figures: { parallel: DEFAULT_PARALLEL, shapes: {}, dense: {}, matrix: [] },
    sections: new Sections(print),
  };
  const { figures, sections } = run;

  if (args["refresh-only"]) {
    await sections.run(
      "refresh of 1,000 accounts, 10 tenants (r = read requests, w = PUTs)",
      async () => refreshRows(1000, 20, await refreshRuns(ws, run.providers, 1000, 20)),
    );
  } else if (matrixOnly.length > 0) {
    await matrixSection(run, matrixOnly);
    writeChart(
      fromRoot(args.chart ?? path.join(".bench", "chart.svg")),
      figures.matrix ?? [],
      source,
    );
  } else {
    await fullRun(run);
    writeChart(
      fromRoot(args.chart ?? path.join("docs", "bench-chart.svg")),
      figures.matrix ?? [],
      source,
    );
  }

  print("\nall figures");
  printTable(sections.rows, print);
  const failed = sections.rows.filter((r) => r.pass === false);
  const targets = TARGETS.map(({ name, bound, unit, why }) => ({ name, bound, unit, why }));
  const results = { date, source, ...figures, targets, rows: sections.rows, failed: failed.length };
  write(fromRoot(args.json), `${JSON.stringify(results, null, 2)}\n`, "figures");
  if (failed.length > 0) {
    print(`${failed.length} target(s) missed`);
    process.exitCode = 1;
  }
}

/** Issue 10's matrix at these account counts: every mode, 0 and 20 ms, ours and naive. */
function matrixSection({ ws, providers, figures, sections }: BenchRun, counts: number[]) {
  const accounts = counts.map((n) => n.toLocaleString("en-US")).join(" and ");
  return sections.run(
    `${accounts} accounts: preview / up / refresh per mode (r = read requests, w = PUTs)`,
    async () => {
      for (const n of counts) {
        figures.matrix?.push(
          ...(await matrix(ws, providers, n, [0, 20], MODES, ["ours", "naive"])),
        );
      }
      return [...matrixRows(figures.matrix ?? []), ...evaluate(figures, "matrix")];
    },
  );
}

/** Every section: the provider, the shapes at each latency, the matrix, export and state writes. */
async function fullRun(run: BenchRun): Promise<void> {
  const { args, ws, providers, figures, sections } = run;
  await sections.run("provider", async () => {
    figures.providerBytes = Buffer.byteLength(ws.providerText);
    return evaluate(figures, "provider");
  });

  // Issue 12's shapes at 20 and 50 ms (and 0 ms, the host's own cost).
  const latencies = args.quick ? [0, 20] : [0, 20, 50];
  const shapeFigures = figures.shapes ?? {};
  await sections.run("preview of each shape, ours and naive", async () => {
    for (const shape of shapes()) {
      shapeFigures[shape.name] = await previewShape(ws, providers, shape, latencies);
    }
    return [];
  });
  for (const latency of latencies.filter((l) => l > 0)) {
    await sections.run(
      `targets at ${latency} ms (default engine mode, ${DEFAULT_PARALLEL} workers)`,
      async () => {
        const dense = await denseRuns(ws, providers.ours, latency);
        figures.dense = { ...figures.dense, [latency]: dense };
        const atThis: BenchFigures = { ...figures, dense: { [latency]: dense } };
        return [...evaluate(atThis, "latency"), ...latencyRows(latency, shapeFigures, dense)];
      },
    );
  }

  // Issue 10's matrix: 1,000 accounts in every mode and latency, ours and naive; 10,000 ours.
  await matrixSection(run, [1000]);
  if (!args.quick) {
    await sections.run("10,000 accounts", async () => {
      const big = [
        ...(await matrix(ws, providers, 10_000, [0, 20], MODES.slice(0, 1), ["ours"])),
        ...(await matrix(ws, providers, 10_000, [20], MODES.slice(1), ["ours"])),
      ];
      figures.matrix?.push(...big);
      return [...matrixRows(big), ...evaluate(figures, "scale")];
    });
  }

  // Issue 21: the export command on a 50,000-user tenant.
  await sections.run("export command: 50,000 users at 20 ms", async () => {
    const exported = await exportRows();
    figures.export = exported.figures;
    return exported.rows;
  });

  // Issue 22: what Pulumi's state writes cost a large stack on a self-managed backend.
  await sections.run(
    "state writes: 1,000 and 10,000 accounts, with and without checkpoints",
    async () => {
      const state = await stateRows(args.quick ? [1000] : [1000, 10_000]);
      figures.state = state.figures;
      return state.rows;
    },
  );
}

main(parseArgs({ options: OPTIONS }).values).catch((error: unknown) => {
  console.error("bench failed:", error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
