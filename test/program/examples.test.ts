import { readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { defaultSeed, type RunningEmulator, startEmulator, USERS } from "../../emulator";
import { countOps, Engine, failures, type Goal } from "../../engine/engine";
import { ProviderHost } from "../../engine/host";
import { demoStackConfig, evaluateProgram, prepareProgram } from "../../engine/program";
import { REPO_ROOT } from "../../engine/workspace";
import { recordIssuedTokens } from "../support/stack";

/**
 * Each example as a user runs it: its own directory with the package installed, `pulumi preview`
 * then `pulumi up` through the real provider host, against the emulator's demo seed. The CI
 * example is two workflow files: checked for what its README promises.
 */

const EXAMPLES = path.join(REPO_ROOT, "examples");
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ seed: defaultSeed });
});

afterAll(async () => {
  if (emulator) recordIssuedTokens(emulator);
  await emulator?.close();
});

async function runExample(
  name: string,
  files: string[],
): Promise<{ goals: Goal[]; engine: Engine; stop: () => Promise<void> }> {
  const { workspace, project } = await prepareProgram(
    `example-${name}`,
    path.join(EXAMPLES, name),
    files,
  );
  const config = demoStackConfig(project, emulator.baseUrl);
  const goals = await evaluateProgram(workspace.dir, {
    project: project.name,
    stack: "test",
    config,
    secretKeys: ["acronis:clientSecret"],
  });
  const startHost = ProviderHost.starter({ cwd: workspace.dir, project: project.name, config });
  return {
    goals,
    engine: new Engine({ project: project.name, stack: "test", startHost }),
    stop: async () => undefined,
  };
}

describe("examples", () => {
  it("basic: one account, pending until its user confirms", async () => {
    await emulator.control.reset();
    const { goals, engine, stop } = await runExample("basic", [
      "index.ts",
      "Pulumi.yaml",
      "package.json",
    ]);
    try {
      expect(goals.map((g) => [g.name, g.inputs.userId])).toEqual([["alice", USERS.alice]]);
      expect(countOps(await engine.preview(goals)).create).toBe(1);
      const up = await engine.up(goals);
      expect(failures(up)).toEqual([]);
      expect(engine.resource("alice")?.outputs.status).toBe("pendingConfirmation");
      const [mail] = await emulator.control.outbox();
      expect(mail?.userId).toBe(USERS.alice);
      await emulator.control.confirm(mail as NonNullable<typeof mail>);
      await engine.up(goals);
      expect(engine.resource("alice")?.outputs.status).toBe("synced");
      expect(countOps(await engine.preview(goals)).same).toBe(1);
    } finally {
      await stop();
    }
  });

  it("from-yaml: the sample file, through preview and up", async () => {
    await emulator.control.reset();
    const { goals, engine, stop } = await runExample("from-yaml", [
      "index.ts",
      "Pulumi.yaml",
      "accounts.yaml",
    ]);
    try {
      expect(goals).toHaveLength(5);
      expect(countOps(await engine.preview(goals)).create).toBe(5);
      const up = await engine.up(goals);
      expect(failures(up)).toEqual([]);
      const statuses = up.steps.map((s) => s.outputs?.status).sort();
      expect(statuses).toEqual([
        "pendingConfirmation",
        "pendingConfirmation",
        "synced",
        "synced",
        "synced",
      ]);
    } finally {
      await stop();
    }
  });

  describe("ci: the workflow pair", () => {
    interface Step {
      uses?: string;
      run?: string;
      with?: Record<string, unknown>;
      env?: Record<string, string>;
    }
    interface Workflow {
      on: Record<string, unknown>;
      jobs: Record<string, { steps: Step[] }>;
    }
    const load = (file: string) =>
      parseYaml(readFileSync(path.join(EXAMPLES, "ci", file), "utf8")) as Workflow;
    const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
    const pulumiCommands = (w: Workflow) =>
      steps(w).filter((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command);
    const pulumiCommand = (w: Workflow, command: string) =>
      pulumiCommands(w).find((s) => s.with?.command === command);

    it("previews pull requests with a refresh and comments on the PR", () => {
      const preview = load("pulumi-preview.yml");
      expect(Object.keys(preview.on)).toEqual(["pull_request"]);
      expect(pulumiCommand(preview, "preview")?.with).toMatchObject({
        command: "preview",
        refresh: true,
        "comment-on-pr": true,
      });
    });

    it("runs up on main", () => {
      const up = load("pulumi-up.yml");
      expect(up.on.push).toEqual({ branches: ["main"] });
      expect(pulumiCommand(up, "up")?.with).toMatchObject({ command: "up" });
    });

    it("previews before up: pulumi/actions' up skips the preview, where the change limit writes nothing", () => {
      expect(pulumiCommands(load("pulumi-up.yml")).map((s) => s.with?.command)).toEqual([
        "preview",
        "up",
      ]);
    });

    it("limits how many emails a run may change, in the preview job and the up job", () => {
      for (const file of ["pulumi-preview.yml", "pulumi-up.yml"]) {
        const workflow = load(file) as Workflow & { env?: Record<string, string> };
        expect(workflow.env?.ACRONIS_MAX_EMAIL_CHANGES).toBe(
          ["${{", "vars.ACRONIS_MAX_EMAIL_CHANGES || '20'", "}}"].join(" "),
        );
      }
    });

    it("moves the client secret from the secret store into the stack config, encrypted", () => {
      for (const file of ["pulumi-preview.yml", "pulumi-up.yml"]) {
        const config = steps(load(file)).find((s) => s.run?.includes("pulumi config set"));
        expect(config?.run).toContain(
          'pulumi config set --secret acronis:clientSecret "$ACRONIS_CLIENT_SECRET"',
        );
        expect(config?.env?.ACRONIS_CLIENT_SECRET).toBe(
          ["${{", "secrets.ACRONIS_CLIENT_SECRET", "}}"].join(" "),
        );
      }
    });
  });
});
