/** The bench's output: rows of figures, some judged against a target, printed as a table. */

export interface Row {
  target: string;
  measured: string;
  limit: string;
  /** undefined: reported, not judged. */
  pass?: boolean;
}

export const ms = (n: number) => `${Math.round(n)} ms`;
export const ratio = (n: number) => `${n.toFixed(2)}x`;

/** A row judged by `measured <= limit`. */
export function atMost(target: string, measured: number, limit: number, unit = ""): Row {
  const show = (n: number) => (unit === "x" ? ratio(n) : unit === "ms" ? ms(n) : String(n));
  return { target, measured: show(measured), limit: `<= ${show(limit)}`, pass: measured <= limit };
}

export function reported(target: string, measured: string): Row {
  return { target, measured, limit: "-" };
}

export function printTable(rows: readonly Row[], print: (line: string) => void): void {
  const widths = [
    Math.max(6, ...rows.map((r) => r.target.length)),
    Math.max(8, ...rows.map((r) => r.measured.length)),
    Math.max(5, ...rows.map((r) => r.limit.length)),
  ];
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c))
      .join("  ")
      .trimEnd();
  print(line(["target", "measured", "limit", "result"]));
  print(line(widths.map((w) => "-".repeat(w)).concat("------")));
  for (const r of rows) {
    const verdict = r.pass === undefined ? "" : r.pass ? "pass" : "FAIL";
    print(line([r.target, r.measured, r.limit, verdict]));
  }
}
