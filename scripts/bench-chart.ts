import { z } from "zod";
import type { MatrixFigures } from "./bench-scenarios";

/**
 * The bench's main table as an SVG chart, a pure function of the figures: one panel per engine
 * mode, preview and up time against accounts, ours and the naive provider, at one latency. Both
 * axes are logarithmic: accounts span decades, and the naive provider is ten times slower.
 */

export interface ChartPoint {
  accounts: number;
  latency: number;
  mode: string;
  provider: "ours" | "naive";
  previewMs: number;
  upMs: number;
}

export function chartPoints(matrix: readonly MatrixFigures[]): ChartPoint[] {
  return matrix.map((f) => ({
    accounts: f.accounts,
    latency: f.latency,
    mode: f.mode,
    provider: f.provider,
    previewMs: f.preview.ms,
    upMs: f.up.ms,
  }));
}

/**
 * What `--chart-from` reads: a results file the bench wrote (only the matrix's times are used),
 * or figures transcribed in the same shape, with `source` saying where they come from.
 */
const chartFileSchema = z.object({
  source: z.string().optional(),
  date: z.string().optional(),
  matrix: z
    .array(
      z.object({
        accounts: z.number().int().positive(),
        latency: z.number().nonnegative(),
        mode: z.string().min(1),
        provider: z.enum(["ours", "naive"]),
        preview: z.object({ ms: z.number().positive() }),
        up: z.object({ ms: z.number().positive() }),
      }),
    )
    .min(1),
});

/** A results file's chart points and the caption saying which run they come from. */
export function parseChartFile(
  text: string,
  file: string,
): { points: ChartPoint[]; caption: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`);
  }
  const parsed = chartFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${file}: not a bench results file:\n${z.prettifyError(parsed.error)}`);
  }
  const { source, date, matrix } = parsed.data;
  const points = matrix.map((f) => ({ ...f, previewMs: f.preview.ms, upMs: f.up.ms }));
  return { points, caption: source ?? `npm run bench${date ? ` of ${date}` : ""}` };
}

export const WIDTH = 960;
export const HEIGHT = 400;
const PANEL_TOP = 92;
const PANEL_BOTTOM = HEIGHT - 62;
const MARGIN_LEFT = 56;
const GAP = 64;
const MARGIN_RIGHT = 44;

/** The plot area of panel `index` of `count`. */
export function panelBox(index: number, count: number) {
  const width = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT - GAP * (count - 1)) / count;
  const left = MARGIN_LEFT + index * (width + GAP);
  return { left, right: left + width, top: PANEL_TOP, bottom: PANEL_BOTTOM };
}

/** The decades holding every value: [10^floor(log min), 10^ceil(log max)], at least one decade. */
export function logDomain(values: readonly number[]): [number, number] {
  const low = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  return [low, high > low ? high : low * 10];
}

/** 1, 2 and 5 times each power of ten inside the domain. */
function ticks([low, high]: [number, number]): number[] {
  const out: number[] = [];
  for (let k = Math.round(Math.log10(low)); 10 ** k <= high; k++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** k).toPrecision(2));
      if (v >= low && v <= high) out.push(v);
    }
  }
  return out;
}

/** `value` on a log axis from `domain` to pixels `from`..`to`. */
function logScale(domain: [number, number], from: number, to: number) {
  const [a, b] = domain.map(Math.log10) as [number, number];
  return (value: number) => round(from + ((Math.log10(value) - a) / (b - a)) * (to - from));
}

const round = (n: number) => Math.round(n * 10) / 10;
const seconds = (ms: number) => `${Number((ms / 1000).toPrecision(2))} s`;
const xmlText = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const SERIES = [
  { provider: "ours", phase: "preview", color: "#1f6fb4", dash: "", fill: true },
  { provider: "ours", phase: "up", color: "#1f6fb4", dash: "6 4", fill: false },
  { provider: "naive", phase: "preview", color: "#c8372d", dash: "", fill: true },
  { provider: "naive", phase: "up", color: "#c8372d", dash: "6 4", fill: false },
] as const;

const PROVIDER_NAMES = { ours: "this provider", naive: "naive provider" };

export interface ChartOptions {
  /** The latency per platform answer whose figures are drawn. */
  latency: number;
  /** Where the figures come from, printed under the chart. */
  caption: string;
}

