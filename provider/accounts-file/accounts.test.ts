import { describe, expect, it, vi } from "vitest";
import { problemsOf } from "../../test/support/accounts-problems";
import {
  AccountsFileError,
  type FindUsers,
  parseAccountsYaml,
  resolveAccounts,
  resourceName,
} from "./accounts";

const ALICE = "20000000-0000-4000-8000-000000000002";
const BOB = "20000000-0000-4000-8000-000000000003";
const TENANT = "10000000-0000-4000-8000-000000000002";

async function resolveProblems(text: string, findUsers: FindUsers): Promise<readonly string[]> {
  const entries = parseAccountsYaml(text, "accounts.yaml");
  try {
    await resolveAccounts(entries, findUsers);
  } catch (error) {
    expect(error).toBeInstanceOf(AccountsFileError);
    return (error as AccountsFileError).problems;
  }
  throw new Error("expected resolution to fail");
}

describe("parseAccountsYaml: valid files", () => {
  it("returns normalised entries in file order", () => {
    const entries = parseAccountsYaml(
      [
        "accounts:",
        `  - id: "${ALICE.toUpperCase()}"`,
        "    email: Alice@Example.COM",
        "  - login: bob",
        `    tenant: ${TENANT}`,
        "    email: bob@example.com",
        "    resendAfter: 1440m",
      ].join("\n"),
      "accounts.yaml",
    );
    expect(entries).toEqual([
      {
        account: { by: "id", id: ALICE },
        email: "Alice@example.com",
        label: ALICE.toUpperCase(),
        location: { file: "accounts.yaml", line: 2, col: 5 },
      },
      {
        account: { by: "login", login: "bob", tenant: TENANT },
        email: "bob@example.com",
        resendAfter: "24h",
        label: "bob",
        location: { file: "accounts.yaml", line: 4, col: 5 },
      },
    ]);
  });

  it("accepts an empty list", () => {
    expect(parseAccountsYaml("accounts: []\n", "a.yaml")).toEqual([]);
  });
});

