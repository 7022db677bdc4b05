import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../engine/workspace";

/**
 * The fenced blocks of the README and of docs/, with the marker comment on the line before each:
 * `<!-- tested: <name> -->` (a test runs it), `<!-- not run: <why> -->`, or
 * `<!-- output of: <name> -->` (what the run named printed), or `<!-- sample: <command> -->`
 * (docs/report.md: provider/cli/report-docs.test.ts runs the command and compares). Tests run the blocks as written and
 * compare the outputs, so what the pages show cannot drift from what the code does.
 */

export interface DocBlock {
  /** Relative to the repository root, e.g. `docs/adopting.md`. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's language: `sh`, `text`, `yaml`, ...; "" when none. */
  lang: string;
  marker?: { kind: "tested" | "not run" | "output of" | "sample"; name: string };
  /** The block's lines, without the fences and without the indentation of the opening fence. */
  text: string;
}

const FENCE = /^(\s*)```(\S*)\s*$/;
const MARKER = /^\s*<!-- (tested|not run|output of|sample): (.*?) -->\s*$/;

/** README.md and every page under docs/. */
export function documentationFiles(): string[] {
  const pages = readdirSync(path.join(REPO_ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`);
  return ["README.md", ...pages];
}

export function readDoc(file: string): string {
  return readFileSync(path.join(REPO_ROOT, file), "utf8");
}

export function docBlocks(file: string): DocBlock[] {
  const lines = readDoc(file).split("\n");
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? "");
    if (!open) continue;
    const indent = open[1] ?? "";
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j] ?? "")) {
      body.push((lines[j] ?? "").startsWith(indent) ? (lines[j] ?? "").slice(indent.length) : "");
      j++;
    }
    if (j >= lines.length) throw new Error(`${file}:${i + 1}: a fence that is never closed`);
    let k = i - 1;
    while (k >= 0 && (lines[k] ?? "").trim() === "") k--;
    const marked = MARKER.exec(lines[k] ?? "");
    blocks.push({
      file,
      line: i + 1,
      lang: open[2] ?? "",
      ...(marked
        ? { marker: { kind: marked[1] as "tested", name: (marked[2] ?? "").trim() } }
        : {}),
      text: `${body.join("\n")}\n`,
    });
    i = j;
  }
  return blocks;
}

/** Every block of the README and docs/ marked `kind: name`. */
export function markedBlocks(kind: "tested" | "output of", name: string): DocBlock[] {
  return documentationFiles()
    .flatMap(docBlocks)
    .filter((b) => b.marker?.kind === kind && b.marker.name === name);
}

/** The output block of `name` in the same file as `block`; the page must show one. */
export function outputOf(block: DocBlock, name: string): DocBlock {
  const found = docBlocks(block.file).find(
    (b) => b.marker?.kind === "output of" && b.marker.name === name,
  );
  if (!found) throw new Error(`${block.file} shows no output of ${name}`);
  return found;
}
