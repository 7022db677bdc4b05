import { describe, expect, it } from "vitest";
import { PUT_USER as PUT } from "../emulator/request-keys";
import { countOps, failures, type Goal } from "../engine/engine";
import { CLIENT_ID, CLIENT_SECRET, USERS } from "./support/fixtures";
import { plan, stackForStories } from "./support/stack";

/**
 * UserEmail through the real Pulumi dynamic-provider host, in the sequences the CLI runs:
 * every `stack.preview/up/refresh/destroy` below is what `pulumi preview/up/refresh/destroy`
 * sends to the provider. The platform is the emulator; mails land in its outbox.
 */

const stack = stackForStories({ name: "engine-user-email", eachStoryFresh: true });

async function puts(): Promise<number> {
  return (await stack.emulator.control.requests()).counts[PUT] ?? 0;
}

async function mailsTo(userId: string) {
  return (await stack.emulator.control.outbox()).filter((m) => m.userId === userId);
}

function outputs(name: string) {
  return stack.engine.resource(name)?.outputs ?? {};
}

describe("a non-activated account", () => {
  it("changes in one up, and the next up and preview are empty", async () => {
    const goals = [
      stack.userEmail("fresh", { userId: USERS.fresh, email: "Fresh@New.Example.COM" }),
    ];

    expect(plan(await stack.preview(goals))).toEqual({ fresh: "create" });
    expect(await puts()).toBe(0); // preview makes no write

    expect(plan(await stack.up(goals))).toEqual({ fresh: "create" });
    expect(outputs("fresh")).toMatchObject({
      userId: USERS.fresh,
      email: "Fresh@new.example.com",
      liveEmail: "Fresh@new.example.com",
      status: "synced",
      pendingEmail: null,
      confirmationRequestedAt: null,
      version: 2,
      activated: false,
      login: "fresh",
    });
    expect((await stack.emulator.control.getUser(USERS.fresh)).contact.email).toBe(
      "Fresh@new.example.com",
    );
    expect(await puts()).toBe(1);

    expect(plan(await stack.up(goals))).toEqual({ fresh: "same" });
    expect(plan(await stack.preview(goals))).toEqual({ fresh: "same" });
    expect(await puts()).toBe(1);
    expect(await mailsTo(USERS.fresh)).toHaveLength(0);
  });
});

describe("an activated account", () => {
  it("stays drifted while the confirmation is pending, without spamming the user", async () => {
    const goals = [
      stack.userEmail("active", {
        userId: USERS.active,
        email: "active@new.example.com",
        resendAfter: "1h",
      }),
    ];

    // pulumi up: the platform mails a link to the OLD address and changes nothing yet.
    const before = Date.now();
    expect(plan(await stack.up(goals))).toEqual({ active: "create" });
    const after = Date.now();
    const first = outputs("active");
    expect(first).toMatchObject({
      status: "pendingConfirmation",
      liveEmail: "active@old.example.com",
      pendingEmail: "active@new.example.com",
      version: 1559561146223,
    });
    // Recorded during that up (ISO strings carry milliseconds).
    const requestedAt = Date.parse(String(first.confirmationRequestedAt));
    expect(requestedAt).toBeGreaterThanOrEqual(before);
    expect(requestedAt).toBeLessThanOrEqual(after);
    const mails = await mailsTo(USERS.active);
    expect(mails.map((m) => [m.to, m.requestedEmail])).toEqual([
      ["active@old.example.com", "active@new.example.com"],
    ]);
    expect(stack.consoleLines.join("\n")).toMatch(
      new RegExp(`account ${USERS.active}: confirmation link for active@new.example.com sent`),
    );

    // pulumi preview: still drift, and one line telling the user what is going on.
    stack.output.length = 0;
    expect(plan(await stack.preview(goals))).toEqual({ active: "update" });
    const lines = stack.consoleLines.filter((l) => l.includes(USERS.active));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("pending since");

    // pulumi up again within resendAfter: no PUT, no second mail, still pending; one line in
    // each of its two deployments (the CLI shows the preview's diagnostics, then the update's).
    stack.output.length = 0;
    expect(plan(await stack.up(goals))).toEqual({ active: "update" });
    const upLines = stack.consoleLines.filter((l) => l.includes(USERS.active));
    expect(upLines).toHaveLength(2);
    for (const line of upLines) expect(line).toContain("pending since");
    expect(await puts()).toBe(1);
    expect(await mailsTo(USERS.active)).toHaveLength(1);
    expect(outputs("active")).toMatchObject({
      status: "pendingConfirmation",
      confirmationRequestedAt: first.confirmationRequestedAt,
    });

    // resendAfter elapses (the stored request is backdated, as if two hours went by): a new link.
    const state = stack.engine.resource("active");
    if (!state) throw new Error("no state for active");
    state.outputs.confirmationRequestedAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
    expect(plan(await stack.up(goals))).toEqual({ active: "update" });
    expect(await puts()).toBe(2);
    expect(await mailsTo(USERS.active)).toHaveLength(2);

    // The user opens the newest link: the platform changes the email and the version.
    const newest = (await mailsTo(USERS.active)).at(-1);
    if (!newest) throw new Error("no mail");
    await stack.emulator.control.confirm(newest);
    expect((await stack.emulator.control.getUser(USERS.active)).contact.email).toBe(
      "active@new.example.com",
    );

    // The next preview shows one update, only to record the confirmation; up records it, no PUT.
    expect(plan(await stack.preview(goals))).toEqual({ active: "update" });
    expect(plan(await stack.up(goals))).toEqual({ active: "update" });
    expect(await puts()).toBe(2);
    expect(outputs("active")).toMatchObject({
      status: "synced",
      liveEmail: "active@new.example.com",
      pendingEmail: null,
      confirmationRequestedAt: null,
      version: 1559561146224,
    });

    // And then the stack is clean.
    expect(plan(await stack.preview(goals))).toEqual({ active: "same" });
    expect(plan(await stack.up(goals))).toEqual({ active: "same" });
    expect(await puts()).toBe(2);
  });
});

