import { describe, expect, it } from "vitest";
import { GET_USER, GET_USERS, POST_TOKEN, PUT_USER } from "../emulator/request-keys";
import { failures, type Goal, type RunResult } from "../engine/engine";
import { USERS } from "./support/fixtures";
import { plan, stackForStories } from "./support/stack";

/**
 * The first `pulumi preview` of accounts new to the stack, through the real provider host: Pulumi
 * shows each as `+ create` and calls only Check (no Create in preview), so Check reads the
 * account and tells the reviewer what `up` will do with it; a setting or credentials `up` would
 * fail on fail the preview, with `up`'s message.
 */

const stack = stackForStories({ name: "engine-first-preview", eachStoryFresh: true });

/** The adoption a reviewer is asked to approve: 2 unchanged, 1 changed at once, 1 mailed a link. */
function adoption(): Goal[] {
  return [
    stack.userEmail("fresh", { userId: USERS.fresh, email: "fresh@old.example.com" }),
    stack.userEmail("fresh2", { userId: USERS.fresh2, email: "fresh2@new.example.com" }),
    stack.userEmail("active", { userId: USERS.active, email: "active@new.example.com" }),
    stack.userEmail("active2", { userId: USERS.active2, email: "active2@old.example.com" }),
  ];
}

async function counts(): Promise<Record<string, number>> {
  return (await stack.emulator.control.requests()).counts;
}

/** The lines the provider printed about accounts new to the stack, by account id. */
function notes(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stack.consoleLines) {
    const m = /^acronis: account ([0-9a-f-]{36}): new to the stack; (.*)$/.exec(line);
    if (m?.[1] && m[2]) out[m[1]] = m[2];
  }
  return out;
}

function failed(result: RunResult): Record<string, string> {
  return Object.fromEntries(failures(result).map((s) => [s.name, s.error ?? ""]));
}

describe("a first preview of new accounts", () => {
  it("reads them, batched, and says per account what up will do", async () => {
    const preview = await stack.preview(adoption());
    expect(plan(preview)).toEqual({
      fresh: "create",
      fresh2: "create",
      active: "create",
      active2: "create",
    });
    expect(notes()).toEqual({
      [USERS.fresh]: "`up` adopts it unchanged (it already has the declared address)",
      [USERS.fresh2]:
        "`up` changes its address at once (the account is not activated, so no mail is sent)",
      [USERS.active]:
        "`up` mails a confirmation link to its current address (the account is activated); " +
        "the address changes when the user opens the link",
      [USERS.active2]: "`up` adopts it unchanged (it already has the declared address)",
    });
    // One token; the first three read on their own, the third asking for the tenant's first page
    // (the tenant of the accounts before it), which answers the fourth. No write.
    expect(await counts()).toEqual({ [POST_TOKEN]: 1, [GET_USER]: 3, [GET_USERS]: 1 });
  });

  it("up does what the preview said, and its Create reads nothing the Check did not", async () => {
    const up = await stack.up(adoption(), { skipPreview: true });
    expect(failed(up)).toEqual({});
    // The same reads as the preview: each Create answers from its Check's read.
    expect(await counts()).toEqual({
      [POST_TOKEN]: 1,
      [GET_USER]: 3,
      [GET_USERS]: 1,
      [PUT_USER]: 2,
    });
    const mails = await stack.emulator.control.outbox();
    expect(mails.map((m) => m.userId)).toEqual([USERS.active]);
    expect((await stack.emulator.control.getUser(USERS.fresh2)).contact.email).toBe(
      "fresh2@new.example.com",
    );
  });

  it("names an account the platform does not have, and one it cannot read, without failing", async () => {
    const preview = await stack.preview([
      stack.userEmail("missing", { userId: USERS.missing, email: "m@new.example.com" }),
      stack.userEmail("foreign", { userId: USERS.foreign, email: "f@new.example.com" }),
    ]);
    expect(failed(preview)).toEqual({});
    expect(notes()[USERS.missing]).toBe(
      "not found on the platform, so `up` fails for it: check the userId",
    );
    expect(notes()[USERS.foreign]).toMatch(
      /^could not be read \(Acronis API GET \/users\/b0+-0000-4000-8000-0+ff failed: HTTP 403 .*\); `up` fails for it with this error if the platform still answers so$/,
    );
  });
});

describe("a first preview fails where up would, with up's message", () => {
  const goals = () => adoption().slice(0, 2);

  async function upsMessage(): Promise<Record<string, string>> {
    const up = await stack.up(goals(), { skipPreview: true });
    expect(await stack.emulator.control.outbox()).toEqual([]);
    return failed(up);
  }

  it("a wrong client secret", async () => {
    stack.configure({ config: { ...stack.config, "acronis:clientSecret": "not-the-secret" } });
    const preview = failed(await stack.preview(goals()));
    expect(preview).toEqual({
      fresh: expect.stringMatching(
        new RegExp(
          `^UserEmail check account ${USERS.fresh}: Acronis API POST /idp/token failed: HTTP 401: ` +
            "could not obtain a token for API client .*; check the client id and secret$",
        ),
      ),
    });
    expect(preview).toEqual(await upsMessage());
  });

  it("no acronis:baseUrl", async () => {
    const { "acronis:baseUrl": _, ...rest } = stack.config;
    stack.configure({ config: rest });
    const preview = failed(await stack.preview(goals()));
    expect(preview).toEqual({
      fresh:
        `UserEmail check account ${USERS.fresh}: Acronis provider settings are incomplete or ` +
        "invalid:\n- acronis:baseUrl is not set: set it with `pulumi config set acronis:baseUrl " +
        "<value>` or the environment variable ACRONIS_BASE_URL",
    });
    expect(preview).toEqual(await upsMessage());
    expect((await stack.emulator.control.requests()).total).toBe(0);
  });
});

describe("after the user opens the link", () => {
  it("the preview's `~ update` says why: up only records it, sending nothing", async () => {
    const goals = () => [
      stack.userEmail("active", { userId: USERS.active, email: "active@new.example.com" }),
    ];
    expect(failed(await stack.up(goals(), { skipPreview: true }))).toEqual({});
    const [mail] = await stack.emulator.control.outbox();
    expect(mail?.userId).toBe(USERS.active);
    if (mail) expect((await stack.emulator.control.confirm(mail)).ok).toBe(true);
    stack.output.length = 0;
    expect(plan(await stack.preview(goals()))).toEqual({ active: "update" });
    expect(stack.consoleLines).toEqual([
      `acronis: account ${USERS.active}: the platform already holds the declared address (a ` +
        "confirmation link was opened, or someone set it); `up` records that in the stack and " +
        "sends nothing",
    ]);
  });
});
