import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FaultRule } from "../emulator";
import type { RunResult } from "../engine/engine";
import { REPO_ROOT } from "../engine/workspace";
import { CLIENT_ID, CLIENT_SECRET, stackConfig, USERS } from "./support/fixtures";
import { openStack, plan, type TestStack, waitFor } from "./support/stack";

/**
 * Faults through the real host against the emulator's fault injection. Each story asserts the
 * account's final state, the stack outputs, the PUTs sent, the mails the user got and the message
 * the user sees. Delays are shortened through the provider's own settings (a 1 s request timeout,
 * 20 ms base backoff), not by faking time.
 */

const PUT = "PUT /api/2/users/{id}";
const TOKEN = "POST /api/2/idp/token";
const FAST = {
  "acronis:requestTimeoutSeconds": "1",
  "acronis:retryBaseDelayMs": "20",
};

// The closing note's table: one row per story, written as the suite observes it.
const TABLE = path.join(REPO_ROOT, ".tmp", "fault-table.md");

let stack: TestStack;

beforeAll(async () => {
  stack = await openStack({
    name: "engine-faults",
    config: (baseUrl) => ({ ...stackConfig(baseUrl), ...FAST }),
  });
  mkdirSync(path.dirname(TABLE), { recursive: true });
  writeFileSync(TABLE, "| fault | expected | observed | PUTs | mails |\n|---|---|---|---|---|\n");
});
afterAll(async () => {
  await stack?.close();
});
afterEach(async () => {
  await stack.emulator.control.clearFaults();
  await stack.destroy();
  await stack.emulator.control.reset();
  stack.host.output.length = 0;
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

describe("transient platform errors are retried", () => {
  it.each([
    ["GET", { method: "GET", path: "^/api/2/users" }],
    ["PUT", { method: "PUT", path: "/api/2/users/{id}" }],
    ["the token endpoint", { method: "POST", path: "/api/2/idp/token" }],
  ])("502 then 503 on %s, then success", async (what, match) => {
    await stack.newHost(); // a fresh host, so the token endpoint is really called
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
    expect(c.tokens).toBe(what === "the token endpoint" ? 3 : 1);
    await record(`502, 503 on ${what}`, "retried, synced", result);
  });

  it.each([
    ["seconds", () => "1"],
    // HTTP-dates have whole seconds, so ask for 2 s to be sure to wait at least 1.
    ["an HTTP-date", () => new Date(Date.now() + 2_000).toUTCString()],
  ])("429 with Retry-After in %s is honoured", async (form, retryAfterAt) => {
    const started = Date.now();
    const retryAfter = retryAfterAt();
    const result = await upWith([
      {
        method: "PUT",
        path: "/api/2/users/{id}",
        action: { type: "status", status: 429, retryAfter },
      },
    ]);
    expect(plan(result)).toEqual({ fresh: "create" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((await counts()).puts).toBe(2);
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
    // One account: its read goes straight to GET /users/{id}, at most retryMaxAttempts (4) times.
    const reads = c.all["GET /api/2/users/{id}"] ?? 0;
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(reads).toBeLessThanOrEqual(4);
    await record("503 on every GET", "bounded retries, clear error", result);
  });
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
    const result = await upWith([
      { method: "PUT", path: "/api/2/users/{id}", action: { type: "drop" } },
    ]);
    expect(plan(result)).toEqual({ fresh: "create" });
    expect(result.steps[0]?.outputs).toMatchObject({ status: "synced", version: 2 });
    expect((await counts()).puts).toBe(2);
    await record("connection dropped on PUT, not applied", "re-read, sent again, synced", result);
  });

  it("a hung response times out with a clear error instead of hanging", async () => {
    const started = Date.now();
    const result = await upWith([
      { method: "GET", path: "^/api/2/users", always: true, action: { type: "hang" } },
    ]);
    expect(result.steps[0]?.ok).toBe(false);
    expect(result.steps[0]?.error).toMatch(/timed out|timeout/i);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await counts()).puts).toBe(0);
    await record("response never comes (GET)", "timeout, clear error", result);
  });

  it("the platform restarting between runs: the connection pool recovers", async () => {
    await stack.up([fresh()]);
    await stack.emulator.restart();
    const goals = [
      stack.userEmail("fresh", { userId: USERS.fresh, email: "fresh@again.example.com" }),
    ];
    const result = await stack.up(goals);
    expect(plan(result)).toEqual({ fresh: "update" });
    expect(result.steps[0]?.outputs).toMatchObject({
      status: "synced",
      liveEmail: "fresh@again.example.com",
    });
    await record("platform restarted between two ups", "second up synced", result);
  });
});

