import type { RunningEmulator } from "../emulator";
import { PUT_USER } from "../emulator/request-keys";
import { Engine, failures, type Op, type OutputLine, type RunResult } from "../engine/engine";
import { ProviderHost } from "../engine/host";
import { languageHostProgram } from "../engine/program";
import { REPO_ROOT, USER_EMAIL_TYPE } from "../engine/workspace";
import { expect, print } from "./demo-checks";
import type { DemoAccount } from "./demo-platform";
import { formatRun, Progress } from "./report";

/**
 * The demo's stack: `pulumi preview` and `pulumi up` of the root program through the local
 * engine, each printed as the CLI prints it, and what they did on the platforms (PUTs, mails).
 */

export interface DemoStackOptions {
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
  /** Every resource the program declares (progress counts them). */
  declared: number;
  accounts: DemoAccount[];
  datacenters: RunningEmulator[];
}

export class DemoStack {
  /** Every line the provider processes print: Pulumi shows them as diagnostics. */
  private readonly output: OutputLine[] = [];
  private readonly progress = new Progress(print);
  readonly engine: Engine;
  private readonly program: ReturnType<typeof languageHostProgram>;
  private readonly labels: Map<string, string>;

  constructor(private readonly options: DemoStackOptions) {
    const { project, stack, config, secretKeys } = options;
    this.engine = new Engine({
      project,
      stack,
      stackConfig: () => ({ values: config, secretKeys }),
      startHost: ProviderHost.starter({ cwd: REPO_ROOT, project, config, output: this.output }),
      onStep: (step) => this.progress.step(step),
    });
    // Each deployment runs the program again, under the SDK's runner, as the CLI does.
    this.program = languageHostProgram({ dir: REPO_ROOT, project, stack, config, secretKeys });
    this.labels = new Map(options.accounts.map((a) => [a.name, a.login]));
  }

  /**
   * One command, printed as the CLI does; any failed step stops the demo. `pulumi up` is a
   * preview deployment and then the update (pkg/backend/apply.go `PreviewThenPromptThenExecute`),
   * each in provider processes of its own: run here as those two deployments, as Engine.up does,
   * so each has its own progress count. Its preview phase is summed up in one line: its
   * diagnostics say again what the update's below say.
   */
  async run(kind: "preview" | "up"): Promise<RunResult> {
    print();
    if (kind === "preview")
      return this.deployment("preview", () => this.engine.preview(this.program));
    const preview = await this.deployment(
      "up, preview phase",
      () => this.engine.preview(this.program),
      true,
    );
    print(`(up's preview phase: ${planSummary(preview)}; then the update:)`);
    const [putsBefore, mailsBefore] = [await this.putCount(), await this.mailCount()];
    const update = await this.deployment("up", () =>
      this.engine.up(this.program, { skipPreview: true }),
    );
    const puts = (await this.putCount()) - putsBefore;
    const mails = (await this.mailCount()) - mailsBefore;
    const updated = opsOf(update, "update").length;
    print(
      `Sent to the platforms: ${puts} PUT${puts === 1 ? "" : "s"}, ${mails} confirmation ` +
        `mail${mails === 1 ? "" : "s"}.` +
        (updated > 0 && puts === 0
          ? ` "~ ${updated} updated" is the stack's record of each account (status, version), not a change on the platform.`
          : ""),
    );
    return update;
  }

  /** One deployment: progress while it runs, then (unless `quiet`) printed as the CLI does. */
  private async deployment(
    label: string,
    run: () => Promise<RunResult>,
    quiet = false,
  ): Promise<RunResult> {
    const lineCount = this.output.length;
    this.progress.start(label, this.options.declared);
    const result = await run();
    this.progress.stop();
    // Steps run on several workers, so their lines arrive in any order: by login, as the steps.
    const key = (line: string) => {
      const id = /account ([0-9a-f-]{36})/.exec(line)?.[1];
      const login = this.options.accounts.find((a) => a.userId === id)?.login ?? "";
      return `${login}\u0000${line}`;
    };
    const diagnostics = this.output
      .slice(lineCount)
      .map((o) => o.line)
      .sort((a, b) => key(a).localeCompare(key(b)));
    const { labels } = this;
    const finishedAt = this.progress.finishedAt;
    if (!quiet) print(formatRun(result, this.options.stack, { labels, finishedAt, diagnostics }));
    const failed = failures(result);
    expect(
      failed.length === 0,
      `${label} failed for ${failed.map((s) => `${s.name}: ${s.error}`).join("; ")}`,
    );
    return result;
  }

  /** The email-change confirmations (grace's activation mail is part of the set-up). */
  async outbox() {
    const mails = await Promise.all(this.options.datacenters.map((dc) => dc.control.outbox()));
    return mails.flat().filter((m) => m.kind === "email-change");
  }

  async mailCount(): Promise<number> {
    return (await this.outbox()).length;
  }

  async putCount(): Promise<number> {
    const counts = await Promise.all(this.options.datacenters.map((dc) => dc.control.requests()));
    return counts.reduce((n, c) => n + (c.counts[PUT_USER] ?? 0), 0);
  }
}

/** The names of the accounts a run gave `op`, sorted. */
export function opsOf(result: RunResult, op: Op): string[] {
  return result.steps
    .filter((s) => s.op === op && s.urn.includes(USER_EMAIL_TYPE))
    .map((s) => s.name)
    .sort();
}

/** A preview's plan in a few words, as the CLI's summary counts it: "+ 7 to create". */
function planSummary(result: RunResult): string {
  const counts = new Map<Op, number>();
  for (const step of result.steps) counts.set(step.op, (counts.get(step.op) ?? 0) + 1);
  const words: Partial<Record<Op, string>> = {
    create: "+ {n} to create",
    update: "~ {n} to update",
    replace: "+- {n} to replace",
    delete: "- {n} to delete",
    same: "{n} unchanged",
  };
  return [...counts]
    .map(([op, n]) => (words[op] ?? `{n} ${op}`).replace("{n}", String(n)))
    .join(", ");
}
