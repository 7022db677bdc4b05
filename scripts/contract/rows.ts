import type { Answer } from "./platform";

/** A row of the contract table, and the small helpers every step uses to say what it saw. */

export type Outcome = "held" | "differs" | "needs a human" | "skipped";

export interface ContractRow {
  kind: "behaviour" | "guess";
  name: string;
  outcome: Outcome;
  /** What the platform answered (or why the row did not run). */
  platform: string;
}

/** A row's verdict: held or not, and the answer that says so. */
export interface Verdict {
  held: boolean;
  platform: string;
}

export const said = (a: Answer) => {
  const body = a.body === null ? "" : ` ${JSON.stringify(a.body)}`;
  return `HTTP ${a.status}${body.length > 180 ? `${body.slice(0, 180)}…` : body}`;
};
export const codeOf = (a: Answer) => a.body?.error?.code;
export const isCode = (a: Answer, code: number) => String(codeOf(a)) === String(code);

/** Records a row from a step's verdict; a step that throws is a row that differs. */
export type RecordRow = (
  kind: ContractRow["kind"],
  name: string,
  fn: () => Promise<Verdict>,
) => Promise<boolean>;

/** Records a row that did not run, and why. */
export type NotRun = (
  kind: ContractRow["kind"],
  name: string,
  outcome: Outcome,
  why: string,
) => void;

/** The two ways a step adds its row to `rows`. */
export function rowRecorder(rows: ContractRow[]): { record: RecordRow; notRun: NotRun } {
  return {
    async record(kind, name, fn) {
      try {
        const v = await fn();
        rows.push({ kind, name, outcome: v.held ? "held" : "differs", platform: v.platform });
        return v.held;
      } catch (e) {
        rows.push({ kind, name, outcome: "differs", platform: `failed: ${(e as Error).message}` });
        return false;
      }
    },
    notRun: (kind, name, outcome, why) => {
      rows.push({ kind, name, outcome, platform: why });
    },
  };
}
