import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Pair,
  parseDocument,
  Scalar,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import { accountsFileError, parseAccountsYaml } from "../accounts-file/accounts";
import type { AcronisUser } from "../api";
import { baseUrlText } from "../settings/setting-kinds";
import { type ExportCounts, entryFields, entryNote, leftOutSummary, type Naming } from "./entries";

/**
 * Adding a tenant's accounts to an accounts file already under management, through the `yaml`
 * package's document model: the file's entries, their order, comments and blank lines stay as
 * they are, and the accounts it lacks are appended to its `accounts:` list. An account the file
 * already names (by id, or by login: logins are unique on the platform) is never touched, whatever
 * address it has: the file is the desired state. Pure: text in, text out.
 */

export interface MergeConnection {
  name: string;
  baseUrl: string;
  clientId: string;
}

export class MergeTarget {
  private readonly ids = new Set<string>();
  private readonly logins = new Set<string>();
  private readonly doc: Document;
  private readonly seq: YAMLSeq;
  private readonly indentSeq: boolean;
  private firstAdded: YAMLMap | undefined;
  added = 0;
  alreadyThere = 0;

  /**
   * Validates `text` as the program would (an AccountsFileError at file:line:col otherwise) and
   * checks that a connection of the same name points where the export reads.
   */
  constructor(
    text: string,
    private readonly file: string,
    private readonly by: Naming,
    private readonly connection?: MergeConnection,
  ) {
    const entries = parseAccountsYaml(text, file);
    // Ids are unique across datacenters (and the file allows each once); logins only within one,
    // so only login entries of the same connection name the same accounts.
    for (const entry of entries) {
      if (entry.account.by === "id") this.ids.add(entry.account.id);
      else if (entry.connection?.name === connection?.name) {
        this.logins.add(entry.account.login.toLowerCase());
      }
    }
    const lines = new LineCounter();
    this.doc = parseDocument(text, { lineCounter: lines });
    const seq = this.doc.get("accounts", true);
    if (!isSeq(seq)) throw new Error("accounts: not a list after validation");
    this.seq = seq;
    if (seq.flow && seq.items.length === 0) seq.flow = false;
    this.indentSeq = indentsSequences(this.doc, seq, lines);
    if (connection) this.addConnection(connection, lines);
  }

  /** Appends `user` unless the file names it already; true if it was added. */
  add(user: AcronisUser): boolean {
    const id = user.id.toLowerCase();
    if (this.ids.has(id) || this.logins.has(user.login.toLowerCase())) {
      this.alreadyThere++;
      return false;
    }
    const map = this.doc.createNode(
      Object.fromEntries(entryFields(user, this.by, this.connection?.name)),
    ) as YAMLMap;
    const first = map.items[0]?.value;
    if (isScalar(first)) first.comment = ` ${entryNote(user, this.by)}`;
    this.firstAdded ??= map;
    this.seq.items.push(map);
    this.ids.add(id);
    this.logins.add(user.login.toLowerCase());
    this.added++;
    return true;
  }

  /** The merged file; it is validated again, so a bug of ours never writes a file the program rejects. */
  finish(tenant: string, counts: ExportCounts): string {
    if (this.firstAdded) {
      this.firstAdded.spaceBefore = true;
      this.firstAdded.commentBefore =
        ` Added by \`pulumi-acronis-user-email export\` from tenant ${tenant}: ${this.added} account${this.added === 1 ? "" : "s"}` +
        ` (${this.alreadyThere} already in the file; left out: ${leftOutSummary(counts)}).`;
    }
    const text = this.doc.toString({ lineWidth: 0, indentSeq: this.indentSeq });
    try {
      parseAccountsYaml(text, this.file);
    } catch (error) {
      throw new Error(
        `the merged ${this.file} would not load, so it was not written (a bug of this command): ${(error as Error).message}`,
      );
    }
    return text;
  }

  private addConnection(connection: MergeConnection, lines: LineCounter): void {
    const existing = this.doc.getIn(["connections", connection.name], true);
    if (existing === undefined) {
      const value = this.doc.createNode({
        baseUrl: connection.baseUrl,
        clientId: connection.clientId,
      });
      const connections = this.doc.get("connections", true);
      if (isMap(connections)) {
        connections.items.push(new Pair(new Scalar(connection.name), value));
      } else {
        // At the end: the file's head and its comments stay where they are.
        const root = this.doc.contents as YAMLMap;
        const block = this.doc.createNode({ [connection.name]: value });
        const pair = new Pair(new Scalar("connections"), block);
        (pair.key as Scalar).spaceBefore = true;
        root.items.push(pair);
      }
      return;
    }
    // Validated already: the connection has a baseUrl and a clientId.
    const at = (node: unknown) => {
      const range = (node as Node | undefined)?.range;
      const pos = lines.linePos(range?.[0] ?? 0);
      return { file: this.file, line: pos.line, col: pos.col };
    };
    const baseUrl = String(this.doc.getIn(["connections", connection.name, "baseUrl"]));
    const clientId = String(this.doc.getIn(["connections", connection.name, "clientId"]));
    const same = (a: string, b: string) => baseUrlText(a.trim()) === baseUrlText(b);
    const problems = [];
    if (!same(baseUrl, connection.baseUrl)) {
      problems.push({
        where: at(this.doc.getIn(["connections", connection.name, "baseUrl"], true)),
        text: `connection ${connection.name}: baseUrl: is ${baseUrl}, but the export reads ${connection.baseUrl}; choose another --connection name`,
      });
    }
    if (clientId.trim() !== connection.clientId) {
      problems.push({
        where: at(this.doc.getIn(["connections", connection.name, "clientId"], true)),
        text: `connection ${connection.name}: clientId: is ${clientId}, but the export uses ${connection.clientId}; choose another --connection name`,
      });
    }
    if (problems.length > 0) throw accountsFileError(this.file, problems);
  }
}

/** Whether the file writes `- ` items indented under their key (`accounts:\n  - id:`). */
function indentsSequences(doc: Document, seq: YAMLSeq, lines: LineCounter): boolean {
  const first = seq.items[0] as Node | undefined;
  const root = doc.contents as YAMLMap;
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === "accounts");
  const keyRange = (pair?.key as Node | undefined)?.range;
  if (seq.flow || !first?.range || !keyRange) return true;
  // The item node starts after "- ": its column minus 2 is the dash's.
  return lines.linePos(first.range[0]).col - 2 > lines.linePos(keyRange[0]).col;
}
