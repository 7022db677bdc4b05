import { LineCounter, parseDocument } from "yaml";
import { type AccountEntry, readEntry } from "./account-entry";
import { parseConnections } from "./accounts-connections";
import { AccountsFileError, inFile, type Problem, sortedProblems } from "./accounts-file-problems";
import { splitProblems } from "./stacks";
import { type Location, Locator } from "./yaml-locator";

/**
 * Reading an accounts file: its YAML, its top-level keys, its connections, its entries and, for
 * a file split into stacks, the rules of the split. Pure; every problem is reported at once.
 */

const ROOT_KEYS = ["accounts", "connections"] as const;

/**
 * Parses and validates an accounts file. Returns its entries in file order, or throws one
 * AccountsFileError listing every problem (YAML syntax, types, missing or unknown keys, bad emails
 * and durations, duplicate accounts), each as `file:line:col: entry <id|login>: <property>: ...`.
 */
export function parseAccountsYaml(text: string, fileName: string): AccountEntry[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const locate = new Locator(fileName, doc, lines);
  const problems: Problem[] = [];

  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      // The first line only: the rest quotes the file back, which may hold addresses.
      problems.push({
        where: locate.at(error.pos[0]),
        text: `YAML: ${error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")}`,
      });
    }
    throw new AccountsFileError(fileName, sortedProblems(problems));
  }

  const root: unknown = doc.toJS();
  const rootIsMap = root !== null && typeof root === "object" && !Array.isArray(root);
  if (!rootIsMap || !Array.isArray((root as { accounts?: unknown }).accounts)) {
    const got = rootIsMap ? (root as { accounts?: unknown }).accounts : root;
    problems.push({
      where: locate.node(rootIsMap ? ["accounts"] : []),
      text:
        got === undefined || got === null
          ? "accounts: is required (a list of entries with id or login + tenant, and email)"
          : `accounts: expected a list of entries, got ${inFile(got)}`,
    });
  }
  if (rootIsMap) {
    for (const key of Object.keys(root as object)) {
      if (!(ROOT_KEYS as readonly string[]).includes(key)) {
        problems.push({
          where: locate.key([], key),
          text: `${key}: unknown key (expected ${ROOT_KEYS.join(", ")})`,
        });
      }
    }
  }
  if (problems.length > 0) throw new AccountsFileError(fileName, sortedProblems(problems));

  const context = {
    locate,
    connections: parseConnections(
      (root as { connections?: unknown }).connections,
      locate,
      problems,
    ),
    seenIds: new Map<string, Location>(),
    seenLogins: new Map<string, Location>(),
    problems,
  };
  const entries = (root as { accounts: unknown[] }).accounts.flatMap((raw, index) => {
    const entry = readEntry(raw, index, context);
    return entry ? [entry] : [];
  });

  problems.push(...splitProblems(entries));
  if (problems.length > 0) throw new AccountsFileError(fileName, sortedProblems(problems));
  return entries;
}
