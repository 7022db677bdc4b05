import type { Op, RunKind, RunResult, StepResult } from "../engine/engine";

/**
 * Prints engine runs the way the Pulumi CLI does, for `npm start`.
 */

const SYMBOL: Record<Op, string> = {
  create: "+",
  update: "~",
  replace: "+-",
  delete: "-",
  same: "=",
  refresh: "~",
  gone: "-",
  import: "=",
  "delete-replaced": "--",
};

const PLANNED: Record<Op, string> = {
  create: "create",
  update: "update",
  replace: "replace",
  delete: "delete",
  same: "no change",
  refresh: "refresh",
  gone: "deleted",
  import: "import",
  "delete-replaced": "delete original",
};

const DONE: Record<Op, string> = {
  create: "created",
  update: "updated",
  replace: "replaced",
  delete: "deleted",
  same: "no change",
  refresh: "refreshed",
  gone: "deleted",
  import: "imported",
  "delete-replaced": "deleted original",
};

const SUMMARY_PLANNED: Partial<Record<Op, string>> = {
  create: "to create",
  update: "to update",
  replace: "to replace",
  delete: "to delete",
};
const SUMMARY_DONE: Partial<Record<Op, string>> = Object.fromEntries(
  (Object.keys(SUMMARY_PLANNED) as Op[]).map((op) => [op, DONE[op]]),
);

/** The type column as the CLI shows it: the display name of UserEmail, a provider's own type. */
function typeOf(step: StepResult): string {
  const type = step.urn.split("::")[2] ?? "";
  return type.startsWith("pulumi:providers:") ? type : "acronis:UserEmail";
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text + " ".repeat(width - text.length);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

/** Heading of a run, as the CLI prints it. */
export function heading(kind: RunKind, stack: string): string {
  const verb = {
    preview: "Previewing update",
    up: "Updating",
    refresh: "Refreshing",
    destroy: "Destroying",
  }[kind];
  return `${verb} (${stack}):`;
}

export interface PlanOptions {
  /** The account's login or id, shown beside the resource name. */
  labels?: ReadonlyMap<string, string>;
  /** When each step finished, ms after the run started. */
  finishedAt?: ReadonlyMap<string, number>;
  /** Lines the provider printed during the run (Pulumi shows them as diagnostics). */
  diagnostics?: readonly string[];
}

/** One run as the CLI prints it: the steps, the diagnostics, the summary and the duration. */
export function formatRun(result: RunResult, stack: string, options: PlanOptions = {}): string {
  const apply = result.kind !== "preview";
  // By label (an account's login) when there is one, so an order never depends on a generated id.
  const key = (s: StepResult) => `${options.labels?.get(s.name) ?? ""}\u0000${s.name}`;
  const steps = [...result.steps].sort((a, b) => key(a).localeCompare(key(b)));
  const width = Math.max(4, ...steps.map((s) => s.name.length)) + 2;
  const typeWidth = Math.max(4, ...steps.map((s) => typeOf(s).length)) + 2;
  const out = [heading(result.kind, stack), ""];
  out.push(`     ${pad("Type", typeWidth)}${pad("Name", width)}${apply ? "Status" : "Plan"}`);
  for (const step of steps) {
    const label = options.labels?.get(step.name);
    const at = options.finishedAt?.get(step.name);
    let what = apply ? DONE[step.op] : PLANNED[step.op];
    if (!step.ok) what = `**${apply ? "failed" : "error"}**`;
    const time = apply && at !== undefined ? ` (${seconds(at)})` : "";
    out.push(
      ` ${pad(step.ok ? SYMBOL[step.op] : "x", 4)}${pad(typeOf(step), typeWidth)}${pad(step.name, width)}${pad(what + time, 22)}${label ?? ""}`,
    );
  }
  const errors = steps.filter((s) => !s.ok);
  if (errors.length > 0 || (options.diagnostics?.length ?? 0) > 0) {
    out.push("", "Diagnostics:");
    for (const step of errors) {
      out.push(`  ${typeOf(step)} (${step.name}):`, `    error: ${step.error ?? "failed"}`);
    }
    for (const line of options.diagnostics ?? []) out.push(`    ${line}`);
  }
  out.push("", "Resources:");
  const counts = new Map<Op, number>();
  for (const step of steps) counts.set(step.op, (counts.get(step.op) ?? 0) + 1);
  const words = apply ? SUMMARY_DONE : SUMMARY_PLANNED;
  let unchanged = 0;
  for (const [op, n] of counts) {
    const word = words[op];
    if (word) out.push(`    ${SYMBOL[op]} ${n} ${word}`);
    else unchanged += n;
  }
  if (unchanged > 0) out.push(`    ${unchanged} unchanged`);
  if (errors.length > 0) out.push(`    x ${errors.length} failed`);
  out.push("", `Duration: ${seconds(result.ms)}`);
  return out.join("\n");
}

/**
 * Progress for long runs: silent for short ones, then a line every `everyMs` with how many of the
 * run's steps are done. Call `step` from the engine's onStep, `stop` when the run ends.
 */
export class Progress {
  private done = 0;
  private started = performance.now();
  private timer: NodeJS.Timeout | undefined;
  readonly finishedAt = new Map<string, number>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly everyMs = 2_000,
  ) {}

  start(label: string, total: number): void {
    this.done = 0;
    this.finishedAt.clear();
    this.started = performance.now();
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      const elapsed = seconds(performance.now() - this.started);
      this.write(`  ... ${label}: ${this.done}/${total} resources done (${elapsed})`);
    }, this.everyMs);
    this.timer.unref();
  }

  step(step: StepResult): void {
    this.done++;
    this.finishedAt.set(step.name, performance.now() - this.started);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
