import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { AccountsFileError, parseAccountsYaml } from "../accounts-file/accounts";
import type { AcronisUser } from "../api";
import { emptyCounts } from "./entries";
import { MergeTarget } from "./merge";

const ALPHA = "10000000-0000-4000-8000-000000000002";
const ALICE = "20000000-0000-4000-8000-000000000002";
const NEW = "20000000-0000-4000-8000-0000000000a1";

function user(id: string, login: string, email: string): AcronisUser {
  return {
    id,
    version: 1,
    tenantId: ALPHA,
    login,
    email,
    activated: false,
    enabled: true,
    deletedAt: null,
  };
}

const repoFile = readFileSync(path.join(__dirname, "..", "..", "accounts.yaml"), "utf8");

describe("merging into a file under management", () => {
  it("keeps the file as it was, appends only what it lacks, never rewrites an email", () => {
    const merge = new MergeTarget(repoFile, "accounts.yaml", "id");
    // alice is in the file by id with another address; bob by login: both stay as written.
    expect(merge.add(user(ALICE, "alice", "alice@platform.example"))).toBe(false);
    expect(merge.add(user("20000000-0000-4000-8000-000000000003", "BOB", "b@x.example"))).toBe(
      false,
    );
    expect(merge.add(user(NEW, "nora", "nora@alpha.example"))).toBe(true);
    const text = merge.finish(ALPHA, emptyCounts());
    // Every byte of the original, comments and blank lines included, comes first.
    expect(text.startsWith(repoFile)).toBe(true);
    expect(text.slice(repoFile.length)).toBe(
      [
        "",
        `  # Added by \`pulumi-acronis-user-email export\` from tenant ${ALPHA}: 1 account (2 already in the file; left out: none).`,
        `  - id: ${NEW} # nora, not activated: a change applies at once`,
        "    email: nora@alpha.example",
        "",
      ].join("\n"),
    );
    const entries = parseAccountsYaml(text, "accounts.yaml");
    expect(entries.find((e) => e.label === ALICE)?.email).toBe("alice.anders@alpha-corp.example");
    expect([merge.added, merge.alreadyThere]).toEqual([1, 2]);
  });

  it("keeps a file's unindented list style", () => {
    const file = `accounts:\n- id: ${ALICE} # mine\n  email: a@x.example\n`;
    const merge = new MergeTarget(file, "f.yaml", "login");
    merge.add(user(NEW, "nora", "nora@alpha.example"));
    const text = merge.finish(ALPHA, emptyCounts());
    expect(text.startsWith(file)).toBe(true);
    expect(text).toContain(`\n- login: nora # not activated`);
    expect(text).toContain(`\n  tenant: ${ALPHA}\n  email: nora@alpha.example\n`);
  });

  it("turns an empty flow list into a block list", () => {
    const merge = new MergeTarget("accounts: []\n", "f.yaml", "id");
    merge.add(user(NEW, "nora", "nora@alpha.example"));
    expect(parseAccountsYaml(merge.finish(ALPHA, emptyCounts()), "f.yaml")).toHaveLength(1);
  });

  it("adds the connection at the end, or refuses one that points elsewhere, at file:line:col", () => {
    const conn = { name: "us5", baseUrl: "https://us5-cloud.acronis.com/api/2", clientId: "c-1" };
    const merge = new MergeTarget(repoFile, "accounts.yaml", "id", conn);
    merge.add(user(NEW, "nora", "nora@alpha.example"));
    const text = merge.finish(ALPHA, emptyCounts());
    expect(text.startsWith(repoFile)).toBe(true);
    expect(
      text.endsWith(
        "\nconnections:\n  us5:\n    baseUrl: https://us5-cloud.acronis.com/api/2\n    clientId: c-1\n",
      ),
    ).toBe(true);
    const [added] = parseAccountsYaml(text, "a.yaml").filter((e) => e.connection);
    expect(added?.connection?.name).toBe("us5");

    const other = `connections:\n  us5:\n    baseUrl: https://eu2-cloud.acronis.com/api/2\n    clientId: c-1\naccounts: []\n`;
    expect(() => new MergeTarget(other, "o.yaml", "id", conn)).toThrow(
      "o.yaml:3:14: connection us5: baseUrl: is https://eu2-cloud.acronis.com/api/2, but the export reads https://us5-cloud.acronis.com/api/2",
    );
  });

  it("refuses a target that is not a valid accounts file, as the program reports it", () => {
    const bad = `accounts:\n  - id: ${ALICE}\n    emial: a@x.example\n`;
    let error: unknown;
    try {
      new MergeTarget(bad, "bad.yaml", "id");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AccountsFileError);
    expect((error as Error).message).toContain(
      `bad.yaml:3:5: entry ${ALICE}: emial: unknown key (expected id, login, tenant, email, resendAfter, connection, stack)`,
    );
  });
});