describe("a PUT applied whose answer was lost", () => {
  it("non-activated: the re-read shows it done; exactly one change", async () => {
    const result = await upWith([
      { method: "PUT", path: "/api/2/users/{id}", action: { type: "lose-response" } },
    ]);
    expect(plan(result)).toEqual({ fresh: "create" });
    expect(result.steps[0]?.outputs).toMatchObject({ status: "synced", version: 2 });
    expect((await counts()).puts).toBe(1);
    expect((await stack.emulator.control.getUser(USERS.fresh)).version).toBe(2);
    await record("PUT applied, answer lost (not activated)", "re-read, synced, one change", result);
  });

  it("activated: assumed pending, so the user gets one mail, not two", async () => {
    const result = await upWith(
      [{ method: "PUT", path: "/api/2/users/{id}", action: { type: "lose-response" } }],
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
    await stack.newHost();
    await stack.up([fresh()]);
    await stack.emulator.control.advanceClock(7_300); // past the 2 h lifetime
    const goals = [
      stack.userEmail("fresh", { userId: USERS.fresh, email: "fresh@later.example.com" }),
    ];
    const result = await stack.up(goals);
    expect(plan(result)).toEqual({ fresh: "update" });
    expect((await counts()).tokens).toBe(2);
    await record("token expired between runs of one host", "renewed once, synced", result);
  });

  it("a wrong secret: one clear error naming the client id, never the secret, no retry storm", async () => {
    const goals = [
      fresh(),
      active(),
      stack.userEmail("fresh2", { userId: USERS.fresh2, email: "f2@new.example.com" }),
    ];
    await stack.up(goals);
    const wrong = "Wrong-Secret-Value-123";
    await stack.newHost({ config: { ...stack.config, "acronis:clientSecret": wrong } });
    await stack.emulator.control.resetRequests();

    const previewed = await stack.preview(goals);
    const result = await stack.up(goals);
    for (const step of [...previewed.steps, ...result.steps]) {
      expect(step.ok).toBe(false);
      expect(step.error).toContain(`could not obtain a token for API client ${CLIENT_ID}`);
      expect(step.error).toContain("HTTP 401");
      expect(step.error).not.toContain(wrong);
      expect(step.error).not.toContain(CLIENT_SECRET);
    }
    expect(stack.host.output.map((o) => o.line).join("\n")).not.toContain(wrong);
    const c = await counts();
    expect(c.tokens).toBe(1); // six steps, two commands, one refused login
    expect(c.puts).toBe(0);
    await record(
      "wrong client secret (preview, then up)",
      "one token request, clear error",
      result,
    );
    await stack.newHost();
  });
});

describe("the host killed in the middle of an up", () => {
  it("converges on the next up without a duplicate change", async () => {
    await stack.emulator.control.faults({
      method: "PUT",
      path: "/api/2/users/{id}",
      action: { type: "latency", ms: 500 },
    });
    const running = stack.up([fresh()]);
    await waitFor(async () => (await counts()).puts >= 1);
    await stack.host.kill();
    const killed = await running;
    expect(killed.steps[0]?.ok).toBe(false);

    await stack.newHost();
    // The platform applies the PUT it received although its caller is gone (after the 500 ms it
    // was held): the request counter ends when the connection does, the write only then.
    await waitFor(async () => (await stack.emulator.control.getUser(USERS.fresh)).version === 2);
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