describe("parseAccountsYaml: every problem at once, with line and column", () => {
  it("reports wrong types and missing fields of several entries together", () => {
    const problems = problemsOf(
      [
        "accounts:", // 1
        `  - id: ${ALICE}`, // 2
        "    email: 42", // 3
        "  - login: bob", // 4
        `    tenant: ${TENANT}`, // 5
        "    email: bob@example.com", // 6
        "    resendAfter: [1h]", // 7
        "  - email: nobody@example.com", // 8
        "  - login: carol", // 9
        "    email: carol@example.com", // 10
      ].join("\n"),
    );
    expect(problems).toEqual([
      `accounts.yaml:3:12: entry ${ALICE}: email: expected an email address, got number 42`,
      'accounts.yaml:7:18: entry bob: resendAfter: expected a duration such as "24h" or "1h30m", got a list',
      "accounts.yaml:8:5: entry #3: id: one of id or login (+ tenant) is required",
      "accounts.yaml:9:5: entry carol: tenant: is required with login (the UUID of the tenant to search)",
    ]);
  });

  it("reports a missing email at the entry", () => {
    expect(problemsOf(`accounts:\n  - id: ${ALICE}\n`)).toEqual([
      `accounts.yaml:2:5: entry ${ALICE}: email: is required (an email address)`,
    ]);
  });

  it("reports bad emails with the rule they break", () => {
    const problems = problemsOf(
      [
        "accounts:",
        `  - id: ${ALICE}`,
        "    email: Alice <alice@example.com>",
        `  - id: ${BOB}`,
        "    email: bob@localhost",
      ].join("\n"),
    );
    expect(problems).toEqual([
      `accounts.yaml:3:12: entry ${ALICE}: email: expected an email address: must be a bare address, not a display-name form (did you mean "alice@example.com"?)`,
      `accounts.yaml:5:12: entry ${BOB}: email: expected an email address: domain must have at least two labels (example.com)`,
    ]);
  });

  it("reports bad ids, tenants and durations", () => {
    const problems = problemsOf(
      [
        "accounts:",
        "  - id: not-a-uuid",
        "    email: a@example.com",
        "  - login: bob",
        "    tenant: alpha",
        "    email: b@example.com",
        "    resendAfter: 10s",
      ].join("\n"),
    );
    expect(problems).toEqual([
      'accounts.yaml:2:9: entry not-a-uuid: id: expected the account\'s UUID (8-4-4-4-12 hex digits), got "not-a-uuid"',
      'accounts.yaml:5:13: entry bob: tenant: expected the UUID of the tenant to search the login in, got "alpha"',
      'accounts.yaml:7:18: entry bob: resendAfter: "10s" is shorter than the minimum of 1m',
    ]);
  });

  it("reports unknown keys at the key, in entries and at the top", () => {
    const problems = problemsOf(
      [
        "acounts: []",
        "accounts:",
        `  - id: ${ALICE}`,
        "    email: a@example.com",
        "    emial: typo@example.com",
      ].join("\n"),
    );
    expect(problems).toEqual([
      "accounts.yaml:1:1: acounts: unknown key (expected accounts, connections)",
    ]);
    // Entries are checked once the file's shape is right.
    expect(
      problemsOf(
        [
          "accounts:",
          `  - id: ${ALICE}`,
          "    email: a@example.com",
          "    emial: typo@example.com",
        ].join("\n"),
      ),
    ).toEqual([
      `accounts.yaml:4:5: entry ${ALICE}: emial: unknown key (expected id, login, tenant, email, resendAfter, connection, stack)`,
    ]);
  });

  it("reports conflicting ways of naming the account", () => {
    const problems = problemsOf(
      [
        "accounts:",
        `  - id: ${ALICE}`,
        "    login: alice",
        "    email: a@example.com",
        `  - id: ${BOB}`,
        `    tenant: ${TENANT}`,
        "    email: b@example.com",
      ].join("\n"),
    );
    expect(problems).toEqual([
      `accounts.yaml:3:12: entry ${ALICE}: login: give either id or login, not both`,
      `accounts.yaml:6:13: entry ${BOB}: tenant: is only used with login; remove it, the id names the account already`,
    ]);
  });

  it("reports duplicate ids and duplicate logins in a tenant at the second entry", () => {
    const problems = problemsOf(
      [
        "accounts:", // 1
        `  - id: ${ALICE}`, // 2
        "    email: a@example.com", // 3
        "  - login: bob", // 4
        `    tenant: ${TENANT}`, // 5
        "    email: b@example.com", // 6
        `  - id: ${ALICE.toUpperCase()}`, // 7
        "    email: other@example.com", // 8
        "  - login: BOB", // 9
        `    tenant: ${TENANT}`, // 10
        "    email: b2@example.com", // 11
        "  - login: bob", // 12
        "    tenant: 10000000-0000-4000-8000-000000000003", // 13
        "    email: b3@example.com", // 14
      ].join("\n"),
    );
    expect(problems).toEqual([
      `accounts.yaml:7:9: entry ${ALICE.toUpperCase()}: id: duplicate account: already listed at line 2`,
      "accounts.yaml:9:12: entry BOB: login: duplicate account: already listed at line 4 for this tenant",
    ]);
  });

  it("still finds a duplicate when the first entry has another problem", () => {
    const problems = problemsOf(
      [
        "accounts:",
        `  - id: ${ALICE}`,
        "    email: nope",
        `  - id: ${ALICE}`,
        "    email: a@example.com",
      ].join("\n"),
    );
    expect(problems).toEqual([
      `accounts.yaml:3:12: entry ${ALICE}: email: expected an email address: must contain "@"`,
      `accounts.yaml:4:9: entry ${ALICE}: id: duplicate account: already listed at line 2`,
    ]);
  });

  it("reports YAML syntax errors with their position and without quoting the file", () => {
    const problems = problemsOf(
      ["accounts:", `  - id: ${ALICE}`, `    id: ${BOB}`, "    email: a@example.com"].join("\n"),
    );
    expect(problems).toEqual(["accounts.yaml:3:5: YAML: Map keys must be unique"]);
  });

  it("rejects a file without an accounts list", () => {
    expect(problemsOf("")).toEqual([
      "accounts.yaml:1:1: accounts: is required (a list of entries with id or login + tenant, and email)",
    ]);
    expect(problemsOf("accounts:\n  alice: a@example.com\n")).toEqual([
      "accounts.yaml:2:3: accounts: expected a list of entries, got a mapping",
    ]);
    expect(problemsOf("accounts:\n  - just-a-string\n")).toEqual([
      "accounts.yaml:2:5: entry #1: expected a mapping with id or login + tenant, and email; got a string",
    ]);
  });

  it("never puts more than the entry's own value in a message", () => {
    const problems = problemsOf(
      ["accounts:", `  - id: ${ALICE}`, "    email: secret@example"].join("\n"),
    );
    expect(problems.join("\n")).not.toMatch(/secret@example/);
  });
});

