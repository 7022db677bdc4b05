import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { FaultRule, HeldRequests } from "../emulator";
import {
  GET_USER,
  PUT_USER as PUT,
  POST_TOKEN as TOKEN,
  TOKEN_PATH,
  USER_PATH,
} from "../emulator/request-keys";
import type { Goal, RunResult } from "../engine/engine";
import { REPO_ROOT } from "../engine/workspace";
import { CLIENT_ID, CLIENT_SECRET, stackConfig, USERS } from "./support/fixtures";
import { plan, stackForStories, waitFor } from "./support/stack";

/**
 * Faults through the real host against the emulator's fault injection. Each story asserts the
 * account's final state, the stack outputs, the PUTs sent, the mails the user got and the message
 * the user sees. Delays are shortened through the provider's own settings (a 1 s request timeout,
 * 20 ms base backoff), not by faking time.
 */

/** Timers in the host and the emulator's clock may disagree by a few milliseconds. */
const TIMER_SLACK_MS = 10;
const FAST = {
  "acronis:requestTimeoutSeconds": "1",
  "acronis:retryBaseDelayMs": "20",
};

// The closing note's table: one row per story, written as the suite observes it.
const TABLE = path.join(REPO_ROOT, ".tmp", "fault-table.md");

const stack = stackForStories({
  name: "engine-faults",
  config: (baseUrl) => ({ ...stackConfig(baseUrl), ...FAST }),
  eachStoryFresh: true,
});
beforeAll(() => {
  mkdirSync(path.dirname(TABLE), { recursive: true });
  writeFileSync(TABLE, "| fault | expected | observed | PUTs | mails |\n|---|---|---|---|---|\n");
});

async function counts() {
  const { counts } = await stack.emulator.control.requests();
  const mails = await stack.emulator.control.outbox();
  return { puts: counts[PUT] ?? 0, tokens: counts[TOKEN] ?? 0, mails: mails.length, all: counts };
}

async function record(fault: string, expected: string, result: RunResult): Promise<void> {
  const c = await counts();
  const observed = result.steps
    .map((s) => (s.ok ? `${s.op}, ${String(s.outputs?.status)}` : `error: ${s.error}`))
    .join("; ");
  appendFileSync(
    TABLE,
    `| ${fault} | ${expected} | ${observed.replaceAll("|", "\\|")} | ${c.puts} | ${c.mails} |\n`,
  );
}

const fresh = () =>
  stack.userEmail("fresh", { userId: USERS.fresh, email: "fresh@new.example.com" });
const active = () =>
  stack.userEmail("active", { userId: USERS.active, email: "active@new.example.com" });

async function upWith(rules: FaultRule[], goals = [fresh()]): Promise<RunResult> {
  await stack.emulator.control.faults(rules);
  return stack.up(goals);
}

/**
 * An up whose first PUT the platform receives whole and parks (a hold), then loses the
 * connection of (a restart closes every socket) before applying it: the caller sees a reset of
 * a request that had left, so it cannot know whether it was applied. Never EPIPE (which would
 * mean "never sent"): the platform had read the whole request. The parked PUT stays unapplied
 * until `held` is released (the story's reset cancels it).
 */
async function upWithPutCut(goal: Goal, hold?: HeldRequests): Promise<RunResult> {
  const held =
    hold ?? (await stack.emulator.control.holds.hold({ method: "PUT", path: USER_PATH }));
  await stack.emulator.control.resetRequests();
  const running = stack.up([goal], { skipPreview: true });
  await held.parked();
  await stack.emulator.restart();
  return running;
}

/** The account reads and writes that arrived, in order. */
async function readsAndWrites(): Promise<string[]> {
  const arrivals = await stack.emulator.control.holds.arrivals();
  return arrivals.map((a) => a.key).filter((key) => key === GET_USER || key === PUT);
}

