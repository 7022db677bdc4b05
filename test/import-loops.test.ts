import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { EMULATOR_LAYERS } from "../emulator/layers";
import {
  type ImportGraph,
  importGraph,
  importLoops,
  importSpecifiers,
  projectSources,
  sourceFiles,
} from "./support/import-graph";

/**
 * No import loops anywhere in the project (tests aside): its files form layers (the emulator:
 * records, then state, then routes, then the server), so each can be read and tested from the
 * bottom up. A type two files share lives in the file both depend on, not back up the chain.
 */

const ROOT = path.resolve(__dirname, "..");

describe("import loops", () => {
  const sources = projectSources(ROOT);

  it("covers every part of the project: provider, engine, emulator, scripts, programs", () => {
    for (const file of [
      "index.ts",
      "provider/index.ts",
      "provider/api/index.ts",
      "provider/cli/main.ts",
      "engine/engine.ts",
      "emulator/index.ts",
      "emulator/routes/api.ts",
      "scripts/demo.ts",
      "examples/basic/index.ts",
    ]) {
      expect(sources).toContain(file);
    }
    expect(sources.filter((f) => /(^test\/|\.test\.ts$)/.test(f))).toEqual([]);
  });

  it("no file of the project imports itself, directly or round a loop", () => {
    expect(importLoops(importGraph(ROOT, sources))).toEqual([]);
  });

  it("each emulator file imports only from its own layer or the layers below", () => {
    const rank = new Map<string, number>();
    Object.values(EMULATOR_LAYERS).forEach((files, i) => {
      for (const f of files) rank.set(`emulator/${f}.ts`, i);
    });
    const files = sourceFiles(ROOT, ["emulator"]).filter((f) => f !== "emulator/layers.ts");
    expect(files.filter((f) => !rank.has(f))).toEqual([]);
    const upward = [...importGraph(ROOT, files)].flatMap(([from, tos]) =>
      tos
        .filter((to) => (rank.get(to) ?? 0) > (rank.get(from) ?? 0))
        .map((to) => `${from} -> ${to}`),
    );
    expect(upward).toEqual([]);
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
