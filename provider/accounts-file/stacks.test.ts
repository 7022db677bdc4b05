import { describe, expect, it } from "vitest";
import { problemsOf } from "../../test/support/accounts-problems";
import { parseAccountsYaml } from "./accounts";
import { selectStack, stacksOf } from "./stacks";

const id = (n: number) => `20000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const TENANT = "10000000-0000-4000-8000-000000000002";

/** A file of `[stack, n]` entries (stack undefined: no `stack:` key). */
function file(entries: readonly [string | undefined, number][]): string {
  const lines = ["accounts:"];
  for (const [stack, n] of entries) {
    lines.push(`  - id: ${id(n)}`, `    email: user${n}@example.com`);
    if (stack !== undefined) lines.push(`    stack: ${stack}`);
  }
  return lines.join("\n");
}

describe("a file split into stacks", () => {
  const split = parseAccountsYaml(
    file([
      ["eu2-a", 1],
      ["eu2-b", 2],
      ["eu2-a", 3],
      ["us5", 4],
    ]),
    "accounts.yaml",
  );

  it("gives each stack its own entries, and every entry to exactly one stack", () => {
    expect(stacksOf(split)).toEqual(["eu2-a", "eu2-b", "us5"]);
    const claimed = stacksOf(split).flatMap((stack) => {
      const selection = selectStack(split, stack);
      if (!selection.ok) throw new Error(selection.reason);
      return selection.entries.map((e) => (e.account.by === "id" ? e.account.id : ""));
    });
    expect(claimed.sort()).toEqual([id(1), id(2), id(3), id(4)]);
    const a = selectStack(split, "eu2-a");
    expect(a.ok && a.entries.map((e) => e.label)).toEqual([id(1), id(3)]);
  });

  it("refuses a stack no entry names, instead of declaring nothing (which would release all)", () => {
    expect(selectStack(split, "eu2-c")).toEqual({
      ok: false,
      reason:
        'no entry names stack "eu2-c" (the file\'s stacks: eu2-a, eu2-b, us5); select one of them ' +
        "(`pulumi stack select <name>`), or give entries `stack: eu2-c`",
    });
  });

  it("an unsplit file is the whole stack's, whatever the stack is called", () => {
    const whole = parseAccountsYaml(
      file([
        [undefined, 1],
        [undefined, 2],
      ]),
      "accounts.yaml",
    );
    const selection = selectStack(whole, "prod");
    expect(selection.ok && selection.entries).toHaveLength(2);
  });

  it("refuses one account claimed by two stacks, in every stack's preview", () => {
    expect(
      problemsOf(
        file([
          ["eu2-a", 1],
          ["eu2-b", 1],
        ]),
      ),
    ).toEqual([
      `accounts.yaml:5:9: entry ${id(1)}: id: duplicate account: already listed at line 2`,
    ]);
  });

  it("requires every entry to name its stack, and every account to be named by id", () => {
    const text = [
      "accounts:", // 1
      `  - id: ${id(1)}`, // 2
      "    email: a@example.com", // 3
      "    stack: eu2-a", // 4
      `  - id: ${id(2)}`, // 5
      "    email: b@example.com", // 6
      "  - login: bob", // 7
      `    tenant: ${TENANT}`, // 8
      "    email: b@example.com", // 9
      "    stack: eu2-b", // 10
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      `accounts.yaml:5:5: entry ${id(2)}: stack: is required: the file is split into stacks (eu2-a, eu2-b), so every account names the stack that manages it`,
      "accounts.yaml:7:5: entry bob: login: the file is split into stacks (eu2-a, eu2-b): name the account by id, so that no two stacks can claim one account (a login is resolved by the platform, out of sight of the other stacks)",
    ]);
  });

  it("reports a stack name Pulumi would not accept at the entry", () => {
    const problems = problemsOf(file([["eu2 a", 1]]));
    expect(problems).toEqual([
      `accounts.yaml:4:12: entry ${id(1)}: stack: expected a Pulumi stack name (letters, digits, "-", "_", "."), got "eu2 a"`,
    ]);
  });
});
