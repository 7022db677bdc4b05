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

  /** One command, printed as the CLI does; any failed step stops the demo. */
  async run(kind: "preview" | "up"): Promise<RunResult> {
    const lineCount = this.output.length;
    print();
    this.progress.start(kind, this.options.declared);
    const result = await this.engine[kind](this.program);
    this.progress.stop();
    const diagnostics = this.output.slice(lineCount).map((o) => o.line);
    const { labels } = this;
    const finishedAt = this.progress.finishedAt;
    print(formatRun(result, this.options.stack, { labels, finishedAt, diagnostics }));
    const failed = failures(result);
    expect(
      failed.length === 0,
      `${kind} failed for ${failed.map((s) => `${s.name}: ${s.error}`).join("; ")}`,
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
