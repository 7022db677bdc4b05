import type { ContractRow } from "./rows";

/** The rows as a plain-text table: kind, what was tried, held / differs, the platform's answer. */
export function contractTable(rows: readonly ContractRow[]): string {
  const head = ["kind", "behaviour", "outcome", "platform answered"];
  const cells = rows.map((r) => [r.kind, r.name, r.outcome, r.platform]);
  const widths = head.map((h, i) =>
    Math.min(i === 3 ? 60 : 90, Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length))),
  );
  const line = (c: string[]) =>
    c.map((s, i) => (i === 3 ? s : s.padEnd(widths[i] ?? 0))).join(" | ");
  const counts = ["held", "differs", "needs a human", "skipped"]
    .map((o) => `${rows.filter((r) => r.outcome === o).length} ${o}`)
    .join(", ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("-|-"), ...cells.map(line), "", counts]
    .join("\n")
    .concat("\n");
}
