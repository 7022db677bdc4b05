import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultSeed, TENANTS, USERS } from "../emulator";
import { demoStackConfig } from "../emulator/demo-stack-config";
import { GET_SEARCH, SEARCH_PATH } from "../emulator/request-keys";
import { Engine, failures, type Program } from "../engine/engine";
import { ProviderHost } from "../engine/host";
import { languageHostProgram, readProjectFile } from "../engine/program";
import { REPO_ROOT } from "../engine/workspace";
import { emulatorForStories } from "./support/stack";

/**
 * `pulumi refresh --run-program` and `pulumi destroy --run-program` as pulumi/pulumi at
 * 1b5949891b3c runs them (engine/state-program.ts): the repository's root program runs under the
 * real language host, its accounts file's login entries resolved through the API, and each
 * registered resource's refresh step written to the checkpoint on its own.
 */

const DIR = path.join(REPO_ROOT, ".tmp", "run-program");
const project = readProjectFile(path.join(REPO_ROOT, "Pulumi.yaml"));
const emulator = emulatorForStories({ seed: defaultSeed });

/** alice by id, bob by login: both already at these addresses, so nothing is written. */
const ACCOUNTS = `accounts:
  - id: ${USERS.alice}
    email: alice@alpha.example
  - login: bob
    tenant: ${TENANTS.alpha}
    email: bob@alpha.example
`;

function rootStack(stack: string): { engine: Engine; program: Program } {
  const dir = path.join(DIR, stack);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "accounts.yaml"), ACCOUNTS);
  const config = {
    ...demoStackConfig(project, emulator.baseUrl),
    [`${project.name}:accountsFile`]: path.relative(REPO_ROOT, path.join(dir, "accounts.yaml")),
  };
  const engine = new Engine({
    project: project.name,
    stack,
    startHost: ProviderHost.starter({ cwd: REPO_ROOT, project: project.name, config }),
    // Counted, not written to a file.
    checkpoint: {},
  });
  const program = languageHostProgram({
    dir: REPO_ROOT,
    project: project.name,
    stack,
    config,
    secretKeys: ["acronis:clientSecret"],
  });
  return { engine, program };
}

async function searches(): Promise<number> {
  return (await emulator.control.requests()).counts[GET_SEARCH] ?? 0;
}

describe("refresh --run-program", () => {
  it("runs the program: a login entry is searched, and a failed search fails the refresh", async () => {
    await emulator.control.reset();
    const { engine, program } = rootStack("refresh-search");
    expect(failures(await engine.up(program, { skipPreview: true }))).toEqual([]);

    // Without --run-program the program does not run: no search, the Reads by id succeed.
    await emulator.control.resetRequests();
    expect(failures(await engine.refresh({ skipPreview: true }))).toEqual([]);
    expect(await searches()).toBe(0);

    // With it, the program resolves bob's login again (one search); the search failing
    // fails the command.
    const refreshed = await engine.refresh({ runProgram: true, program, skipPreview: true });
    expect(failures(refreshed)).toEqual([]);
    expect(await searches()).toBe(1);
    await emulator.control.faults({
      method: "GET",
      path: SEARCH_PATH,
      always: true,
      action: { type: "status", status: 503 },
    });
    await expect(engine.refresh({ runProgram: true, program, skipPreview: true })).rejects.toThrow(
      /503/,
    );
    await emulator.control.clearFaults();
  });

  it("writes the checkpoint once per refreshed registration, not once at the end", async () => {
    await emulator.control.reset();
    const { engine, program } = rootStack("refresh-writes");
    expect(failures(await engine.up(program, { skipPreview: true }))).toEqual([]);
    // Without --run-program: the two refresh steps elided, one write at the end.
    expect((await engine.refresh({ skipPreview: true })).checkpoint?.writes).toBe(1);
    // With it: each of the two registrations' refresh steps is a write of its own.
    const run = await engine.refresh({ runProgram: true, program, skipPreview: true });
    expect(failures(run)).toEqual([]);
    expect(
      run.steps
        .filter((s) => s.op === "same")
        .map((s) => s.name)
        .sort(),
    ).toEqual([`user-${USERS.alice}`, `user-${USERS.bob}`].sort());
    expect(run.checkpoint?.writes).toBe(2);
  });
});

describe("destroy --run-program", () => {
  it("runs the program (a failed search fails the destroy, nothing deleted), then deletes", async () => {
    await emulator.control.reset();
    const { engine, program } = rootStack("destroy");
    expect(failures(await engine.up(program, { skipPreview: true }))).toEqual([]);
    await emulator.control.faults({
      method: "GET",
      path: SEARCH_PATH,
      always: true,
      action: { type: "status", status: 503 },
    });
    await expect(engine.destroy({ runProgram: true, program, skipPreview: true })).rejects.toThrow(
      /503/,
    );
    expect(engine.resource(`user-${USERS.bob}`)).toBeDefined();
    await emulator.control.clearFaults();
    expect(
      failures(await engine.destroy({ runProgram: true, program, skipPreview: true })),
    ).toEqual([]);
    expect(engine.resource(`user-${USERS.bob}`)).toBeUndefined();
  });
});