describe("races and out-of-band changes", () => {
  it("re-reads and retries when another writer moves the version between our read and write", async () => {
    const goals = [
      stack.userEmail("fresh", { userId: USERS.fresh, email: "fresh@new.example.com" }),
    ];
    // Our PUT is held on the platform while another writer gets in first.
    const held = await stack.emulator.control.holds.hold({ method: "PUT" });
    const running = stack.up(goals);
    await held.parked();
    await stack.emulator.control.patchUser(USERS.fresh, { firstname: "Changed elsewhere" });
    await held.release();
    const result = await running;

    expect(plan(result)).toEqual({ fresh: "create" });
    expect(await puts()).toBe(2); // the stale one (409, code 1001) and the retry
    expect(outputs("fresh")).toMatchObject({
      status: "synced",
      liveEmail: "fresh@new.example.com",
      version: 3,
    });
  });

  it("does not write when the other writer already set the desired email", async () => {
    const goals = [
      stack.userEmail("fresh", { userId: USERS.fresh, email: "fresh@new.example.com" }),
    ];
    const held = await stack.emulator.control.holds.hold({ method: "PUT" });
    const running = stack.up(goals);
    await held.parked();
    await stack.emulator.control.patchUser(USERS.fresh, { email: "fresh@new.example.com" });
    await held.release();
    const result = await running;

    expect(plan(result)).toEqual({ fresh: "create" });
    expect(await puts()).toBe(1); // only the stale one, refused; the re-read shows it done
    expect(outputs("fresh")).toMatchObject({
      status: "synced",
      liveEmail: "fresh@new.example.com",
    });
  });

  it("refresh drops an account deleted on the platform", async () => {
    const goals = [
      stack.userEmail("fresh2", { userId: USERS.fresh2, email: "fresh2@new.example.com" }),
    ];
    await stack.up(goals);
    await stack.emulator.control.deleteUser(USERS.fresh2);

    const refreshed = await stack.refresh();
    expect(plan(refreshed)).toEqual({ fresh2: "gone" });
    expect(stack.engine.resource("fresh2")).toBeUndefined();
  });

  it("refresh records an address someone else set as drifted, and up puts it back", async () => {
    const goals = [
      stack.userEmail("fresh2", { userId: USERS.fresh2, email: "fresh2@new.example.com" }),
    ];
    await stack.up(goals);
    await stack.emulator.control.patchUser(USERS.fresh2, { email: "someone@else.example.net" });

    // The refresh's Diff (step.go RefreshStep.Apply) shows the drifted account as an update.
    expect(plan(await stack.refresh())).toEqual({ fresh2: "update" });
    expect(outputs("fresh2")).toMatchObject({
      status: "drifted",
      liveEmail: "someone@else.example.net",
    });
    expect(plan(await stack.up(goals))).toEqual({ fresh2: "update" });
    expect(outputs("fresh2")).toMatchObject({
      status: "synced",
      liveEmail: "fresh2@new.example.com",
    });
  });

  it("replaces the resource when userId changes; the old account is left as it is", async () => {
    await stack.up([
      stack.userEmail("member", { userId: USERS.fresh, email: "member@new.example.com" }),
    ]);
    const moved = [
      stack.userEmail("member", { userId: USERS.fresh2, email: "member@new.example.com" }),
    ];

    expect(plan(await stack.preview(moved))).toEqual({ member: "replace" });
    expect(plan(await stack.up(moved))).toEqual({ member: "replace" });
    expect(stack.engine.resource("member")?.id).toBe(USERS.fresh2);
    expect((await stack.emulator.control.getUser(USERS.fresh2)).contact.email).toBe(
      "member@new.example.com",
    );
    expect((await stack.emulator.control.getUser(USERS.fresh)).contact.email).toBe(
      "member@new.example.com",
    );
  });

  it("destroy makes no call and leaves every account as it is", async () => {
    await stack.up([
      stack.userEmail("fresh", { userId: USERS.fresh, email: "fresh@new.example.com" }),
    ]);
    await stack.emulator.control.resetRequests();

    expect(countOps(await stack.destroy())).toMatchObject({ delete: 1 });
    expect((await stack.emulator.control.requests()).total).toBe(0);
    expect((await stack.emulator.control.getUser(USERS.fresh)).contact.email).toBe(
      "fresh@new.example.com",
    );
  });
});

