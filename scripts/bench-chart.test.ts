import { describe, expect, it } from "vitest";
import { type ChartPoint, panelBox, parseChartFile, renderChart } from "./bench-chart";

const point = (
  mode: string,
  provider: ChartPoint["provider"],
  accounts: number,
  previewMs: number,
  upMs: number,
  latency = 20,
): ChartPoint => ({ accounts, latency, mode, provider, previewMs, upMs });

/** Two modes; times from 1.4 s to 48.3 s (y: 1 to 100 s), accounts 1,000 to 10,000. */
const POINTS = [
  point("default", "ours", 1000, 2000, 5600),
  point("default", "ours", 10_000, 13_300, 47_400),
  point("default", "naive", 1000, 24_500, 48_300),
  point("parallelDiff", "ours", 1000, 1400, 5400),
  point("parallelDiff", "naive", 1000, 3300, 12_400),
  // Another latency: not drawn.
  point("default", "ours", 100, 900, 950, 0),
];

interface Drawn {
  series: string;
  mode: string;
  accounts: number;
  ms: number;
  cx: number;
  cy: number;
}

function circles(svg: string): Drawn[] {
  const re =
    /<circle data-series="([^"]+)" data-mode="([^"]+)" data-accounts="(\d+)" data-ms="(\d+)" cx="([\d.]+)" cy="([\d.]+)"/g;
  return [...svg.matchAll(re)].map((m) => ({
    series: m[1] as string,
    mode: m[2] as string,
    accounts: Number(m[3]),
    ms: Number(m[4]),
    cx: Number(m[5]),
    cy: Number(m[6]),
  }));
}

const svg = renderChart(POINTS, { latency: 20, caption: "figures of a test & <run>" });

describe("bench chart", () => {
  // Log scales: x from 1,000 (left) to 10,000 (right); y from 1 s (bottom) to 100 s (top).
  it.each<[string, string, number, number, number]>([
    ["default", "ours preview", 1000, 2000, 0],
    ["default", "ours preview", 10_000, 13_300, 0],
    ["default", "ours up", 1000, 5600, 0],
    ["default", "ours up", 10_000, 47_400, 0],
    ["default", "naive preview", 1000, 24_500, 0],
    ["default", "naive up", 1000, 48_300, 0],
    ["parallelDiff", "ours preview", 1000, 1400, 1],
    ["parallelDiff", "ours up", 1000, 5400, 1],
    ["parallelDiff", "naive preview", 1000, 3300, 1],
    ["parallelDiff", "naive up", 1000, 12_400, 1],
  ])("%s %s at %i accounts: %i ms, in panel %i", (mode, series, accounts, ms, panel) => {
    const box = panelBox(panel, 2);
    const found = circles(svg).filter(
      (c) => c.mode === mode && c.series === series && c.accounts === accounts,
    );
    expect(found).toHaveLength(1);
    const [c] = found as [Drawn];
    expect(c.ms).toBe(ms);
    expect(c.cx).toBeCloseTo(box.left + Math.log10(accounts / 1000) * (box.right - box.left), 1);
    expect(c.cy).toBeCloseTo(box.bottom - (Math.log10(ms / 1000) / 2) * (box.bottom - box.top), 1);
  });

  it("draws only the chosen latency's points, each series a line through its points", () => {
    expect(circles(svg)).toHaveLength(10);
    const lines = [
      ...svg.matchAll(/<polyline data-series="([^"]+)" data-mode="([^"]+)" points="([^"]+)"/g),
    ];
    // Only ours in the default mode has two account counts.
    expect(lines.map((l) => `${l[2]}: ${l[1]}`)).toEqual([
      "default: ours preview",
      "default: ours up",
    ]);
    const ours = circles(svg).filter((c) => c.mode === "default" && c.series === "ours preview");
    expect(lines[0]?.[3]).toBe(ours.map((c) => `${c.cx},${c.cy}`).join(" "));
  });

  it("names each panel, the legend's series, and the source, escaped", () => {
    expect(svg).toContain("engine mode: default");
    expect(svg).toContain("engine mode: parallelDiff");
    for (const name of ["this provider: preview", "this provider: up", "naive provider: up"]) {
      expect(svg).toContain(name);
    }
    expect(svg).toContain("figures of a test &amp; &lt;run&gt;");
    expect(svg.startsWith("<svg ")).toBe(true);
  });

  it("refuses a latency with no figures, naming the ones it has", () => {
    expect(() => renderChart(POINTS, { latency: 50, caption: "" })).toThrow(
      "no figures at 50 ms to chart (the figures have: 20, 0)",
    );
  });

  it("reads a results file and says which entry is wrong", () => {
    const file = JSON.stringify({
      source: "README, run of 2026-11-30",
      matrix: [
        {
          accounts: 1000,
          latency: 20,
          mode: "default",
          provider: "ours",
          preview: { ms: 2000 },
          up: { ms: 5600 },
        },
      ],
    });
    expect(parseChartFile(file, "f.json")).toEqual({
      points: [expect.objectContaining({ accounts: 1000, previewMs: 2000, upMs: 5600 })],
      caption: "README, run of 2026-11-30",
    });
    const bad = file.replace('"up":{"ms":5600}', '"up":{"ms":"5.6 s"}');
    expect(() => parseChartFile(bad, "f.json")).toThrow(
      /f\.json: not a bench results file:[\s\S]*matrix\[0\]\.up\.ms/,
    );
    expect(() => parseChartFile("{", "f.json")).toThrow(/f\.json: not JSON/);
  });
});
