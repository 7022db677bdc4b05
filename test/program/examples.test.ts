import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { defaultSeed, type RunningEmulator, startEmulator, USERS } from "../../emulator";
import { collectGoals } from "../../engine/declarations";
import { countOps, Engine, failures, type Goal, type Program } from "../../engine/engine";
import { ProviderHost } from "../../engine/host";
import { demoStackConfig, languageHostProgram, prepareProgram } from "../../engine/program";
import { REPO_ROOT, USER_EMAIL_TYPE } from "../../engine/workspace";
import { recordIssuedTokens } from "../support/stack";

/**
 * Each example as a user runs it: its own directory with the package installed (a real copy, as
 * from the tarball), the program started by the SDK's own runner as `pulumi preview` and
 * `pulumi up` start it, its resources through the real provider host, against the emulator's
 * demo seed. The CI example is two workflow files: checked for what its README promises.
 */

const EXAMPLES = path.join(REPO_ROOT, "examples");
/** Every example that is a Pulumi project, including any added later. */
const PROJECTS = readdirSync(EXAMPLES).filter((name) =>
  existsSync(path.join(EXAMPLES, name, "Pulumi.yaml")),
);
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ seed: defaultSeed });
});

afterAll(async () => {
  if (emulator) recordIssuedTokens(emulator);
  await emulator?.close();
});

interface ExampleRun {
  /** What the program declares (run as a preview, nothing applied). */
  declare(): Promise<Goal[]>;
  /** The program as the engine runs it: again for every deployment. */
  program: Program;
  engine: Engine;
  stop: () => Promise<void>;
}

async function openExample(name: string): Promise<ExampleRun> {
  const source = path.join(EXAMPLES, name);
  const files = readdirSync(source).filter((f) => f !== "README.md" && f !== "node_modules");
  const { workspace, project } = await prepareProgram(`example-${name}`, source, files);
  const config = demoStackConfig(project, emulator.baseUrl);
  const run = {
    dir: workspace.dir,
    project: project.name,
    stack: "test",
    config,
    secretKeys: ["acronis:clientSecret"],
  };
  const declare = async () => (await collectGoals(run)).goals;
  const startHost = ProviderHost.starter({ cwd: workspace.dir, project: project.name, config });
  return {
    declare,
    program: languageHostProgram(run),
    engine: new Engine({ project: project.name, stack: "test", startHost }),
    stop: async () => undefined,
  };
}

describe("examples", () => {
  it("are found", () => {
    expect(PROJECTS).toEqual(expect.arrayContaining(["basic", "from-yaml"]));
  });

  it.each(PROJECTS)("%s: previews, then applies, every resource it declares", async (name) => {
    await emulator.control.reset();
    const example = await openExample(name);
    try {
      const goals = await example.declare();
      expect(goals.length).toBeGreaterThan(0);
      expect(goals.every((g) => g.type === USER_EMAIL_TYPE)).toBe(true);
      const preview = await example.engine.preview(example.program);
      expect(failures(preview)).toEqual([]);
      expect(countOps(preview).create).toBe(goals.length);
      const up = await example.engine.up(example.program);
      expect(failures(up)).toEqual([]);
      expect(countOps(up).create).toBe(goals.length);
    } finally {
      await example.stop();
    }
  });

  it("basic: one account, pending until its user confirms", async () => {
    await emulator.control.reset();
    const { declare, program, engine, stop } = await openExample("basic");
    try {
      const goals = await declare();
      expect(goals.map((g) => [g.name, g.inputs.userId])).toEqual([["alice", USERS.alice]]);
      expect(countOps(await engine.preview(program)).create).toBe(1);
      const up = await engine.up(program);
      expect(failures(up)).toEqual([]);
      expect(engine.resource("alice")?.outputs.status).toBe("pendingConfirmation");
      const [mail] = await emulator.control.outbox();
      expect(mail?.userId).toBe(USERS.alice);
      await emulator.control.confirm(mail as NonNullable<typeof mail>);
      await engine.up(program);
      expect(engine.resource("alice")?.outputs.status).toBe("synced");
      expect(countOps(await engine.preview(program)).same).toBe(1);
    } finally {
      await stop();
    }
  });

  it("from-yaml: the sample file, through preview and up", async () => {
    await emulator.control.reset();
    const { declare, program, engine, stop } = await openExample("from-yaml");
    try {
      const goals = await declare();
      expect(goals).toHaveLength(5);
      expect(countOps(await engine.preview(program)).create).toBe(5);
      const up = await engine.up(program);
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
    const pulumiCommand = (w: Workflow) =>
      steps(w).find((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command);

    it("previews pull requests with a refresh and comments on the PR", () => {
      const preview = load("pulumi-preview.yml");
      expect(Object.keys(preview.on)).toEqual(["pull_request"]);
      expect(pulumiCommand(preview)?.with).toMatchObject({
        command: "preview",
        refresh: true,
        "comment-on-pr": true,
      });
    });

    it("runs up on main", () => {
      const up = load("pulumi-up.yml");
      expect(up.on.push).toEqual({ branches: ["main"] });
      expect(pulumiCommand(up)?.with).toMatchObject({ command: "up" });
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