/** The SVG text of the chart; throws when no figure is at `options.latency`. */
export function renderChart(all: readonly ChartPoint[], options: ChartOptions): string {
  const points = all.filter((p) => p.latency === options.latency);
  if (points.length === 0) {
    const have = [...new Set(all.map((p) => p.latency))].join(", ");
    throw new Error(`no figures at ${options.latency} ms to chart (the figures have: ${have})`);
  }
  const modes = [...new Set(points.map((p) => p.mode))];
  const xDomain = logDomain(points.map((p) => p.accounts));
  const yDomain = logDomain(points.flatMap((p) => [p.previewMs, p.upMs]).map((ms) => ms / 1000));
  const title = `Preview and up (changing every account) against accounts, ${options.latency} ms per platform answer`;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${title}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${title}</text>`,
    ...legend(),
  ];
  modes.forEach((mode, index) => {
    const box = panelBox(index, modes.length);
    const x = logScale(xDomain, box.left, box.right);
    const y = logScale(yDomain, box.bottom, box.top);
    out.push(...axes(mode, box, xDomain, yDomain, x, y));
    for (const s of SERIES) {
      const mine = points
        .filter((p) => p.mode === mode && p.provider === s.provider)
        .sort((a, b) => a.accounts - b.accounts)
        .map((p) => ({ p, ms: s.phase === "preview" ? p.previewMs : p.upMs }));
      const name = `${s.provider} ${s.phase}`;
      const data = `data-series="${name}" data-mode="${xmlText(mode)}"`;
      if (mine.length > 1) {
        const line = mine.map(({ p, ms }) => `${x(p.accounts)},${y(ms / 1000)}`).join(" ");
        out.push(
          `<polyline ${data} points="${line}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`,
        );
      }
      for (const { p, ms } of mine) {
        const [cx, cy] = [x(p.accounts), y(ms / 1000)];
        out.push(
          `<circle ${data} data-accounts="${p.accounts}" data-ms="${Math.round(ms)}" cx="${cx}" cy="${cy}" r="4" fill="${s.fill ? s.color : "white"}" stroke="${s.color}" stroke-width="2"/>`,
          // Beside the point, on the side facing the panel's middle.
          cx > (box.left + box.right) / 2
            ? `<text x="${round(cx - 8)}" y="${round(cy + 4)}" text-anchor="end" fill="${s.color}" font-size="11">${seconds(ms)}</text>`
            : `<text x="${round(cx + 8)}" y="${round(cy + 4)}" fill="${s.color}" font-size="11">${seconds(ms)}</text>`,
        );
      }
    }
  });
  out.push(
    `<text x="${WIDTH / 2}" y="${HEIGHT - 10}" text-anchor="middle" font-size="11" fill="#555">${xmlText(options.caption)}</text>`,
    "</svg>",
    "",
  );
  return out.join("\n");
}

function legend(): string[] {
  return SERIES.flatMap((s, i) => {
    const left = 120 + i * 190;
    const color = s.color;
    return [
      `<line x1="${left}" y1="44" x2="${left + 28}" y2="44" stroke="${color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>`,
      `<circle cx="${left + 14}" cy="44" r="4" fill="${s.fill ? color : "white"}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${left + 34}" y="48">${PROVIDER_NAMES[s.provider]}: ${s.phase}</text>`,
    ];
  });
}

function axes(
  mode: string,
  box: ReturnType<typeof panelBox>,
  xDomain: [number, number],
  yDomain: [number, number],
  x: (v: number) => number,
  y: (v: number) => number,
): string[] {
  const out = [
    `<text x="${round((box.left + box.right) / 2)}" y="${box.top - 10}" text-anchor="middle" font-weight="bold">engine mode: ${xmlText(mode)}</text>`,
    `<line x1="${box.left}" y1="${box.bottom}" x2="${box.right}" y2="${box.bottom}" stroke="black"/>`,
    `<line x1="${box.left}" y1="${box.top}" x2="${box.left}" y2="${box.bottom}" stroke="black"/>`,
    `<text x="${round((box.left + box.right) / 2)}" y="${box.bottom + 34}" text-anchor="middle">accounts</text>`,
    `<text transform="translate(${round(box.left - 42)},${round((box.top + box.bottom) / 2)}) rotate(-90)" text-anchor="middle">seconds</text>`,
  ];
  for (const v of ticks(xDomain)) {
    out.push(
      `<line x1="${x(v)}" y1="${box.bottom}" x2="${x(v)}" y2="${box.bottom + 5}" stroke="black"/>`,
      `<text x="${x(v)}" y="${box.bottom + 18}" text-anchor="middle">${v.toLocaleString("en-US")}</text>`,
    );
  }
  for (const v of ticks(yDomain)) {
    out.push(
      `<line x1="${box.left}" y1="${y(v)}" x2="${box.right}" y2="${y(v)}" stroke="#e4e4e4"/>`,
      `<text x="${box.left - 6}" y="${round(y(v) + 4)}" text-anchor="end">${v}</text>`,
    );
  }
  return out;
}
