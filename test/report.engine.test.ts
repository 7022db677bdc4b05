import { rmSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkpointFile } from "../engine/checkpoint";
import { failures } from "../engine/engine";
import { REPO_ROOT } from "../engine/workspace";
import { shortTime } from "../provider/cli/report-format";
import { runCli } from "../provider/cli/run";
import { CUSTOMER_TENANT, USERS } from "./support/fixtures";
import { plan, stackForStories } from "./support/stack";

/**
 * `pulumi-acronis-user-email report` on the checkpoint the engine wrote through the real
 * provider host (engine/checkpoint.ts: the DeploymentV3 file a self-managed backend keeps):
 * one account synced, one waiting for its user, one someone else moved; then three days go by
 * on the platform's clock, and the report, made for the platform's now, says the waiting
 * account's next link is due.
 */

const BACKEND = path.join(REPO_ROOT, ".tmp", "report-backend");
const FILE = checkpointFile(BACKEND, "engine-report", "test");

beforeAll(() => {
  rmSync(BACKEND, { recursive: true, force: true });
});
const stack = stackForStories({ name: "engine-report", engine: { checkpoint: { file: FILE } } });

async function report(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["report", FILE, ...argv], {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env: {},
    cwd: REPO_ROOT,
  });
  return { code, stdout, stderr };
}

const DAY_S = 86_400;

describe("report on the engine's checkpoint", () => {
  it("lists the synced, pending and drifted accounts, with the pending one's next link due after 3 days", async () => {
    const goals = [
      // Not activated: the PUT changes the address at once.
      stack.userEmail("fresh", { userId: USERS.fresh, email: "fresh@new.example.com" }),
      // Activated: a link goes to the old address and the account waits for its user.
      stack.userEmail("active", {
        userId: USERS.active,
        email: "active@new.example.com",
        resendAfter: "24h",
      }),
      // Adopted as it is, then moved by someone else.
      stack.userEmail("active2", { userId: USERS.active2, email: "active2@old.example.com" }),
    ];
    const up = await stack.up(goals);
    expect(failures(up)).toEqual([]);
    expect(plan(up)).toEqual({ fresh: "create", active: "create", active2: "create" });
    await stack.emulator.control.patchUser(USERS.active2, { email: "someone@else.example.net" });
    const refreshed = await stack.refresh();
    expect(failures(refreshed)).toEqual([]);
    expect(refreshed.checkpoint?.writes).toBeGreaterThan(0);

    const requestedAt = String(stack.engine.resource("active")?.outputs.confirmationRequestedAt);
    expect(Date.parse(requestedAt)).not.toBeNaN();
    // Three days later on the platform; the report is made for the platform's now.
    const { now } = await stack.emulator.control.advanceClock(3 * DAY_S);
    const waitingMs = Date.parse(now) - Date.parse(requestedAt);
    expect(waitingMs).toBeGreaterThanOrEqual(3 * DAY_S * 1000);

    const json = await report("--format", "json", "--now", now);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe("");
    const parsed = JSON.parse(json.stdout);
    expect(parsed).toMatchObject({
      schemaVersion: 1,
      stack: "engine-report/test",
      now: new Date(now).toISOString(),
      counts: { total: 3, pendingConfirmation: 1, drifted: 1, synced: 1, unknown: 0 },
      providers: [
        {
          provider: "default",
          counts: { total: 3, pendingConfirmation: 1, drifted: 1, synced: 1, unknown: 0 },
        },
      ],
    });
    const dayMs = DAY_S * 1000;
    expect(parsed.accounts).toEqual([
      {
        name: "active",
        provider: "default",
        status: "pendingConfirmation",
        userId: USERS.active,
        login: "active",
        tenantId: CUSTOMER_TENANT,
        requestedAt,
        waitingSeconds: Math.floor(waitingMs / 1000),
        resendAfter: "24h",
        nextLinkAt: new Date(Date.parse(requestedAt) + dayMs).toISOString(),
        nextLinkDue: true,
        hidden: [],
        missing: [],
      },
      {
        name: "active2",
        provider: "default",
        status: "drifted",
        userId: USERS.active2,
        login: "active2",
        tenantId: CUSTOMER_TENANT,
        requestedAt: null,
        waitingSeconds: null,
        resendAfter: null,
        nextLinkAt: null,
        nextLinkDue: null,
        hidden: [],
        missing: [],
      },
      {
        name: "fresh",
        provider: "default",
        status: "synced",
        userId: USERS.fresh,
        login: "fresh",
        tenantId: CUSTOMER_TENANT,
        requestedAt: null,
        waitingSeconds: null,
        resendAfter: null,
        nextLinkAt: null,
        nextLinkDue: null,
        hidden: [],
        missing: [],
      },
    ]);

    const markdown = await report("--format", "markdown", "--now", now);
    expect(markdown.code).toBe(0);
    // The story's few seconds do not reach a minute: the waiting time reads "3d".
    expect(markdown.stdout.split("\n")).toEqual([
      "### Account emails of engine-report/test",
      "",
      `3 accounts: 1 pending confirmation, 1 drifted, 1 synced (as of ${shortTime(new Date(now).toISOString())}).`,
      "",
      "| Status | Account | Tenant | Requested | Waiting | Next link | Notes |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      `| pending | active (${USERS.active}) | ${CUSTOMER_TENANT} | ${shortTime(requestedAt)} | 3d | due: the next \`up\` sends it |  |`,
      `| drifted | active2 (${USERS.active2}) | ${CUSTOMER_TENANT} |  |  |  | the platform holds another address |`,
      `| synced | fresh (${USERS.fresh}) | ${CUSTOMER_TENANT} |  |  |  |  |`,
      "",
    ]);
    // No address anywhere without --show-emails.
    for (const out of [json.stdout, markdown.stdout]) expect(out).not.toMatch(/@/);

    const withEmails = await report("--format", "text", "--now", now, "--show-emails");
    expect(withEmails.stdout).toContain(
      "the platform holds someone@else.example.net, not active2@old.example.com",
    );
    expect(withEmails.stdout).toContain(
      "waits for active@new.example.com; holds active@old.example.com",
    );

    // The CI alerts: pending over 2 days and drifted fail; pending over 4 days does not.
    const old = await report("--fail-if-pending-over", "2d", "--now", now);
    expect(old.code).toBe(3);
    expect(old.stderr).toBe(
      `pulumi-acronis-user-email report: 1 account pending confirmation for longer than 2d (the oldest: active (${USERS.active}), 3d)\n`,
    );
    expect((await report("--fail-if-pending-over", "4d", "--now", now)).code).toBe(0);
    const drifted = await report("--fail-if-drifted", "--now", now);
    expect(drifted.code).toBe(3);
    expect(drifted.stderr).toContain("1 account drifted (the platform holds another address)");
  });
});
