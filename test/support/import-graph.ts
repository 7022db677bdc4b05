import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import ts from "typescript";

/**
 * The import graph of a project's TypeScript sources, and the loops in it. Every relative
 * `import` and `export ... from` counts, type-only ones included (a type two files share lives in
 * the file both depend on). Built on `ts.preProcessFile`, the compiler's own scanner, so comments
 * and strings that look like imports do not count.
 */

/** File (relative to the root, `/`-separated) -> the project files it imports. */
export type ImportGraph = Map<string, string[]>;

/** The `.ts` files under `dirs` (relative to `root`), tests excluded unless `withTests`. */
export function sourceFiles(root: string, dirs: readonly string[], withTests = false): string[] {
  return dirs.flatMap((dir) =>
    readdirSync(path.join(root, dir), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
      .filter((f) => withTests || !/\.(test|check)\.ts$/.test(f))
      .map((f) => path.posix.join(dir, f.split(path.sep).join("/"))),
  );
}

/**
 * Every TypeScript source of the project, tests aside: the files tsconfig.json gives the compiler
 * (so a new folder is covered the day it is added), without test/, `*.test.ts`, `*.check.ts` and
 * declaration files.
 */
export function projectSources(root: string): string[] {
  const configFile = path.join(root, "tsconfig.json");
  const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configFile);
  return parsed.fileNames
    .map((f) => path.relative(root, f).split(path.sep).join("/"))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .filter((f) => !f.startsWith("test/") && !/\.(test|check)\.ts$/.test(f))
    .sort();
}

/** The module specifiers `text` imports or re-exports (type-only included). */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The project file a relative specifier names, or undefined (a package, or outside `files`). */
function resolveRelative(
  root: string,
  from: string,
  spec: string,
  files: ReadonlySet<string>,
): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  const stem = base.replace(/\.js$/, "");
  for (const cand of [`${stem}.ts`, `${stem}/index.ts`, base]) {
    if (files.has(cand) && existsSync(path.join(root, cand))) return cand;
  }
  return undefined;
}

/** The graph of `files` (relative to `root`): edges only to other files of the set. */
export function importGraph(root: string, files: readonly string[]): ImportGraph {
  const set = new Set(files);
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const text = readFileSync(path.join(root, file), "utf8");
    const targets = importSpecifiers(text)
      .map((spec) => resolveRelative(root, file, spec, set))
      .filter((t): t is string => t !== undefined);
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * The import loops of `graph`: each strongly connected component of more than one file (or a
 * file importing itself), files sorted, loops sorted by their first file. Tarjan's algorithm.
 */
export function importLoops(graph: ImportGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) loops.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return loops.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

/** Part name -> the parts it may import (its own files aside). */
export type PartRules = Map<string, readonly string[]>;

/**
 * The imports of `graph` that cross from one part into another the importer does not list:
 * `from -> to (fromPart may not import toPart)`. Files of no part (undefined) are not checked.
 */
export function forbiddenImports(
  graph: ImportGraph,
  partOf: (file: string) => string | undefined,
  rules: PartRules,
): string[] {
  return [...graph].flatMap(([from, tos]) => {
    const fromPart = partOf(from);
    if (fromPart === undefined) return [];
    return tos
      .map((to) => [to, partOf(to)] as const)
      .filter(([, toPart]) => toPart !== undefined && toPart !== fromPart)
      .filter(([, toPart]) => !(rules.get(fromPart) ?? []).includes(toPart as string))
      .map(([to, toPart]) => `${from} -> ${to} (${fromPart} may not import ${toPart})`);
  });
}

/**
 * What an entry file's header says its part may import: the parts named on its
 * `May import: a, b.` line, none for `May import: nothing else of the provider.`, undefined
 * when the line is missing.
 */
export function declaredImports(text: string): string[] | undefined {
  const line = /^\s*\*\s*May import: (.+?)\.\s*$/m.exec(text);
  if (!line) return undefined;
  const list = line[1] as string;
  if (/^nothing\b/.test(list)) return [];
  return list.split(",").map((p) => p.trim());
}