describe("resolveAccounts", () => {
  const file = [
    "accounts:", // 1
    `  - id: ${ALICE}`, // 2
    "    email: a@example.com", // 3
    "  - login: Bob", // 4
    `    tenant: ${TENANT}`, // 5
    "    email: b@example.com", // 6
  ].join("\n");

  it("resolves a login to the one user with exactly that login, case-insensitively", async () => {
    const findUsers = vi.fn<FindUsers>(async () => [
      { id: "20000000-0000-4000-8000-0000000000bb", login: "bobby" },
      { id: BOB, login: "bob" },
    ]);
    const resolved = await resolveAccounts(parseAccountsYaml(file, "accounts.yaml"), findUsers);
    expect(resolved.map((r) => [r.userId, r.email])).toEqual([
      [ALICE, "a@example.com"],
      [BOB, "b@example.com"],
    ]);
    expect(findUsers).toHaveBeenCalledTimes(1);
    expect(findUsers).toHaveBeenCalledWith(TENANT, "Bob", undefined);
  });

  it("makes no call when every entry has an id", async () => {
    const findUsers = vi.fn<FindUsers>();
    const entries = parseAccountsYaml(
      `accounts:\n  - id: ${ALICE}\n    email: a@example.com\n`,
      "a.yaml",
    );
    await resolveAccounts(entries, findUsers);
    expect(findUsers).not.toHaveBeenCalled();
  });

  it("reports a login matching no user, and one matching two, together", async () => {
    const text = [
      file,
      "  - login: carol", // 7
      `    tenant: ${TENANT}`,
      "    email: c@example.com",
    ].join("\n");
    const problems = await resolveProblems(text, async (_tenant, login) =>
      login === "carol"
        ? [
            { id: "20000000-0000-4000-8000-0000000000c1", login: "carol" },
            { id: "20000000-0000-4000-8000-0000000000c2", login: "Carol" },
          ]
        : [{ id: "20000000-0000-4000-8000-0000000000bb", login: "bobby" }],
    );
    expect(problems).toEqual([
      `accounts.yaml:4:5: entry Bob: login: no user with login "Bob" in tenant ${TENANT} or below; check the login and tenant, or name the account by id`,
      `accounts.yaml:7:5: entry carol: login: 2 users have login "carol" under tenant ${TENANT} (20000000-0000-4000-8000-0000000000c1, 20000000-0000-4000-8000-0000000000c2); name the account by id`,
    ]);
  });

  it("reports a failed search as that entry's problem", async () => {
    const problems = await resolveProblems(file, async () => {
      throw new Error("GET /search answered 403 (access denied)");
    });
    expect(problems).toEqual([
      `accounts.yaml:4:5: entry Bob: login: searching tenant ${TENANT} failed: GET /search answered 403 (access denied)`,
    ]);
  });

  it("reports a login that names an account already listed by id", async () => {
    const problems = await resolveProblems(file, async () => [{ id: ALICE, login: "bob" }]);
    expect(problems).toEqual([
      `accounts.yaml:4:5: entry Bob: login: duplicate account: ${ALICE} is already listed at line 2`,
    ]);
  });
});

