/**
 * What the export bench measures (bench-export.ts) and its targets judge (bench-targets.ts): here,
 * below both, since the measuring side also judges its own run.
 */

/** One run of the export command. */
export interface ExportFigures {
  users: number;
  latencyMs: number;
  ms: number;
  pages: number;
  rssMb: number;
}

/** The export's runs: 50,000 users at 20 ms and at 0 ms, and one page's worth at 20 ms. */
export interface ExportRuns {
  large: ExportFigures;
  noLatency: ExportFigures;
  onePage: ExportFigures;
}
