import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { USER_PATH } from "../emulator/request-keys";
import type { Goal } from "../engine/engine";
import type { ProviderHost } from "../engine/host";
import { CLIENT_SECRET, stackConfig, USERS } from "./support/fixtures";
import { plan, stackForStories } from "./support/stack";

/**
 * Bad input, as the user meets it through `pulumi preview`: one clear message naming the account
 * and the property (or the setting), and nothing sent to the platform for anything check can
 * reject. The YAML file's errors are covered beside its loader (provider/accounts-file/accounts.test.ts).
 */

const ID = USERS.fresh;
const long = (n: number) => "a".repeat(n);

const stack = stackForStories({ name: "engine-bad-input", eachStoryFresh: true });

async function previewError(goal: Goal): Promise<string> {
  const [step] = (await stack.preview([goal])).steps;
  expect(step?.ok).toBe(false);
  return step?.error ?? "";
}

function goal(inputs: Record<string, unknown>): Goal {
  const g = stack.userEmail("input", { userId: ID, email: "ok@example.com" });
  // Like the SDK, an input set to undefined is not sent at all.
  const merged = Object.entries({ ...g.inputs, ...inputs }).filter(([, v]) => v !== undefined);
  return { ...g, inputs: Object.fromEntries(merged) };
}

describe("resource inputs rejected by check, before any request", () => {
  it("fail the preview with the provider's message, naming the account and the property", async () => {
    const error = await previewError(goal({ email: "a b@example.com" }));
    expect(error).toContain(`email of account ${ID} must not contain whitespace`);
    expect((await stack.emulator.control.requests()).total).toBe(0);
  });

  // Each case below through the same real host process, Check by Check as a preview sends them
  // (the story above shows a failed Check is what the preview reports): one process for the
  // table, rather than one preview, and so one process, per row.
  let host: ProviderHost;
  beforeAll(async () => {
    host = await stack.startHost();
  });
  afterAll(() => host.stop());

  async function checkError(g: Goal): Promise<string> {
    const { failures } = await host.check(stack.engine.urn(g), {}, g.inputs);
    expect(failures.length).toBeGreaterThan(0);
    return failures.map((f) => `${f.property}: ${f.reason}`).join("; ");
  }

  const account = `of account ${ID}`;
  it.each([
    ["empty userId", { userId: "" }, ["userId", "is not a UUID"]],
    ["short userId", { userId: "1234" }, ['userId "1234" is not a UUID']],
    [
      "userId one digit short",
      { userId: "b0000000-0000-4000-8000-00000000000" },
      ["is not a UUID"],
    ],
    [
      "userId with a non-hex digit",
      { userId: "g0000000-0000-4000-8000-000000000001" },
      ["is not a UUID"],
    ],
    ["userId of the wrong type", { userId: 42 }, ["userId is required and must be a string"]],
    ["email missing", { email: undefined }, ["email is required and must be a string"]],
    [
      "email of the wrong type",
      { email: ["a@b.example"] },
      ["email is required and must be a string"],
    ],
    ["empty email", { email: "" }, [`email ${account} must not be empty`]],
    ["whitespace email", { email: "   " }, [`email ${account} must not be empty`]],
    [
      "email with inner space",
      { email: "a b@example.com" },
      [`email ${account} must not contain whitespace`],
    ],
    [
      "display-name form",
      { email: '"Bob" <bob@example.com>' },
      ['(did you mean "bob@example.com"?)'],
    ],
    ["angle-bracket form", { email: "Bob <bob@example.com>" }, ["must be a bare address"]],
    ["no @", { email: "bob.example.com" }, ['must contain "@"']],
    ["two @", { email: "a@b@example.com" }, ["extra '@' signs"]],
    ["empty local part", { email: "@example.com" }, ["local part"]],
    [
      "local part over 64 octets",
      { email: `${long(65)}@example.com` },
      ["at most 64 octets (RFC 5321)"],
    ],
    ["domain label over 63", { email: `a@${long(64)}.com` }, ["at most 63 characters (RFC 5321)"]],
    [
      "address over 254",
      { email: `${long(64)}@${long(63)}.${long(63)}.${long(63)}.com` },
      ["at most 254 characters in total"],
    ],
    [
      "label with a leading hyphen",
      { email: "a@-bad.example.com" },
      ["no leading or trailing hyphen"],
    ],
    [
      "label with a trailing hyphen",
      { email: "a@bad-.example.com" },
      ["no leading or trailing hyphen"],
    ],
    ["single-label domain", { email: "a@localhost" }, ["at least two labels"]],
    ["double dot", { email: "a..b@example.com" }, ["'..'"]],
    ["address literal", { email: "a@[10.0.0.1]" }, ["address literals"]],
    [
      "resendAfter not a duration",
      { resendAfter: "soon" },
      [`resendAfter ${account}: "soon" is not a duration`],
    ],
    ["resendAfter without unit", { resendAfter: "24" }, ["is not a duration"]],
    ["resendAfter fractional", { resendAfter: "1.5h" }, ["is not a duration"]],
    ["resendAfter below a minute", { resendAfter: "30s" }, ["shorter than the minimum of 1m"]],
    ["resendAfter over a year", { resendAfter: "400d" }, ["longer than 365d"]],
    [
      "resendAfter of the wrong type",
      { resendAfter: 24 },
      ['resendAfter must be a string such as "24h"'],
    ],
  ])("%s", async (_name, inputs, fragments) => {
    const error = await checkError(goal(inputs));
    for (const fragment of fragments) expect(error).toContain(fragment);
    expect((await stack.emulator.control.requests()).total).toBe(0);
  });

  it("accepts an IDN domain and stores it normalised", async () => {
    const result = await stack.up([
      stack.userEmail("idn", { userId: ID, email: "Ünïcode@Bücher.Example" }),
    ]);
    expect(plan(result)).toEqual({ idn: "create" });
    expect(result.steps[0]?.outputs).toMatchObject({
      email: "Ünïcode@xn--bcher-kva.example",
      liveEmail: "Ünïcode@xn--bcher-kva.example",
      status: "synced",
    });
  });
});

