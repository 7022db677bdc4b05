import { rmSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generatedUserId, generateSeed } from "../emulator";
import { demoStackConfig } from "../emulator/demo-stack-config";
import { PUT_USER } from "../emulator/request-keys";
import { checkpointFile } from "../engine/checkpoint";
import { Engine, failures, type Goal } from "../engine/engine";
import { CliKilled, loadCheckpoint } from "../engine/killed-cli";
import { REPO_ROOT } from "../engine/workspace";
import { stackForStories } from "./support/stack";

/**
 * A CLI killed in the middle of `pulumi up` (engine/killed-cli.ts; pulumi/pulumi at
 * 1b5949891b3c, pkg/backend/snapshot.go `BeginMutation`, deployment_executor.go
 * `printPendingOperationsWarning`): six activated accounts re-pointed, the CLI killed once the
 * third update's first write is on disk and its PUT sent, then the next `up` loaded from the
 * checkpoint file. At most one more mail per account that was in flight; nothing lost.
 */

const N = 6;
const NAME = "engine-killed-cli";
const ALL = Array.from({ length: N }, (_, k) => k + 1);
const BACKEND = path.join(REPO_ROOT, ".tmp", "killed-cli-backend");
const FILE = checkpointFile(BACKEND, NAME, "test");

beforeAll(() => rmSync(BACKEND, { recursive: true, force: true }));
const stack = stackForStories({
  name: NAME,
  seed: generateSeed({ users: N, activatedRatio: 1 }),
  config: (baseUrl) => demoStackConfig({ name: NAME, config: {} }, baseUrl),
  engine: { checkpoint: { file: FILE } },
});

const program = (domain: string): Goal[] =>
  ALL.map((i) =>
    stack.userEmail(`user${i}`, { userId: generatedUserId(i), email: `user${i}@${domain}` }),
  );

async function mailsPerAccount(): Promise<number[]> {
  const outbox = await stack.emulator.control.outbox();
  return ALL.map((i) => outbox.filter((m) => m.userId === generatedUserId(i)).length);
}

describe("a CLI killed between a step's two writes", () => {
  it("leaves a pending operation; the next up warns, mails the in-flight account once more, loses nothing", async () => {
    // Adopted at their seed addresses: no PUT, no mail.
    expect(failures(await stack.up(program("bench.example")))).toEqual([]);
    expect(await mailsPerAccount()).toEqual(ALL.map(() => 0));

    // One worker, so the kill finds exactly one step between its writes.
    const killed = new Engine({
      ...stack.engine.options,
      state: stack.engine.state,
      parallel: 1,
      checkpoint: { file: FILE, killAfterBegin: 3 },
    });
    await expect(killed.up(program("moved.example"), { skipPreview: true })).rejects.toThrow(
      CliKilled,
    );
    // Two changes recorded, the third's PUT sent (its mail is out) but not recorded.
    expect(await mailsPerAccount()).toEqual([1, 1, 1, 0, 0, 0]);
    const left = loadCheckpoint(FILE, { project: NAME, stack: "test" });
    const user3 = left.resources.find((r) => r.name === "user3");
    expect(left.pendingOperations).toEqual([{ urn: user3?.urn, type: "updating" }]);
    expect(user3?.outputs.email).toBe("user3@bench.example");
    expect(left.resources.find((r) => r.name === "user2")?.outputs.pendingEmail).toBe(
      "user2@moved.example",
    );

    // The next `up`, from what the killed CLI left on disk.
    await stack.emulator.control.resetRequests();
    const next = new Engine({ ...stack.engine.options, state: left });
    const up = await next.up(program("moved.example"));
    expect(failures(up)).toEqual([]);
    expect(up.warnings?.[0]).toContain(
      `with 1 pending operations from previous deployment.\n  * ${user3?.urn}, interrupted while updating\n`,
    );
    // user1 and user2 wait for their confirmation; user3 is asked again (its first request was
    // never recorded): one more mail; the three never reached are asked once.
    expect((await stack.emulator.control.requests()).counts[PUT_USER]).toBe(4);
    expect(await mailsPerAccount()).toEqual([1, 1, 2, 1, 1, 1]);
    for (const i of ALL) {
      expect(next.resource(`user${i}`)?.outputs.pendingEmail).toBe(`user${i}@moved.example`);
    }
    // The update's checkpoint holds no pending operation any more.
    expect(loadCheckpoint(FILE, { project: NAME, stack: "test" }).pendingOperations).toEqual([]);
    // A later `up` has nothing to warn about.
    const after = new Engine({ ...stack.engine.options, state: next.state });
    expect((await after.up(program("moved.example"))).warnings).toBeUndefined();
  });
});
