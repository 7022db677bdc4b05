import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { REPO_ROOT } from "../engine/workspace";
import { parseReportLine } from "../provider/cli/report-args";

/**
 * examples/ci's use of `report`: the up workflow appends it to the job summary after `up`, and
 * the scheduled workflow refreshes, then fails on links older than a limit. The report command
 * lines are parsed by the CLI's own parser, so an option renamed in the code fails here.
 */

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  shell?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, { steps: Step[]; concurrency?: { group?: string } }>;
}

const load = (file: string) =>
  parseYaml(readFileSync(path.join(REPO_ROOT, "examples", "ci", file), "utf8")) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);

/** The report's arguments in a step's script, continuation lines joined, variables given. */
function reportArgs(run: string, vars: Record<string, string>): string[] {
  const script = run.replace(/\\\n\s*/g, "");
  const line = script.split("\n").find((l) => l.includes("pulumi-acronis-user-email report"));
  if (line === undefined) throw new Error("no report command in the step");
  const tail = line.slice(line.indexOf(" report") + " report".length).split(">>")[0] as string;
  return tail
    .split(/\s+/)
    .filter((t) => t !== "")
    .flatMap((t) => {
      const name = /^"?\$(\w+)"?$/.exec(t)?.[1];
      if (name === undefined) return [t];
      const value = vars[name] ?? "";
      return value === "" ? [] : [value];
    });
}

describe("examples/ci and the report", () => {
  it("pulumi-up.yml appends the Markdown report to the job summary as its last step, after up", () => {
    const all = steps(load("pulumi-up.yml"));
    const upAt = all.findIndex((s) => s.with?.command === "up");
    const report = all.at(-1) as Step;
    expect(upAt).toBeGreaterThan(-1);
    expect(all.indexOf(report)).toBeGreaterThan(upAt);
    expect(report.run).toContain('pulumi stack export --stack "$STACK"');
    expect(report.run).toMatch(/>> "\$GITHUB_STEP_SUMMARY"\s*$/);
    // A pipe's failure fails the step (GitHub's bash shell runs with -o pipefail).
    expect(report.shell).toBe("bash");
    expect(parseReportLine(reportArgs(report.run ?? "", {}))).toEqual({
      kind: "report",
      args: {
        format: "markdown",
        showEmails: false,
        only: ["pendingConfirmation", "drifted", "unknown"],
        failIfDrifted: false,
      },
    });
  });

  it("pulumi-pending-report.yml refreshes on a schedule, then fails on links older than the limit", () => {
    const workflow = load("pulumi-pending-report.yml");
    expect(workflow.on.schedule).toEqual([{ cron: expect.any(String) }]);
    const all = steps(workflow);
    const refreshAt = all.findIndex((s) => s.run?.includes("pulumi refresh --yes"));
    const reportAt = all.findIndex((s) => s.run?.includes("pulumi-acronis-user-email report"));
    expect(refreshAt).toBeGreaterThan(-1);
    expect(reportAt).toBeGreaterThan(refreshAt);
    const run = all[reportAt]?.run ?? "";
    expect(run).toContain('pulumi stack export --stack "$STACK"');
    expect(workflow.env?.PENDING_LIMIT).toBe(
      ["${{", "vars.ACRONIS_PENDING_LIMIT || '14d'", "}}"].join(" "),
    );
    const parsed = parseReportLine(
      reportArgs(run, { PENDING_LIMIT: "14d", DRIFT_RULE: "--fail-if-drifted" }),
    );
    expect(parsed).toEqual({
      kind: "report",
      args: {
        format: "markdown",
        showEmails: false,
        only: ["pendingConfirmation", "drifted"],
        failIfPendingOverMs: 14 * 86_400_000,
        failIfDrifted: true,
      },
    });
    // Never beside an update of the same stack (pulumi-up.yml's group).
    const job = Object.values(workflow.jobs)[0];
    expect(job?.concurrency?.group).toBe(["pulumi-up-${{", "matrix.stack", "}}"].join(" "));
  });
});