describe("errors the user sees", () => {
  it("names the account and the property when check rejects inputs, and sends nothing", async () => {
    const goals: Goal[] = [
      stack.userEmail("bad", {
        userId: "not-a-uuid",
        email: '"Bob" <bob@example.com>',
        resendAfter: "soon",
      }),
    ];
    const [step] = (await stack.preview(goals)).steps;
    expect(step?.ok).toBe(false);
    expect(step?.error).toContain('userId: userId "not-a-uuid" is not a UUID');
    expect(step?.error).toContain(
      'email: email must be a bare address, not a display-name form (did you mean "bob@example.com"?)',
    );
    expect(step?.error).toContain('resendAfter: resendAfter: "soon" is not a duration');
    expect((await stack.emulator.control.requests()).total).toBe(0);
  });

  it("reports an unknown account and one outside the client's tenant with the platform's answer", async () => {
    // One `up` each: the first failed step cancels the deployment (deployment_executor.go), and
    // Check reads each new account, so the other account's step may not have started by then.
    const steps = [
      ...(
        await stack.up([
          stack.userEmail("missing", { userId: USERS.missing, email: "x@example.com" }),
        ])
      ).steps,
      ...(
        await stack.up([
          stack.userEmail("foreign", { userId: USERS.foreign, email: "x@example.com" }),
        ])
      ).steps,
    ];
    const byName = Object.fromEntries(steps.map((s) => [s.name, s]));
    expect(byName.missing?.error).toContain(
      `UserEmail create account ${USERS.missing}: account ${USERS.missing} was not found`,
    );
    expect(byName.foreign?.error).toMatch(
      /UserEmail create account b0+-0000-4000-8000-0+ff: .*403.*1002/,
    );
    expect(byName.foreign?.error).not.toMatch(/\n\s+at /); // no stack trace of ours
  });
});

describe("credentials", () => {
  it("come from the stack config or, failing that, from the environment", async () => {
    const goals = [
      stack.userEmail("fresh", { userId: USERS.fresh, email: "fresh@env.example.com" }),
    ];
    await stack.configure({
      config: {},
      env: {
        ACRONIS_BASE_URL: stack.emulator.baseUrl,
        ACRONIS_CLIENT_ID: CLIENT_ID,
        ACRONIS_CLIENT_SECRET: CLIENT_SECRET,
      },
    });
    expect(plan(await stack.up(goals))).toEqual({ fresh: "create" });
    expect(outputs("fresh")).toMatchObject({ status: "synced" });

    await stack.configure({
      config: {},
      env: { ACRONIS_BASE_URL: "", ACRONIS_CLIENT_ID: "", ACRONIS_CLIENT_SECRET: "" },
    });
    const [step] = (await stack.preview(goals)).steps;
    expect(step?.error).toContain(
      "acronis:clientSecret is not set: set it with `pulumi config set --secret acronis:clientSecret <value>` or the environment variable ACRONIS_CLIENT_SECRET",
    );
    expect(step?.error).toContain("acronis:baseUrl is not set");
    await stack.configure();
  });

  it("never reach the serialized provider, the outputs or the host's output", async () => {
    const goals = [
      stack.userEmail("fresh", { userId: USERS.fresh, email: "fresh@new.example.com" }),
      stack.userEmail("active", { userId: USERS.active, email: "active@new.example.com" }),
    ];
    // Each command really ran (a failure before the first request would leave nothing to leak).
    expect(plan(await stack.up(goals))).toEqual({ fresh: "create", active: "create" });
    expect(plan(await stack.preview(goals))).toEqual({ fresh: "same", active: "update" });
    const refreshed = await stack.refresh();
    expect(failures(refreshed)).toEqual([]);
    expect(refreshed.steps.map((s) => [s.name, s.outputs?.status])).toEqual([
      ["fresh", "synced"],
      ["active", "pendingConfirmation"],
    ]);

    const text = stack.workspace.providerText;
    expect(text.length).toBeLessThanOrEqual(512);
    expect(text).toMatch(
      /^exports\.handler = __f0;\nconst provider = require\("pulumi-acronis-user-email\/[^"]+"\);/,
    );
    const stored = JSON.stringify(stack.engine.state);
    const printed = stack.output.map((o) => o.line).join("\n");
    for (const haystack of [text, stored, printed]) {
      expect(haystack).not.toContain(CLIENT_SECRET);
      expect(haystack).not.toContain(
        Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64"),
      );
      for (const token of stack.emulator.state.issuedTokens())
        expect(haystack).not.toContain(token);
    }
    expect(stack.emulator.state.issuedTokens().length).toBeGreaterThan(0);
  });
});
