import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { docBlocks } from "./support/doc-blocks";
import {
  declaredImports,
  forbiddenImports,
  type ImportGraph,
  importGraph,
  importLoops,
  sourceFiles,
} from "./support/import-graph";

/**
 * The provider's parts: one folder each, with an entry file whose header says what the part does
 * and which other parts it may import (`May import: ...`). This file holds the code to those
 * headers, so they cannot drift: an import into a part the header does not name fails here, and
 * so would headers that let two parts import each other. (Loops between files:
 * import-loops.test.ts.)
 */

const ROOT = path.resolve(__dirname, "..");

/**
 * The two files at the provider's root. index.ts is the package root (what programs import) and
 * may import every part; entry.ts is the object Pulumi stores in state, part of the resource, kept
 * at the root because its installed path is in that stored text (serialized-provider.test.ts).
 */
const ROOT_FILES: Record<string, string> = {
  "provider/index.ts": "package root",
  "provider/entry.ts": "resource",
};

/** The provider's folders that hold sources: its parts. */
function partNames(): string[] {
  return readdirSync(path.join(ROOT, "provider"))
    .filter((name) => statSync(path.join(ROOT, "provider", name)).isDirectory())
    .filter((name) => sourceFiles(ROOT, [`provider/${name}`]).length > 0)
    .sort();
}

/**
 * A part's entry file: its index.ts where the package root re-exports from it, else the file
 * named after the part (settings/settings.ts), else its `bin` (cli/main.ts).
 */
function entryFile(part: string): string {
  const candidates = ["index.ts", `${part}.ts`, "main.ts"].map((f) => `provider/${part}/${f}`);
  return candidates.find((f) => existsSync(path.join(ROOT, f))) ?? `provider/${part}/index.ts`;
}

function partOf(file: string): string | undefined {
  if (ROOT_FILES[file]) return ROOT_FILES[file];
  const match = /^provider\/([^/]+)\//.exec(file);
  return match?.[1];
}

function rules(): Map<string, readonly string[]> {
  const table = new Map<string, readonly string[]>(
    partNames().map((part) => [
      part,
      declaredImports(readFileSync(path.join(ROOT, entryFile(part)), "utf8")) ?? [],
    ]),
  );
  table.set("package root", partNames());
  return table;
}

describe("the provider's parts", () => {
  it("are the folders a newcomer looks for", () => {
    expect(partNames()).toEqual([
      "accounts-file",
      "api",
      "cli",
      "decision",
      "resource",
      "settings",
    ]);
  });

  it("leave at the provider's root only the package root and the entry stored in state", () => {
    const rootFiles = sourceFiles(ROOT, ["provider"]).filter(
      (f) => path.posix.dirname(f) === "provider",
    );
    expect(rootFiles.sort()).toEqual(Object.keys(ROOT_FILES).sort());
  });

  it.each(partNames())("%s/ says in its entry file what it does and what it may import", (part) => {
    const text = readFileSync(path.join(ROOT, entryFile(part)), "utf8").replace(/^#!.*\n/, "");
    expect(text.startsWith("/**\n"), `${entryFile(part)} starts with its header`).toBe(true);
    const header = text.slice(0, text.indexOf("*/"));
    const allowed = declaredImports(header);
    expect(allowed, `${entryFile(part)}: a "May import: ..." line in its header`).toBeDefined();
    for (const other of allowed ?? []) expect(partNames()).toContain(other);
  });

  it("import only the parts their entry file names", () => {
    const graph = importGraph(ROOT, sourceFiles(ROOT, ["provider"]));
    expect(forbiddenImports(graph, partOf, rules())).toEqual([]);
  });

  it("may not import each other, even through a third part", () => {
    const graph: ImportGraph = new Map(
      [...rules()].map(([part, allowed]) => [part, [...allowed]] as [string, string[]]),
    );
    expect(importLoops(graph)).toEqual([]);
  });

  it("the check finds an import its header does not allow, and allows the ones it does", () => {
    const graph: ImportGraph = new Map([
      ["provider/decision/reconcile.ts", ["provider/api/client.ts", "provider/decision/email.ts"]],
      ["provider/resource/steps.ts", ["provider/api/client.ts", "provider/decision/email.ts"]],
      ["provider/resource/user-email.ts", ["provider/entry.ts"]],
    ]);
    const table = new Map([
      ["decision", []],
      ["resource", ["decision", "api"]],
    ]);
    expect(forbiddenImports(graph, partOf, table)).toEqual([
      "provider/decision/reconcile.ts -> provider/api/client.ts (decision may not import api)",
    ]);
    expect(declaredImports(" * May import: decision, api.\n")).toEqual(["decision", "api"]);
    expect(declaredImports(" * May import: nothing else of the provider.\n")).toEqual([]);
    expect(declaredImports(" * Imports whatever it likes.\n")).toBeUndefined();
  });
});

describe("docs/development.md's table of parts", () => {
  it("gives each part the imports its entry file allows", () => {
    const page = readFileSync(path.join(ROOT, "docs/development.md"), "utf8");
    const table = new Map(
      [...page.matchAll(/^\| `provider\/([a-z-]+)\/` \|.*\| ([^|]+) \|$/gm)].map((m) => [
        m[1] as string,
        (m[2] as string).trim(),
      ]),
    );
    const allowedByPart = rules();
    for (const part of partNames()) {
      const allowed = allowedByPart.get(part) ?? [];
      expect(table.get(part), `docs/development.md, the row of provider/${part}/`).toBe(
        allowed.length === 0 ? "nothing" : allowed.join(", "),
      );
    }
  });
});

describe("the README's layout tree", () => {
  /** The README's `output of: layout` block: `<indent><folder>/  <what>`, one folder a line. */
  function readmeTree(): { folder: string; what: string }[] {
    const block = docBlocks("README.md").find(
      (b) => b.marker?.kind === "output of" && b.marker.name === "layout",
    );
    expect(block, 'README.md shows the layout under "<!-- output of: layout -->"').toBeDefined();
    const parents: string[] = [];
    return (block?.text ?? "")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        const match = /^( *)([a-z0-9-]+)\/ +(\S.*)$/.exec(line);
        expect(match, `README layout line "${line}": "<folder>/  <what it holds>"`).not.toBeNull();
        const depth = (match?.[1] ?? "").length / 2;
        parents.length = depth;
        const folder = [...parents, match?.[2] ?? ""].join("/");
        parents.push(match?.[2] ?? "");
        return { folder, what: match?.[3] ?? "" };
      });
  }

  it("has one line per folder, and every folder it names exists", () => {
    const tree = readmeTree();
    for (const { folder } of tree) {
      expect(existsSync(path.join(ROOT, folder)), `README layout names ${folder}/`).toBe(true);
    }
    expect(new Set(tree.map((t) => t.folder)).size).toBe(tree.length);
  });

  it("names every part of the provider and every top-level folder of sources", () => {
    const folders = readmeTree().map((t) => t.folder);
    for (const part of partNames()) expect(folders).toContain(`provider/${part}`);
    for (const top of ["provider", "emulator", "engine", "scripts", "test", "examples"]) {
      expect(folders).toContain(top);
    }
  });
});
