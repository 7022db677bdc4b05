import { type Audience, describeValue } from "../decision/describe-value";
import type { Location, Locator, Path } from "./yaml-locator";

/**
 * How the accounts file's problems are worded and listed: each at its place, all at once, in
 * file order, and never quoting more of the file than the value at fault (it holds addresses).
 */

/** One problem of an accounts file, at its place. */
export interface Problem {
  where: Location;
  text: string;
}

/** Every problem found in an accounts file, one line each: `file:line:col: entry x: property: ...`. */
export class AccountsFileError extends Error {
  override name = "AccountsFileError";
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was sent to the platform:\n  ${problems.join("\n  ")}`,
    );
  }
}

function format(p: Problem): string {
  return `${p.where.file}:${p.where.line}:${p.where.col}: ${p.text}`;
}

/** The problems in file order, each as `file:line:col: ...`. */
export function sortedProblems(problems: Problem[]): string[] {
  return problems
    .sort((a, b) => a.where.line - b.where.line || a.where.col - b.where.col)
    .map(format);
}

/** The error listing `problems` of one file, in file order, each as `file:line:col: ...`. */
export function accountsFileError(file: string, problems: readonly Problem[]): AccountsFileError {
  return new AccountsFileError(file, sortedProblems([...problems]));
}

const IN_FILE: Audience = { object: "a mapping", scalars: true, strings: false };

/** Describes a wrong value; strings are echoed only when asked, as they may be addresses. */
export function inFile(value: unknown, echo = false): string {
  return describeValue(value, echo ? { ...IN_FILE, strings: true } : IN_FILE);
}

/** zod's own messages name JS types; these say what the file should contain instead. */
export function expected(what: string) {
  return (issue: { input: unknown }) =>
    issue.input === undefined
      ? `is required (${what})`
      : `expected ${what}, got ${inFile(issue.input)}`;
}

/**
 * Adds the problems of one mapping of the file (an entry, a connection), each starting with
 * `subject` ("entry bob", "connection us5"), at the property's node unless told where.
 */
export function reporter(problems: Problem[], locate: Locator, path: Path, subject: string) {
  return (property: string, what: string, where?: Location) =>
    problems.push({
      where: where ?? locate.node([...path, property]),
      text: `${subject}: ${property}: ${what}`,
    });
}
