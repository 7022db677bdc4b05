import type { LineCounter, Document as YamlDocument } from "yaml";

/** A place in a file, for messages: `file:line:col`. */
export interface Location {
  file: string;
  line: number;
  col: number;
}

/** A path into the parsed document: mapping keys and list indexes. */
export type Path = readonly (string | number)[];

interface YamlNodeLike {
  range?: [number, number, number];
}

/** Positions of nodes in the parsed document, for messages. */
export class Locator {
  constructor(
    readonly file: string,
    private readonly doc: YamlDocument,
    private readonly lines: LineCounter,
  ) {}

  at(offset: number): Location {
    const pos = this.lines.linePos(offset);
    return { file: this.file, line: pos.line, col: pos.col };
  }

  /** The node at `path`, or its closest existing ancestor (a missing key has no node). */
  node(path: Path): Location {
    for (let p = [...path]; ; p = p.slice(0, -1)) {
      const node =
        p.length === 0 ? this.doc.contents : (this.doc.getIn(p, true) as unknown as YamlNodeLike);
      const range = (node as YamlNodeLike | null | undefined)?.range;
      if (range) return this.at(range[0]);
      if (p.length === 0) return { file: this.file, line: 1, col: 1 };
    }
  }

  /** The key of `key` in the mapping at `path` (where an unknown key is). */
  key(path: Path, key: string): Location {
    const map = (path.length === 0 ? this.doc.contents : this.doc.getIn(path, true)) as
      | { items?: { key?: YamlNodeLike & { value?: unknown } }[] }
      | undefined;
    const pair = map?.items?.find((item) => item.key?.value === key);
    const range = pair?.key?.range;
    return range ? this.at(range[0]) : this.node(path);
  }
}
