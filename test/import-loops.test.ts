import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  type ImportGraph,
  importGraph,
  importLoops,
  importSpecifiers,
  sourceFiles,
} from "./support/import-graph";

/**
 * No import loops: a part's files form layers (the emulator: records, then state, then routes,
 * then the server), so each can be read and tested from the bottom up. Extend PARTS to cover more
 * of the project once its loops are gone.
 */

const ROOT = path.resolve(__dirname, "..");
const PARTS = ["emulator"] as const;

describe("import loops", () => {
  it.each(PARTS)("no file of %s/ imports itself, directly or round a loop", (part) => {
    expect(importLoops(importGraph(ROOT, sourceFiles(ROOT, [part])))).toEqual([]);
  });

  it("finds a loop of two, a loop of three and a self-import, and nothing in a chain", () => {
    const graph: ImportGraph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["a.ts"]],
      ["c.ts", ["d.ts"]],
      ["d.ts", ["e.ts"]],
      ["e.ts", ["c.ts"]],
      ["f.ts", ["f.ts"]],
      ["g.ts", ["h.ts"]],
      ["h.ts", []],
    ]);
    expect(importLoops(graph)).toEqual([["a.ts", "b.ts"], ["c.ts", "d.ts", "e.ts"], ["f.ts"]]);
  });

  it("counts type-only imports and re-exports, not comments or strings", () => {
    const text = [
      'import type { A } from "./a";',
      'export { B } from "./b";',
      'export type { C } from "./c";',
      '// import { D } from "./d";',
      "const s = \"import { E } from './e'\";",
    ].join("\n");
    expect(importSpecifiers(text)).toEqual(["./a", "./b", "./c"]);
  });
});
