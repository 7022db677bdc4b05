import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { REPO_ROOT } from "../engine/workspace";

/**
 * examples/ci as a user copies it, read as GitHub reads it: each stack of the matrix gets its own
 * credentials, the stacks are created on first use in the project the CI README points at, the
 * backend is logged in to, and the credentials never go through the stack config (so the state
 * holds none and a refresh signs in with the current ones: docs/credentials-and-rotation.md).
 */

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  steps: Step[];
  strategy?: { "fail-fast"?: boolean; matrix?: { stack?: string[] } };
  concurrency?: { group?: string; "cancel-in-progress"?: boolean };
  environment?: string | { name?: string };
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
  concurrency?: unknown;
}

const CI = path.join(REPO_ROOT, "examples", "ci");
const WORKFLOWS = ["pulumi-preview.yml", "pulumi-up.yml"];
/** GitHub's expression syntax, built so no linter takes these for templates. */
const expr = (inner: string) => ["${{", inner, "}}"].join(" ");
const MATRIX_STACK = expr("matrix.stack");

const load = (file: string) => parseYaml(readFileSync(path.join(CI, file), "utf8")) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const pulumiCommands = (w: Workflow) =>
  steps(w).filter((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command);
const pulumiCommand = (w: Workflow, command: string) =>
  pulumiCommands(w).find((s) => s.with?.command === command);

/** Every place a job can take a value from: job env, step env, step inputs, step scripts. */
function jobTexts(job: Job): string[] {
  return [
    ...Object.values(job.env ?? {}),
    ...job.steps.flatMap((s) => [
      ...Object.values(s.env ?? {}),
      ...Object.values(s.with ?? {}).map(String),
      s.run ?? "",
    ]),
  ];
}

const CREDENTIAL = /\b(secrets|vars)\.ACRONIS_(BASE_URL|CLIENT_ID|CLIENT_SECRET)\b/;

/**
 * Why a job's credentials are not its stack's own, or undefined when they are: a job over a
 * stack matrix that reads ACRONIS_* credentials must take them from a GitHub environment named
 * after the matrix entry (each stack's own secrets), and the workflow may not set them for all.
 */
function notPerStack(workflow: Workflow, name: string): string | undefined {
  const job = workflow.jobs[name] as Job;
  const shared = Object.entries(workflow.env ?? {}).find(([, v]) => CREDENTIAL.test(v));
  if (shared) return `workflow env ${shared[0]} gives every job the same credential`;
  if (!job.strategy?.matrix?.stack) return undefined;
  if (!jobTexts(job).some((t) => CREDENTIAL.test(t))) return `job ${name} reads no credentials`;
  const environment = typeof job.environment === "string" ? job.environment : job.environment?.name;
  if (!environment?.includes(MATRIX_STACK)) {
    return `job ${name} reads credentials outside a per-stack environment (${environment ?? "none"})`;
  }
  return undefined;
}

describe("examples/ci: each stack its own credentials", () => {
  it.each(WORKFLOWS)("%s: every job's credentials are its stack's", (file) => {
    const workflow = load(file);
    for (const name of Object.keys(workflow.jobs)) {
      expect(notPerStack(workflow, name)).toBeUndefined();
    }
  });

  it.each([
    ["a shared environment", { environment: "production" }, "outside a per-stack environment"],
    ["no environment", { environment: undefined }, "outside a per-stack environment (none)"],
  ])("the check refuses %s", (_name, change, reason) => {
    const workflow = load("pulumi-up.yml");
    const [name, job] = Object.entries(workflow.jobs)[0] as [string, Job];
    workflow.jobs[name] = { ...job, ...change };
    expect(notPerStack(workflow, name)).toContain(reason);
  });

  it("the check refuses credentials set for the whole workflow", () => {
    const workflow = load("pulumi-preview.yml");
    workflow.env = { ...workflow.env, ACRONIS_CLIENT_ID: expr("secrets.ACRONIS_CLIENT_ID") };
    expect(notPerStack(workflow, "preview")).toContain("the same credential");
  });

  it.each(WORKFLOWS)(
    "%s: credentials reach Pulumi as ACRONIS_* variables, never the stack config",
    (file) => {
      const [job] = Object.values(load(file).jobs);
      expect(job?.env).toMatchObject({
        ACRONIS_BASE_URL: expr("vars.ACRONIS_BASE_URL"),
        ACRONIS_CLIENT_ID: expr("secrets.ACRONIS_CLIENT_ID"),
        ACRONIS_CLIENT_SECRET: expr("secrets.ACRONIS_CLIENT_SECRET"),
      });
      for (const step of steps(load(file))) expect(step.run ?? "").not.toContain("config set");
    },
  );
});

describe("examples/ci: works as copied", () => {
  it.each(WORKFLOWS)("%s: logs in to the backend, then creates the stack on first use", (file) => {
    const [job] = Object.values(load(file).jobs);
    expect(job?.env).toMatchObject({
      PULUMI_BACKEND_URL: expr("vars.PULUMI_BACKEND_URL"),
      PULUMI_CONFIG_PASSPHRASE: expr("secrets.PULUMI_CONFIG_PASSPHRASE"),
      PULUMI_ACCESS_TOKEN: expr("secrets.PULUMI_ACCESS_TOKEN"),
    });
    const script = steps(load(file)).find((s) => s.run?.includes("pulumi stack select"))?.run;
    expect(script?.split("\n").filter(Boolean)).toEqual([
      "pulumi login",
      'pulumi stack select --create "$STACK"',
    ]);
    for (const step of pulumiCommands(load(file))) {
      expect(step.with?.["cloud-url"]).toBe(expr("vars.PULUMI_BACKEND_URL"));
      expect(step.with?.["stack-name"]).toBe(expr("env.STACK"));
    }
  });

  it.each(WORKFLOWS)("%s: the stack is in the project the CI README points at", (file) => {
    const readme = readFileSync(path.join(CI, "README.md"), "utf8");
    const example = /The program is \[`\.\.\/([a-z-]+)`\]/.exec(readme)?.[1];
    const manifest = readFileSync(path.join(CI, "..", example ?? "?", "Pulumi.yaml"), "utf8");
    const project = (parseYaml(manifest) as { name: string }).name;
    expect(readme).toContain(`(project \`${project}\`)`);
    const stack = Object.values(load(file).jobs)[0]?.env?.STACK ?? "";
    // A bare stack name is in the project of the Pulumi.yaml the command runs in.
    const parts = stack.split("/");
    if (parts.length === 3) expect(parts[1]).toBe(project);
    else expect(stack).toBe(MATRIX_STACK);
  });

  it("previews pull requests with a refresh and comments on the PR", () => {
    const preview = load("pulumi-preview.yml");
    expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    expect(pulumiCommand(preview, "preview")?.with).toMatchObject({
      command: "preview",
      refresh: true,
      "comment-on-pr": true,
    });
  });

  it("runs preview --refresh, then up --refresh, on main", () => {
    const up = load("pulumi-up.yml");
    expect(up.on.push).toEqual({ branches: ["main"] });
    // pulumi/actions' up skips the preview, where the change limit writes nothing.
    expect(pulumiCommands(up).map((s) => [s.with?.command, s.with?.refresh])).toEqual([
      ["preview", true],
      ["up", true],
    ]);
  });

  it.each(WORKFLOWS)("%s: limits how many emails a run may change", (file) => {
    expect(load(file).env?.ACRONIS_MAX_EMAIL_CHANGES).toBe(
      expr("vars.ACRONIS_MAX_EMAIL_CHANGES || '20'"),
    );
  });

  it("runs every stack of a split fleet as a matrix: side by side, each stack one update at a time", () => {
    for (const file of WORKFLOWS) {
      const [job, ...others] = Object.values(load(file).jobs);
      expect(others).toEqual([]);
      expect(job?.strategy?.["fail-fast"]).toBe(false);
      expect(job?.strategy?.matrix?.stack?.length).toBeGreaterThan(1);
    }
    const up = load("pulumi-up.yml");
    // A workflow-wide group would run the stacks one after another: the group is per stack.
    expect(up.concurrency).toBeUndefined();
    expect(Object.values(up.jobs)[0]?.concurrency).toEqual({
      group: `pulumi-up-${MATRIX_STACK}`,
      "cancel-in-progress": false,
    });
  });
});
