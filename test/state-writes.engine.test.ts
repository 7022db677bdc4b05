import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkpointFile } from "../engine/checkpoint";
import { failures, type RunResult } from "../engine/engine";
import { REPO_ROOT } from "../engine/workspace";
import { CLIENT_SECRET, USERS } from "./support/fixtures";
import { stackForStories, type TestStack } from "./support/stack";

/**
 * The stack's state persisted as a self-managed backend persists it (engine/checkpoint.ts,
 * pulumi/pulumi pkg/backend/snapshot.go and diy/state.go), through the real provider host: how
 * many times each command rewrites the whole checkpoint, step kind by step kind.
 */

const BACKEND = path.join(REPO_ROOT, ".tmp", "state-writes-backend");
const FILE = checkpointFile(BACKEND, "engine-state-writes", "test");

beforeAll(() => {
  rmSync(BACKEND, { recursive: true, force: true });
});
const stack = stackForStories({
  name: "engine-state-writes",
  engine: { checkpoint: { file: FILE } },
});
const skipping = stackForStories({
  name: "engine-state-writes-skip",
  engine: { checkpoint: { skipCheckpoints: true } },
});

function accounts(s: TestStack, emails: { fresh: string; fresh2: string; active: string }) {
  return [
    s.userEmail("fresh", { userId: USERS.fresh, email: emails.fresh }),
    s.userEmail("fresh2", { userId: USERS.fresh2, email: emails.fresh2 }),
    s.userEmail("active", { userId: USERS.active, email: emails.active }),
  ];
}

const asTheyAre = {
  fresh: "fresh@old.example.com",
  fresh2: "fresh2@old.example.com",
  active: "active@old.example.com",
};

function writes(result: RunResult): number | undefined {
  expect(failures(result)).toEqual([]);
  return result.checkpoint?.writes;
}

describe("state writes of a self-managed backend", () => {
  it("counts two writes per create, update and delete, none per unchanged account, one per refresh", async () => {
    // Adopting 3 accounts: 3 creates, each written before and after.
    const adopt = await stack.up(accounts(stack, asTheyAre));
    expect(adopt.preview?.checkpoint).toBeUndefined(); // a preview writes nothing
    expect(writes(adopt)).toBe(6);
    const stored = JSON.parse(readFileSync(FILE, "utf8"));
    const urns = stored.checkpoint.latest.resources.map((r: { urn: string }) => r.urn);
    expect(urns.filter((u: string) => u.includes("UserEmail"))).toHaveLength(3);

    // Nothing changed: 3 same steps elide their writes, and the deployment's end writes once.
    expect(writes(await stack.up(accounts(stack, asTheyAre), { skipPreview: true }))).toBe(1);

    // One account changed: its update writes twice, the two unchanged ones once more at the end.
    const one = { ...asTheyAre, fresh: "fresh@new.example.com" };
    expect(writes(await stack.up(accounts(stack, one), { skipPreview: true }))).toBe(3);

    // A refresh writes once, at the end, whatever it read.
    expect(writes(await stack.refresh({ skipPreview: true }))).toBe(1);

    // Destroy: each delete written twice.
    expect(writes(await stack.destroy({ skipPreview: true }))).toBe(6);
    const emptied = JSON.parse(readFileSync(FILE, "utf8"));
    expect(
      emptied.checkpoint.latest.resources.filter((r: { type: string }) =>
        r.type.includes("UserEmail"),
      ),
    ).toEqual([]);
  });

  it("writes the default provider's secret encrypted, never in plain text", async () => {
    expect(writes(await stack.up(accounts(stack, asTheyAre)))).toBeGreaterThan(0);
    const text = readFileSync(FILE, "utf8");
    expect(text).not.toContain(CLIENT_SECRET);
    const stored = JSON.parse(text).checkpoint.latest.resources.find((r: { urn: string }) =>
      r.urn.endsWith("::pulumi:providers:pulumi-nodejs::default"),
    );
    expect(stored?.inputs?.["acronis:clientSecret"]).toMatchObject({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    });
  });

  it("after each update, a history copy and a backup of the whole checkpoint", async () => {
    const history = path.join(BACKEND, ".pulumi", "history", "engine-state-writes", "test");
    const backups = path.join(BACKEND, ".pulumi", "backups", "engine-state-writes", "test");
    const count = (dir: string, suffix: string) =>
      existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(suffix)).length : 0;
    const before = [count(history, ".checkpoint.json"), count(backups, ".json")];

    const result = await stack.up(accounts(stack, asTheyAre));
    expect(result.preview?.checkpoint).toBeUndefined();
    const size = statSync(FILE).size;
    expect(result.checkpoint?.copies).toEqual({ copies: 2, bytes: 2 * size });
    expect([count(history, ".checkpoint.json"), count(backups, ".json")]).toEqual([
      (before[0] ?? 0) + 1,
      (before[1] ?? 0) + 1,
    ]);
    expect(count(history, ".history.json")).toBe(count(history, ".checkpoint.json"));
  });

  it("writes once per deployment with PULUMI_SKIP_CHECKPOINTS", async () => {
    expect(writes(await skipping.up(accounts(skipping, asTheyAre), { skipPreview: true }))).toBe(1);
    const all = {
      fresh: "a@new.example.com",
      fresh2: "b@new.example.com",
      active: "c@new.example.com",
    };
    expect(writes(await skipping.up(accounts(skipping, all), { skipPreview: true }))).toBe(1);
    expect(writes(await skipping.destroy({ skipPreview: true }))).toBe(1);
  });
});
