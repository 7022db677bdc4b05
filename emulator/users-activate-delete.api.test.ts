import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OutboxMail } from "./control";
import { USERS } from "./demo-seeds";
import {
  createAccount,
  expectError,
  MISSING,
  type ScopedPlatform,
  startScopedPlatform,
} from "./scoped-platform";
import type { RunningEmulator } from "./server";
import { api } from "./test-helpers";

/**
 * Activating and deleting accounts through HTTP: send-activation-email and its mailed link,
 * DELETE /users/{id}, with their refusals and the scope each operation requires.
 */

let p: ScopedPlatform;
let emu: RunningEmulator;
let admin: string;
let viewer: string;
let alphaAdmin: string;

beforeAll(async () => {
  p = await startScopedPlatform();
  ({ emu, admin, viewer, alphaAdmin } = p);
});

afterAll(async () => {
  await emu.close();
});

beforeEach(async () => {
  await emu.control.reset();
});

const anonymous = (method: string, path: string, body?: unknown) => p.anonymous(method, path, body);

const create = (login: string, extra: Record<string, unknown> = {}) =>
  createAccount(p, login, extra);

describe("POST /users/{id}/send-activation-email", () => {
  it("mails a link to the account's address; opening it activates the account, once", async () => {
    const zed = await create("zed");
    const sent = await api(
      emu.baseUrl,
      admin,
      "POST",
      `/users/${zed.id}/send-activation-email`,
      {},
    );
    expect(sent.status).toBe(204);
    const mails = await emu.control.outbox();
    expect(mails).toHaveLength(1);
    const mail = mails[0] as OutboxMail;
    expect(mail).toMatchObject({
      kind: "activation",
      to: "zed@alpha.example",
      userId: zed.id,
      opened: false,
      outcome: "pending",
    });
    // Not activated until the user opens the link.
    expect((await api(emu.baseUrl, admin, "GET", `/users/${zed.id}`)).body.activated).toBe(false);
    const opened = await emu.control.confirm(mail);
    expect(opened).toMatchObject({
      ok: true,
      status: 200,
      body: { activated: true, userId: zed.id, version: 2 },
    });
    const after = await api(emu.baseUrl, admin, "GET", `/users/${zed.id}`);
    expect(after.body).toMatchObject({
      activated: true,
      version: 2,
      contact: { email: "zed@alpha.example", email_confirmed: true },
    });
    expect((await emu.control.confirm(mail)).status).toBe(410);
    expect((await emu.control.outbox())[0]).toMatchObject({ opened: true, outcome: "confirmed" });
    // An activation link is no email confirmation link, and the other way round.
    const token = mail.link.split("/").pop();
    expect((await emu.control.confirm(`/_emulator/confirm/${token}`)).status).toBe(404);
    // Now activated: an email change waits for the confirmation link sent to the old address.
    const put = await api(emu.baseUrl, admin, "PUT", `/users/${zed.id}`, {
      contact: { email: "zed@new.example" },
      version: 2,
    });
    expect(put.body.contact.email).toBe("zed@alpha.example");
    expect((await emu.control.outbox()).map((m) => [m.kind, m.to, m.requestedEmail])).toEqual([
      ["activation", "zed@alpha.example", "zed@alpha.example"],
      ["email-change", "zed@alpha.example", "zed@new.example"],
    ]);
  });

  it("refuses with the spec's statuses only: own tenant, activated, disabled (403), no token (401), no user_admin (403), outside (403), unknown (404), a body (400)", async () => {
    // Published: only accounts in sub-tenants of the caller; partner.admin is in its own tenant.
    expectError(
      await api(emu.baseUrl, admin, "POST", `/users/${USERS.partnerAdmin}/send-activation-email`),
      403,
      1002,
      /own tenant/,
    );
    expectError(
      await api(emu.baseUrl, admin, "POST", `/users/${USERS.alice}/send-activation-email`, {}),
      403,
      1027,
      /already activated/,
    );
    expectError(
      await api(emu.baseUrl, admin, "POST", `/users/${USERS.frank}/send-activation-email`, {}),
      403,
      1018,
    );
    expectError(await anonymous("POST", `/users/${USERS.bob}/send-activation-email`, {}), 401, 401);
    expectError(
      await api(emu.baseUrl, viewer, "POST", `/users/${USERS.bob}/send-activation-email`, {}),
      403,
      1002,
      /user_admin/,
    );
    expectError(
      await api(emu.baseUrl, admin, "POST", `/users/${USERS.mallory}/send-activation-email`, {}),
      403,
      1002,
      /outside/,
    );
    expectError(
      await api(emu.baseUrl, admin, "POST", `/users/${MISSING}/send-activation-email`, {}),
      404,
      404,
    );
    expectError(
      await api(emu.baseUrl, admin, "POST", `/users/${USERS.bob}/send-activation-email`, {
        to: "x@y",
      }),
      400,
      400,
      /to: unknown field/,
    );
    expect(await emu.control.outbox()).toEqual([]);
  });

  it("a link dies when the account's address changed since the mail", async () => {
    expect(
      (await api(emu.baseUrl, admin, "POST", `/users/${USERS.bob}/send-activation-email`)).status,
    ).toBe(204);
    const mail = (await emu.control.outbox())[0] as OutboxMail;
    await api(emu.baseUrl, admin, "PUT", `/users/${USERS.bob}`, {
      contact: { email: "bob@moved.example" },
      version: 1,
    });
    expect((await emu.control.confirm(mail)).status).toBe(410);
    expect((await emu.control.getUser(USERS.bob)).activated).toBe(false);
  });
});