describe("settings", () => {
  afterAll(async () => {
    await stack.configure();
  });

  it.each([
    [
      "no base URL",
      { "acronis:baseUrl": "" },
      "acronis:baseUrl is not set: set it with `pulumi config set acronis:baseUrl <value>` or the environment variable ACRONIS_BASE_URL",
    ],
    ["no client id", { "acronis:clientId": "" }, "acronis:clientId is not set"],
    [
      "no secret",
      { "acronis:clientSecret": "" },
      "acronis:clientSecret is not set: set it with `pulumi config set --secret acronis:clientSecret <value>`",
    ],
    [
      "http to a remote host",
      { "acronis:baseUrl": "http://eu2-cloud.acronis.com/api/2" },
      "https is required",
    ],
    [
      "credentials in the base URL",
      { "acronis:baseUrl": "https://admin:hunter22@eu2-cloud.acronis.com/api/2" },
      "must not contain user:password@",
    ],
    [
      "a query in the base URL",
      { "acronis:baseUrl": "https://eu2-cloud.acronis.com/api/2?tenant=1" },
      "must not contain a query string",
    ],
    [
      "a base URL without /api/2",
      { "acronis:baseUrl": "https://eu2-cloud.acronis.com/" },
      "path must end with /api/2",
    ],
    [
      "maxConcurrentRequests 0",
      { "acronis:maxConcurrentRequests": "0" },
      "acronis:maxConcurrentRequests (or ACRONIS_MAX_CONCURRENT_REQUESTS): must be a whole number from 1 to 64",
    ],
    [
      "batchReads not a boolean",
      { "acronis:batchReads": "yes" },
      'acronis:batchReads (or ACRONIS_BATCH_READS): must be "true" or "false"',
    ],
    [
      "readAhead not a boolean",
      { "acronis:readAhead": "off" },
      'acronis:readAhead (or ACRONIS_READ_AHEAD): must be "true" or "false"',
    ],
  ])("%s", async (_name, override, message) => {
    await stack.configure({
      config: { ...stackConfig(stack.emulator.baseUrl), ...override },
      env: blankEnv,
    });
    const error = await stackUpError();
    expect(error).toContain(`UserEmail check account ${ID}`);
    expect(error).toContain(message);
    expect(error).not.toContain("hunter22");
    expect(error).not.toContain(CLIENT_SECRET);
    expect((await stack.emulator.control.requests()).total).toBe(0);
  });

  it("an allowlist entry that is not a domain fails check, naming the setting", async () => {
    await stack.configure({
      config: {
        ...stackConfig(stack.emulator.baseUrl),
        "acronis:allowedEmailDomains": "corp.example.com, not a domain!",
      },
    });
    const error = await previewError(
      stack.userEmail("input", { userId: ID, email: "a@corp.example.com" }),
    );
    expect(error).toContain("acronis:allowedEmailDomains (or ACRONIS_ALLOWED_EMAIL_DOMAINS)");
    expect(error).toContain('entry "not" is not a domain');
  });
});