describe("connections", () => {
  const US_TENANT = "40000000-0000-4000-8000-000000000002";
  const GRACE = "50000000-0000-4000-8000-000000000001";
  const CONNECTIONS = [
    "connections:", // 1
    "  us5:", // 2
    "    baseUrl: https://us5-cloud.acronis.com/api/2/", // 3
    "    clientId: 6e1a2f0c-de70-4c1e-b000-000000000002", // 4
    "    clientSecretEnv: ACRONIS_US5_CLIENT_SECRET", // 5
    "  eu8:", // 6
    "    baseUrl: https://eu8-cloud.acronis.com/api/2", // 7
    "    clientId: eu8-client", // 8
  ];

  it("an entry names its connection; without one it has none (the stack's own settings)", () => {
    const entries = parseAccountsYaml(
      [
        ...CONNECTIONS,
        "accounts:", // 9
        `  - id: ${GRACE}`, // 10
        "    email: grace@example.com",
        "    connection: us5", // 12
        `  - id: ${ALICE}`, // 13
        "    email: a@example.com",
      ].join("\n"),
      "accounts.yaml",
    );
    expect(entries.map((e) => e.connection)).toEqual([
      {
        name: "us5",
        baseUrl: "https://us5-cloud.acronis.com/api/2",
        clientId: "6e1a2f0c-de70-4c1e-b000-000000000002",
        clientSecretEnv: "ACRONIS_US5_CLIENT_SECRET",
        location: { file: "accounts.yaml", line: 3, col: 5 },
      },
      undefined,
    ]);
  });

  it("reports unknown connections, bad connections and a secret in the file, all at once", () => {
    const problems = problemsOf(
      [
        "connections:", // 1
        "  us5:", // 2
        "    baseUrl: http://us5-cloud.acronis.com/api/2", // 3
        "    clientId: 42", // 4
        "    clientSecret: do-not-commit-me", // 5
        "  eu.8:", // 6
        "    baseUrl: https://eu8-cloud.acronis.com/api/2", // 7
        "    clientId: x", // 8
        "  ok:", // 9
        "    baseUrl: https://eu8-cloud.acronis.com/api/2", // 10
        "    clientId: x", // 11
        "    clientSecretEnv: 1BAD", // 12
        "accounts:", // 13
        `  - id: ${GRACE}`, // 14
        "    email: grace@example.com", // 15
        "    connection: us5", // 16
        `  - id: ${ALICE}`, // 17
        "    email: a@example.com", // 18
        "    connection: us6", // 19
      ].join("\n"),
    );
    expect(problems).toEqual([
      'accounts.yaml:3:14: connection us5: baseUrl: Invalid Acronis base URL "http://us5-cloud.acronis.com/api/2": https is required (http is only allowed for 127.0.0.1, ::1 or localhost); expected the form https://<datacenter host>/api/2, e.g. https://eu2-cloud.acronis.com/api/2',
      "accounts.yaml:4:15: connection us5: clientId: expected the API client's id, a string, got number 42",
      "accounts.yaml:5:5: connection us5: clientSecret: not allowed in the file: set it with `pulumi config set --secret --path 'acronis:connections.us5.clientSecret' <secret>`, or name an environment variable with clientSecretEnv",
      'accounts.yaml:6:3: connection eu.8: the name must be letters, digits, "-" or "_" (at most 63), starting with a letter or digit',
      'accounts.yaml:12:22: connection ok: clientSecretEnv: expected the name of an environment variable, got "1BAD"',
      // us5 is reported where it is defined, not again at its entry.
      `accounts.yaml:19:17: entry ${ALICE}: connection: unknown connection "us6" (the file's connections: us5, eu.8, ok)`,
    ]);
    expect(problems.join("\n")).not.toContain("do-not-commit-me");
  });

  it("reports a connection named by an entry of a file that has none", () => {
    expect(
      problemsOf(
        ["accounts:", `  - id: ${ALICE}`, "    email: a@example.com", "    connection: us5"].join(
          "\n",
        ),
      ),
    ).toEqual([
      `accounts.yaml:4:17: entry ${ALICE}: connection: unknown connection "us5" (the file has no connections:)`,
    ]);
    expect(problemsOf("connections: [us5]\naccounts: []\n")).toEqual([
      "accounts.yaml:1:14: connections: expected a mapping of connection names to baseUrl and clientId, got a list",
    ]);
  });

  it("the same login in the same tenant under two connections is two accounts", () => {
    const entries = parseAccountsYaml(
      [
        ...CONNECTIONS,
        "accounts:",
        "  - login: bob",
        `    tenant: ${US_TENANT}`,
        "    email: b@example.com",
        "    connection: us5",
        "  - login: bob",
        `    tenant: ${US_TENANT}`,
        "    email: b@example.com",
        "    connection: eu8",
      ].join("\n"),
      "accounts.yaml",
    );
    expect(entries.map((e) => e.connection?.name)).toEqual(["us5", "eu8"]);
  });

  it("searches a login through its entry's connection, and names it when that fails", async () => {
    const entries = parseAccountsYaml(
      [
        ...CONNECTIONS,
        "accounts:",
        "  - login: grace", // 10
        `    tenant: ${US_TENANT}`,
        "    email: g@example.com",
        "    connection: us5",
        "  - login: Bob", // 14
        `    tenant: ${TENANT}`,
        "    email: b@example.com",
      ].join("\n"),
      "accounts.yaml",
    );
    const findUsers = vi.fn<FindUsers>(async (_tenant, login, connection) =>
      connection?.name === "us5" && login === "grace"
        ? [{ id: GRACE, login: "grace" }]
        : [{ id: BOB, login: "bob" }],
    );
    const resolved = await resolveAccounts(entries, findUsers);
    expect(resolved.map((r) => r.userId)).toEqual([GRACE, BOB]);
    expect(findUsers.mock.calls.map(([tenant, login, c]) => [tenant, login, c?.name])).toEqual([
      [US_TENANT, "grace", "us5"],
      [TENANT, "Bob", undefined],
    ]);

    await expect(
      resolveAccounts(entries, async (_tenant, _login, connection) => {
        if (connection) throw new Error("GET /search answered 404");
        return [{ id: BOB, login: "bob" }];
      }),
    ).rejects.toThrow(
      `accounts.yaml:10:5: entry grace: login: searching tenant ${US_TENANT} (connection us5) failed: GET /search answered 404`,
    );
  });
});

describe("resourceName", () => {
  it("depends only on the account id", () => {
    expect(resourceName(ALICE.toUpperCase())).toBe(`user-${ALICE}`);
    expect(resourceName(ALICE, "eu-")).toBe(`eu-${ALICE}`);
  });
});