describe("transient platform errors are retried", () => {
  it.each([
    ["GET", { method: "GET", path: "^/api/2/users" }],
    ["PUT", { method: "PUT", path: USER_PATH }],
    ["the token endpoint", { method: "POST", path: TOKEN_PATH }],
  ])("502 then 503 on %s, then success", async (what, match) => {
    await stack.configure(); // a fresh host, so the token endpoint is really called
    const result = await upWith([
      { ...match, action: { type: "status", status: 502 } },
      { ...match, action: { type: "status", status: 503 } },
    ]);
    expect(plan(result)).toEqual({ fresh: "create" });
    expect(result.steps[0]?.outputs).toMatchObject({
      status: "synced",
      liveEmail: "fresh@new.example.com",
    });
    const c = await counts();
    // A 502/503 answer means the PUT was not processed, so retrying it is safe and needed.
    expect(c.puts).toBe(what === "PUT" ? 3 : 1);
    // One token per provider process: the preview's (its Check reads the new account) and the update's.
    expect(c.tokens).toBe(what === "the token endpoint" ? 4 : 2);
    await record(`502, 503 on ${what}`, "retried, synced", result);
  });

  it.each([
    ["seconds", { retryAfter: "1" }],
    // An HTTP-date the emulator writes when it answers: 2 s later, in whole seconds.
    ["an HTTP-date", { retryAfterDateIn: 2 }],
  ])("429 with Retry-After in %s is honoured", async (form, retryAfter) => {
    const result = await upWith([
      {
        method: "PUT",
        path: USER_PATH,
        action: { type: "status", status: 429, ...retryAfter },
      },
    ]);
    expect(plan(result)).toEqual({ fresh: "create" });
    // Measured by the platform: from its 429 answer to the next PUT's arrival.
    const [throttled, retried, ...more] = await stack.emulator.control.holds.arrivals(PUT);
    expect(more).toEqual([]);
    expect(throttled?.status).toBe(429);
    expect(retried?.status).toBe(200);
    const answered = throttled?.answeredAt ?? Number.POSITIVE_INFINITY;
    const waitedMs = (retried?.at ?? 0) - answered;
    if (form === "seconds") {
      // The client waits 1 s from receiving the answer, which comes after the platform sent it.
      // The slack covers timer granularity between the two processes' clocks.
      expect(waitedMs).toBeGreaterThanOrEqual(1000 - TIMER_SLACK_MS);
    } else {
      // Not before the date the platform asked for (both read the machine's wall clock): it
      // answered after the 429 arrived, so the date is at least this whole second.
      const until = Math.floor(((throttled?.wallAt ?? 0) + 2000) / 1000) * 1000;
      expect(retried?.wallAt).toBeGreaterThanOrEqual(until - TIMER_SLACK_MS);
      expect(waitedMs).toBeGreaterThan(0);
    }
    await record(`429, Retry-After as ${form}`, "waited, then synced", result);
  });

  it("gives up after the bounded attempts with the platform's status and message", async () => {
    const result = await upWith([
      {
        method: "GET",
        path: "^/api/2/users",
        always: true,
        action: { type: "status", status: 503 },
      },
    ]);
    expect(result.steps[0]?.ok).toBe(false);
    expect(result.steps[0]?.error).toMatch(
      /UserEmail create account b0+-0000-4000-8000-0+1: .*HTTP 503/,
    );
    const c = await counts();
    expect(c.puts).toBe(0);
    // One account: its read goes straight to GET /users/{id}, retryMaxAttempts (4) times in each
    // provider process (the preview's Check, the update's Check; Create reuses the Check's error).
    // The 30 s retry budget cannot cut it shorter: with a 20 ms base the backoffs add up to < 150 ms.
    expect(c.all[GET_USER] ?? 0).toBe(8);
    await record("503 on every GET", "bounded retries, clear error", result);
  });
});

describe("a conflict that is not a version mismatch", () => {
  it.each([
    // Published answer of GET /users/check_login: code and message at the top level.
    [
      "check_login's published shape",
      { code: 409, message: "User 'stas.test' exists" },
      "HTTP 409 (code 409): User 'stas.test' exists",
    ],
    [
      "the documented error shape",
      {
        error: {
          code: 409,
          message: "Another object of the same type already exists",
          details: { info: "" },
          context: {},
          domain: "PlatformAccountServer",
        },
      },
      "HTTP 409 (code 409, PlatformAccountServer): Another object of the same type already exists",
    ],
  ])(
    "409 in %s fails the step with its code and message after one PUT",
    async (shape, body, said) => {
      // `always`, so that every retry would meet the same answer and be counted.
      const result = await upWith([
        {
          method: "PUT",
          path: USER_PATH,
          always: true,
          action: { type: "status", status: 409, body },
        },
      ]);
      expect(result.steps[0]?.ok).toBe(false);
      expect(result.steps[0]?.error).toContain(said);
      expect((await counts()).puts).toBe(1);
      const live = await stack.emulator.control.getUser(USERS.fresh);
      expect(live).toMatchObject({ contact: { email: "fresh@old.example.com" }, version: 1 });
      await record(`409 in ${shape}, not code 1001`, "clear error, no retry", result);
    },
  );
});