describe("DELETE /users/{id}", () => {
  it("deletes only a disabled account; then 404, or deleted_at with allow_deleted", async () => {
    const enabled = await api(emu.baseUrl, admin, "DELETE", `/users/${USERS.bob}?version=1`);
    expectError(enabled, 400, 1027, /enabled/);
    expect(
      (await api(emu.baseUrl, admin, "GET", `/users/${USERS.bob}`)).body.deleted_at,
    ).toBeNull();

    const put = await api(emu.baseUrl, admin, "PUT", `/users/${USERS.bob}`, {
      enabled: false,
      version: 1,
    });
    expect(put.body).toMatchObject({ enabled: false, version: 2 });
    expectError(
      await api(emu.baseUrl, admin, "DELETE", `/users/${USERS.bob}?version=1`),
      409,
      1001,
    );
    const gone = await api(emu.baseUrl, admin, "DELETE", `/users/${USERS.bob}?version=2`);
    expect(gone.status).toBe(204);
    expect(gone.body).toBeNull();
    expectError(await api(emu.baseUrl, admin, "GET", `/users/${USERS.bob}`), 404, 404);
    const kept = await api(emu.baseUrl, admin, "GET", `/users/${USERS.bob}?allow_deleted=true`);
    expect(kept.body).toMatchObject({ version: 3, enabled: false });
    expect(kept.body.deleted_at).toBe(kept.body.updated_at);
    expectError(await api(emu.baseUrl, admin, "DELETE", `/users/${USERS.bob}?version=3`), 404, 404);
  });

  it("refuses no token (401), no tenant_admin (403), outside (403), unknown (404), no version (400)", async () => {
    expectError(await anonymous("DELETE", `/users/${USERS.frank}?version=1`), 401, 401);
    expectError(
      await api(emu.baseUrl, viewer, "DELETE", `/users/${USERS.frank}?version=1`),
      403,
      1002,
      /tenant_admin/,
    );
    expectError(
      await api(emu.baseUrl, alphaAdmin, "DELETE", `/users/${USERS.frank}?version=1`),
      403,
      1002,
      /outside/,
    );
    expectError(await api(emu.baseUrl, admin, "DELETE", `/users/${MISSING}?version=1`), 404, 404);
    expectError(
      await api(emu.baseUrl, admin, "DELETE", `/users/${USERS.frank}`),
      400,
      400,
      /version: required/,
    );
    expectError(
      await api(emu.baseUrl, admin, "DELETE", `/users/${USERS.frank}?version=one`),
      400,
      400,
      /version/,
    );
    expect(
      (await api(emu.baseUrl, admin, "GET", `/users/${USERS.frank}`)).body.deleted_at,
    ).toBeNull();
  });
});