describe("the platform's refusals", () => {
  it.each([
    ["an unknown account (404)", USERS.missing, `account ${USERS.missing} was not found`],
    [
      "an account outside the client's tenant (403)",
      USERS.foreign,
      "HTTP 403 (code 1002, PlatformAccountServer)",
    ],
  ])("%s", async (_name, userId, message) => {
    const [step] = (await stack.up([stack.userEmail("acct", { userId, email: "a@example.com" })]))
      .steps;
    expect(step?.error).toContain(`UserEmail create account ${userId}`);
    expect(step?.error).toContain(message);
  });

  it("a 400 with details from the platform names the status, code, message and detail", async () => {
    await stack.emulator.control.faults({
      method: "PUT",
      path: USER_PATH,
      action: {
        type: "status",
        status: 400,
        body: {
          error: {
            code: 1024,
            domain: "PlatformAccountServer",
            message: "Address is in the forbidden list",
            details: { info: "contact.email" },
          },
        },
      },
    });
    const [step] = (
      await stack.up([stack.userEmail("acct", { userId: ID, email: "a@example.com" })])
    ).steps;
    expect(step?.error).toBe(
      `UserEmail create account ${ID}: Acronis API PUT /users/${ID} failed: HTTP 400 (code 1024, PlatformAccountServer): Address is in the forbidden list (contact.email)`,
    );
  });
});

describe("the account takeover guard (acronis:allowedEmailDomains)", () => {
  afterAll(async () => {
    await stack.configure();
  });

  it("fails the preview of an account pointed at an outside domain, naming account and domain", async () => {
    await stack.configure({
      config: {
        ...stackConfig(stack.emulator.baseUrl),
        "acronis:allowedEmailDomains": "corp.example.com,.corp.example.com",
      },
    });
    const inside = stack.userEmail("inside", {
      userId: USERS.fresh,
      email: "a@eu.corp.example.com",
    });
    const outside = stack.userEmail("outside", {
      userId: USERS.fresh2,
      email: "a@evil.example.net",
    });
    const result = await stack.preview([inside, outside]);
    expect(plan(result).inside).toBe("create");
    expect(plan(result).outside).toContain(
      `email of account ${USERS.fresh2}: domain "evil.example.net" is not in acronis:allowedEmailDomains (corp.example.com, .corp.example.com)`,
    );
    // The account inside the allowlist is read (a token, its GET); the one outside is not.
    expect((await stack.emulator.control.requests()).total).toBe(2);
  });

  it("reads the allowlist from the environment too", async () => {
    await stack.configure({ env: { ACRONIS_ALLOWED_EMAIL_DOMAINS: "corp.example.com" } });
    const error = await previewError(
      stack.userEmail("x", { userId: USERS.fresh, email: "a@sub.corp.example.com" }),
    );
    expect(error).toContain('domain "sub.corp.example.com" is not in acronis:allowedEmailDomains');
  });
});

const blankEnv = { ACRONIS_BASE_URL: "", ACRONIS_CLIENT_ID: "", ACRONIS_CLIENT_SECRET: "" };

/**
 * Settings are needed once a step calls the platform: the create of the first up of an account,
 * in the update deployment (`--skip-preview`: the preview before it passes, and costs a process).
 */
async function stackUpError(): Promise<string> {
  const [step] = (
    await stack.up([stack.userEmail("input", { userId: ID, email: "ok@example.com" })], {
      skipPreview: true,
    })
  ).steps;
  expect(step?.ok).toBe(false);
  return step?.error ?? "";
}
