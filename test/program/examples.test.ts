import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  type RunningEmulator,
  US5_CLIENT_ID,
  US5_CLIENT_SECRET,
  USERS,
} from "../../emulator";
import { demoStackConfig } from "../../emulator/demo-stack-config";
import { PUT_USER } from "../../emulator/request-keys";
import { collectGoals } from "../../engine/declarations";
import {
  countOps,
  Engine,
  failures,
  type Goal,
  isProviderType,
  type Program,
} from "../../engine/engine";
import { ProviderHost } from "../../engine/host";
import { languageHostProgram, type ProjectFile, prepareProgram } from "../../engine/program";
import { REPO_ROOT, USER_EMAIL_TYPE } from "../../engine/workspace";
import { datacentersForStories } from "../support/stack";

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
/** Two datacenters: `eu2` (the demo seed) serves every example, `us5` the multi-datacenter one. */
const datacenters = datacentersForStories();
let emulator: RunningEmulator;
beforeAll(() => {
  emulator = datacenters.datacenters.eu2;
});

/** What `pulumi config set` would give the example's stack (the secrets with --secret). */
function exampleConfig(name: string, project: ProjectFile) {
  const config: Record<string, string> = demoStackConfig(project, emulator.baseUrl);
  const secretKeys = ["acronis:clientSecret"];
  if (name === "multi-datacenter") {
    const { eu2, us5 } = datacenters.datacenters;
    const key = (k: string) => `${project.name}:${k}`;
    Object.assign(config, {
      [key("eu2BaseUrl")]: eu2.baseUrl,
      [key("eu2ClientId")]: DEMO_CLIENT_ID,
      [key("eu2ClientSecret")]: DEMO_CLIENT_SECRET,
      [key("us5BaseUrl")]: us5.baseUrl,
      [key("us5ClientId")]: US5_CLIENT_ID,
      [key("us5ClientSecret")]: US5_CLIENT_SECRET,
    });
    secretKeys.push(key("eu2ClientSecret"), key("us5ClientSecret"));
  }
  return { config, secretKeys };
}

interface ExampleRun {
  /** What the program declares (run as a preview, nothing applied). */
  declare(): Promise<Goal[]>;
  /** The program as the engine runs it: again for every deployment. */
  program: Program;
  engine: Engine;
}

async function openExample(name: string): Promise<ExampleRun> {
  const source = path.join(EXAMPLES, name);
  const files = readdirSync(source).filter((f) => f !== "README.md" && f !== "node_modules");
  const { workspace, project } = await prepareProgram(`example-${name}`, source, files);
  const { config, secretKeys } = exampleConfig(name, project);
  const run = {
    dir: workspace.dir,
    project: project.name,
    stack: "test",
    config,
    secretKeys,
  };
  const declare = async () => (await collectGoals(run)).goals;
  const startHost = ProviderHost.starter({ cwd: workspace.dir, project: project.name, config });
  return {
    declare,
    program: languageHostProgram(run),
    engine: new Engine({ project: project.name, stack: "test", startHost }),
  };
}

describe("examples", () => {
  /**
   * What every example must do: declare only UserEmail resources (and the explicit provider
   * instances some declare), then preview and apply each of them. The examples with a story below
   * run it as the first steps of that story, each other example on its own.
   */
  async function previewsThenApplies(example: ExampleRun) {
    const goals = await example.declare();
    expect(goals.length).toBeGreaterThan(0);
    expect(goals.every((g) => g.type === USER_EMAIL_TYPE || isProviderType(g.type))).toBe(true);
    const preview = await example.engine.preview(example.program);
    expect(failures(preview)).toEqual([]);
    expect(countOps(preview).create).toBe(goals.length);
    const up = await example.engine.up(example.program);
    expect(failures(up)).toEqual([]);
    expect(countOps(up).create).toBe(goals.length);
    return { goals, preview, up };
  }
  const STORIES = ["basic", "multi-datacenter", "from-yaml"];
  const withoutStory = PROJECTS.filter((name) => !STORIES.includes(name));

  it("are found: each has a story below or runs on its own", () => {
    expect(PROJECTS).toEqual(expect.arrayContaining(STORIES));
    expect([...STORIES, ...withoutStory].sort()).toEqual([...PROJECTS].sort());
  });

  if (withoutStory.length > 0) {
    it.each(withoutStory)(
      "%s: previews, then applies, every resource it declares",
      async (name) => {
        await emulator.control.reset();
        await previewsThenApplies(await openExample(name));
      },
    );
  }

  it("basic: one account, pending until its user confirms", async () => {
    await emulator.control.reset();
    const example = await openExample("basic");
    const { program, engine } = example;
    const { goals, up } = await previewsThenApplies(example);
    expect(goals.map((g) => [g.name, g.inputs.userId])).toEqual([["alice", USERS.alice]]);
    expect(countOps(up).create).toBe(1);
    expect(engine.resource("alice")?.outputs.status).toBe("pendingConfirmation");
    const [mail] = await emulator.control.outbox();
    expect(mail?.userId).toBe(USERS.alice);
    await emulator.control.confirm(mail as NonNullable<typeof mail>);
    await engine.up(program);
    expect(engine.resource("alice")?.outputs.status).toBe("synced");
    expect(countOps(await engine.preview(program)).same).toBe(1);
  });

  it("multi-datacenter: one provider process per datacenter, each account applied in its own", async () => {
    const { eu2, us5 } = datacenters.datacenters;
    await Promise.all([eu2.control.reset(), us5.control.reset()]);
    const example = await openExample("multi-datacenter");
    const { engine } = example;
    const { preview, up } = await previewsThenApplies(example);
    // Two explicit instances, and no default provider: the program uses none.
    expect(preview.hosts).toBe(2);
    expect(up.outputs?.statuses).toEqual({
      eu2: { alice: "pendingConfirmation", dave: "synced" },
      us5: { grace: "pendingConfirmation", heidi: "synced" },
    });
    const puts = async (dc: RunningEmulator) => (await dc.control.requests()).counts[PUT_USER] ?? 0;
    expect([await puts(eu2), await puts(us5)]).toEqual([2, 2]);
    // The instances' secrets are sealed in state; the stack's own is not used at all.
    const instances = engine.state.resources.filter((r) => isProviderType(r.type));
    expect(instances).toHaveLength(2);
    for (const instance of instances) {
      expect(JSON.stringify(instance)).not.toContain(DEMO_CLIENT_SECRET);
      expect(JSON.stringify(instance)).not.toContain(US5_CLIENT_SECRET);
    }
  });

  it("from-yaml: the sample file, through preview and up", async () => {
    await emulator.control.reset();
    const { goals, up } = await previewsThenApplies(await openExample("from-yaml"));
    expect(goals).toHaveLength(5);
    const statuses = up.steps.map((s) => s.outputs?.status).sort();
    expect(statuses).toEqual([
      "pendingConfirmation",
      "pendingConfirmation",
      "synced",
      "synced",
      "synced",
    ]);
  });
  // examples/ci: test/ci-workflows.test.ts.
});