describe("connections that fail", () => {
  it("a dropped connection on a read is retried", async () => {
    const result = await upWith([
      { method: "GET", path: "^/api/2/users", action: { type: "drop" } },
    ]);
    expect(plan(result)).toEqual({ fresh: "create" });
    expect((await counts()).puts).toBe(1);
    await record("connection dropped on GET", "retried, synced", result);
  });

  it("a PUT dropped before it was applied is re-read, then sent again", async () => {
    const result = await upWithPutCut(fresh());
    expect(plan(result)).toEqual({ fresh: "create" });
    expect(result.steps[0]?.outputs).toMatchObject({ status: "synced", version: 2 });
    // Possibly applied, so read again before anything else; the change is not there (an account
    // that is not activated would show it at once), so the PUT goes again.
    expect(await readsAndWrites()).toEqual([GET_USER, PUT, GET_USER, PUT]);
    expect((await counts()).puts).toBe(2);
    await record(
      "connection cut after the PUT arrived, not applied",
      "re-read, sent again",
      result,
    );
  });

  it("a PUT to an activated account cut the same way: assumed pending, never sent twice", async () => {
    const held = await stack.emulator.control.holds.hold({ method: "PUT", path: USER_PATH });
    const result = await upWithPutCut(active(), held);
    expect(plan(result)).toEqual({ active: "create" });
    expect(result.steps[0]?.outputs).toMatchObject({
      status: "pendingConfirmation",
      pendingEmail: "active@new.example.com",
    });
    // The re-read cannot tell (an activated account keeps its address until the link is
    // opened), and a second PUT would mail the user again: no second PUT.
    expect(await readsAndWrites()).toEqual([GET_USER, PUT, GET_USER]);
    // The platform goes on with the PUT it received: the user gets its one mail.
    await held.release();
    await waitFor(async () => (await stack.emulator.control.requests()).inFlight === 0);
    const c = await counts();
    expect(c.puts).toBe(1);
    expect(c.mails).toBe(1);
    await record("connection cut after the PUT arrived (activated)", "assume pending", result);
  });

  it("a hung response times out with a clear error instead of hanging", async () => {
    const result = await upWith([
      { method: "GET", path: "^/api/2/users", always: true, action: { type: "hang" } },
    ]);
    expect(result.steps[0]?.ok).toBe(false);
    expect(result.steps[0]?.error).toMatch(/timed out|timeout/i);
    // It ended by itself (the suite's timeout is only a safety net): a bounded number of
    // attempts, each given up after acronis:requestTimeoutSeconds (per provider process: the
    // preview's Check, the update's Check; Create reuses its error).
    const reads = (await stack.emulator.control.holds.arrivals()).filter((a) => a.method === "GET");
    // retryMaxAttempts (4) per process: four 1 s timeouts and their short backoffs stay far
    // inside the 30 s retry budget, so no attempt is cut.
    expect(reads).toHaveLength(8);
    expect((await counts()).puts).toBe(0);
    await record("response never comes (GET)", "timeout, clear error", result);
  });

  it("the platform restarting in the middle of a deployment: the connection pool recovers", async () => {
    await stack.up([fresh()], { skipPreview: true });
    const again = (name: "fresh" | "fresh2", userId: string) =>
      stack.userEmail(name, { userId, email: `${name}@again.example.com` });
    // The first account's requests leave a kept-alive connection; the restart drops it.
    const result = await stack.up(
      async (register) => {
        await register(again("fresh", USERS.fresh));
        await stack.emulator.restart();
        await register(again("fresh2", USERS.fresh2));
        return undefined;
      },
      { skipPreview: true },
    );
    expect(plan(result)).toEqual({ fresh: "update", fresh2: "create" });
    expect(result.steps[1]?.outputs).toMatchObject({
      status: "synced",
      liveEmail: "fresh2@again.example.com",
    });
    await record("platform restarted in the middle of an up", "second account synced", result);
  });
});

