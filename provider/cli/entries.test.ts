import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseAccountsYaml } from "../accounts-file/accounts";
import type { AcronisUser } from "../api";
import {
  emptyCounts,
  type LeftOut,
  leftOutReason,
  leftOutSummary,
  renderEntry,
  renderHeader,
  scalar,
} from "./entries";

const TENANT = "10000000-0000-4000-8000-000000000002";

function user(over: Partial<AcronisUser> = {}): AcronisUser {
  return {
    id: "20000000-0000-4000-8000-000000000002",
    version: 1,
    tenantId: TENANT,
    login: "alice",
    email: "alice@alpha.example",
    activated: true,
    enabled: true,
    deletedAt: null,
    ...over,
  };
}

describe("which users become entries", () => {
  it.each<[string, Partial<AcronisUser>, LeftOut | undefined]>([
    ["an active account", {}, undefined],
    ["a disabled account (still managed)", { enabled: false }, undefined],
    ["a deleted account", { deletedAt: "2026-01-01T00:00:00Z" }, "deleted"],
    ["no address", { email: "" }, "noAddress"],
    ["an address the file would reject", { email: "not-an-address@" }, "badAddress"],
    ["a display-name form", { email: "Alice <a@b.example>" }, "badAddress"],
  ])("%s", (_, over, expected) => {
    expect(leftOutReason(user(over))).toBe(expected);
  });
});

describe("an entry", () => {
  it("by id: the id, the address, and a note with login and activation", () => {
    expect(renderEntry(user(), "id")).toBe(
      `  - id: 20000000-0000-4000-8000-000000000002 # alice, activated: a change mails a link\n    email: alice@alpha.example\n`,
    );
  });

  it("by login: login + the user's own tenant, with its connection", () => {
    expect(renderEntry(user({ activated: false, enabled: false }), "login", "us5")).toBe(
      [
        "  - login: alice # not activated: a change applies at once, disabled",
        `    tenant: ${TENANT}`,
        "    email: alice@alpha.example",
        "    connection: us5",
        "",
      ].join("\n"),
    );
  });

  it.each([
    ["a login YAML reads as a number", { login: "1234" }],
    ["a login YAML reads as a boolean", { login: "true" }],
    ["a login with a colon and a hash", { login: "a: b #c" }],
    ["an address starting with a YAML indicator", { email: "!x@alpha.example" }],
    ["a login with a newline (ends a comment)", { login: "evil\nemail: x@y.example" }],
  ])("loads back as it was: %s", (_, over) => {
    const u = user(over);
    for (const by of ["id", "login"] as const) {
      const text = `accounts:\n${renderEntry(u, by)}`;
      const [entry, ...rest] = parseAccountsYaml(text, "t.yaml");
      expect(rest).toEqual([]);
      expect(entry?.email).toBe(u.email);
      expect(entry?.account).toEqual(
        by === "id" ? { by, id: u.id } : { by, login: u.login.trim(), tenant: TENANT },
      );
    }
  });
});

describe("the header", () => {
  it("counts what was left out and why", () => {
    const counts = emptyCounts();
    counts.entries = 1200;
    counts.leftOut.deleted = 3;
    counts.leftOut.noAddress = 2;
    expect(leftOutSummary(counts)).toBe("3 deleted, 2 without an address");
    const head = renderHeader({ tenant: TENANT, by: "id", counts });
    expect(head).toContain(
      "# 1,200 accounts by id, in the platform's listing order. Left out: 3 deleted, 2 without an address.",
    );
    expect(head.endsWith("\naccounts:\n")).toBe(true);
  });

  it("writes an empty list that the program accepts, and the connection without a secret", () => {
    const head = renderHeader({
      tenant: TENANT,
      by: "login",
      counts: emptyCounts(),
      connection: { name: "us5", baseUrl: "https://us5-cloud.acronis.com/api/2", clientId: "c-1" },
    });
    expect(parseAccountsYaml(head, "t.yaml")).toEqual([]);
    expect(head).toContain(
      "  us5:\n    baseUrl: https://us5-cloud.acronis.com/api/2\n    clientId: c-1\n",
    );
    expect(head).not.toMatch(/clientSecret:/);
  });
});

describe("scalars", () => {
  it.each([
    "20000000-0000-4000-8000-000000000002",
    "alice@alpha.example",
    "a.b+c_d%e-f@x-y.example",
    "1e5",
    "0x1F",
    "true",
    "null",
    "~",
    "-",
    "a: b",
    "a #b",
    "'quoted'",
    "[x]",
    "*alias",
    "&anchor",
    "%tag",
    "@at",
    " padded ",
    "ünïcode@bücher.example",
  ])("%j reads back as the same string", (value) => {
    expect(parse(`v: ${scalar(value)}`)).toEqual({ v: value });
  });
});
