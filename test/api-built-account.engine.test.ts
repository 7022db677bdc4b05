import { describe, expect, it } from "vitest";
import { createActivatedAccount } from "../emulator";
import { CLIENT_ID, CLIENT_SECRET, CUSTOMER_TENANT } from "./support/fixtures";
import { plan, stackForStories } from "./support/stack";

/**
 * An account no seed declared, built through the platform's public API as a user's own script
 * builds it (check_login, POST /users, send-activation-email, the mailed link opened), then
 * managed by UserEmail: its email change waits for the confirmation link, then the stack syncs.
 */

const stack = stackForStories({ name: "engine-api-built-account" });

describe("an account created and activated through the API", () => {
  it("is pending until the user opens the confirmation link, then synced", async () => {
    const built = await createActivatedAccount({
      baseUrl: stack.emulator.baseUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      tenantId: CUSTOMER_TENANT,
      login: "newcomer",
      email: "newcomer@old.example.com",
    });
    expect(built.calls).toEqual([
      "POST /idp/token -> 200",
      "GET /users/check_login -> 204",
      "POST /users -> 200",
      `POST /users/${built.id}/send-activation-email -> 204`,
      "GET (activation link) -> 200",
      `GET /users/${built.id} -> 200`,
    ]);
    // Created at version 1, activated through the link: version 2.
    expect(built.version).toBe(2);

    const goals = [
      stack.userEmail("newcomer", { userId: built.id, email: "newcomer@new.example.com" }),
    ];
    expect(plan(await stack.up(goals))).toEqual({ newcomer: "create" });
    expect(stack.engine.resource("newcomer")?.outputs).toMatchObject({
      status: "pendingConfirmation",
      activated: true,
      login: "newcomer",
      liveEmail: "newcomer@old.example.com",
      pendingEmail: "newcomer@new.example.com",
      version: 2,
    });
    const mails = (await stack.emulator.control.outbox()).filter((m) => m.userId === built.id);
    expect(mails.map((m) => [m.kind, m.to, m.requestedEmail])).toEqual([
      ["activation", "newcomer@old.example.com", "newcomer@old.example.com"],
      ["email-change", "newcomer@old.example.com", "newcomer@new.example.com"],
    ]);

    // Still drift while the link waits in the old mailbox.
    expect(plan(await stack.preview(goals))).toEqual({ newcomer: "update" });

    const confirmation = mails[1];
    if (!confirmation) throw new Error("no confirmation mail");
    expect((await stack.emulator.control.confirm(confirmation)).status).toBe(200);
    expect(plan(await stack.up(goals))).toEqual({ newcomer: "update" });
    expect(stack.engine.resource("newcomer")?.outputs).toMatchObject({
      status: "synced",
      liveEmail: "newcomer@new.example.com",
      pendingEmail: null,
      version: 3,
    });
    expect(plan(await stack.preview(goals))).toEqual({ newcomer: "same" });
  });
});