describe("a PUT applied whose answer was lost", () => {
  it("non-activated: the re-read shows it done; exactly one change", async () => {
    const result = await upWith([
      { method: "PUT", path: USER_PATH, action: { type: "lose-response" } },
    ]);
    expect(plan(result)).toEqual({ fresh: "create" });
    expect(result.steps[0]?.outputs).toMatchObject({ status: "synced", version: 2 });
    expect((await counts()).puts).toBe(1);
    expect((await stack.emulator.control.getUser(USERS.fresh)).version).toBe(2);
    await record("PUT applied, answer lost (not activated)", "re-read, synced, one change", result);
  });

  it("activated: assumed pending, so the user gets one mail, not two", async () => {
    const result = await upWith(
      [{ method: "PUT", path: USER_PATH, action: { type: "lose-response" } }],
      [active()],
    );
    expect(plan(result)).toEqual({ active: "create" });
    expect(result.steps[0]?.outputs).toMatchObject({
      status: "pendingConfirmation",
      pendingEmail: "active@new.example.com",
    });
    const c = await counts();
    expect(c.puts).toBe(1);
    expect(c.mails).toBe(1);
    await record("PUT applied, answer lost (activated)", "assume pending, no resend", result);
  });
});

describe("credentials", () => {
  it("a token that expires mid-run is renewed once, without failing", async () => {
    await stack.configure();
    await stack.up([fresh()], { skipPreview: true });
    await stack.emulator.control.resetRequests();
    const later = (name: "fresh" | "fresh2", userId: string) =>
      stack.userEmail(name, { userId, email: `${name}@later.example.com` });
    // One deployment that outlives its token: the program registers the second account only
    // after the platform's clock has passed the token's 2 h lifetime.
    const result = await stack.up(
      async (register) => {
        await register(later("fresh", USERS.fresh));
        await stack.emulator.control.advanceClock(7_300);
        await register(later("fresh2", USERS.fresh2));
        return undefined;
      },
      { skipPreview: true },
    );
    expect(plan(result)).toEqual({ fresh: "update", fresh2: "create" });
    expect((await counts()).tokens).toBe(2);
    await record("token expired in the middle of a deployment", "renewed once, synced", result);
  });

  it("a wrong secret: one clear error naming the client id, never the secret, no retry storm", async () => {
    const goals = [
      fresh(),
      active(),
      stack.userEmail("fresh2", { userId: USERS.fresh2, email: "f2@new.example.com" }),
    ];
    await stack.up(goals);
    const wrong = "Wrong-Secret-Value-123";
    await stack.configure({ config: { ...stack.config, "acronis:clientSecret": wrong } });
    await stack.emulator.control.resetRequests();

    const previewed = await stack.preview(goals);
    const result = await stack.up(goals);
    // The first Diff fails, which ends each deployment (the engine starts no further step); the
    // update of `up` never starts, since its preview failed.
    expect(previewed.steps).toHaveLength(1);
    expect(result.steps).toHaveLength(1);
    expect(result.hosts).toBe(1);
    for (const step of [...previewed.steps, ...result.steps]) {
      expect(step.ok).toBe(false);
      expect(step.error).toContain(`could not obtain a token for API client ${CLIENT_ID}`);
      expect(step.error).toContain("HTTP 401");
      expect(step.error).not.toContain(wrong);
      expect(step.error).not.toContain(CLIENT_SECRET);
    }
    expect(stack.output.map((o) => o.line).join("\n")).not.toContain(wrong);
    const c = await counts();
    expect(c.tokens).toBe(2); // one refused login per provider process, no retry
    expect(c.puts).toBe(0);
    await record(
      "wrong client secret (preview, then up)",
      "one token request, clear error",
      result,
    );
    await stack.configure();
  });
});

describe("the host killed in the middle of an up", () => {
  it("converges on the next up without a duplicate change", async () => {
    // The PUT is held on the platform, received but not applied, while the host is killed.
    const held = await stack.emulator.control.holds.hold({
      method: "PUT",
      path: USER_PATH,
    });
    const running = stack.up([fresh()]);
    await held.parked();
    await stack.hosts.at(-1)?.kill();
    const killed = await running;
    expect(killed.steps[0]?.ok).toBe(false);
    await held.release();

    await stack.configure();
    // The platform still applies the PUT the killed host sent: wait until it has processed it.
    await waitFor(async () => (await stack.emulator.control.requests()).inFlight === 0);
    expect((await stack.emulator.control.getUser(USERS.fresh)).version).toBe(2);
    const result = await stack.up([fresh()]);
    expect(plan(result)).toEqual({ fresh: "create" });
    expect(result.steps[0]?.outputs).toMatchObject({
      status: "synced",
      liveEmail: "fresh@new.example.com",
    });
    expect((await counts()).puts).toBe(1);
    expect((await stack.emulator.control.getUser(USERS.fresh)).version).toBe(2);
    await record("host killed during the PUT, then up again", "converged, one change", result);
  });
});
