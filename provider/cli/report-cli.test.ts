import * as path from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseReportLine } from "./report-args";
import { runCli } from "./run";

const TESTDATA = path.join(__dirname, "testdata");
const NOW = ["--now", "2026-12-08T09:00:00Z"];

async function run(argv: string[], stdin: Readable & { isTTY?: boolean } = Readable.from([""])) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["report", ...argv], {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env: {},
    cwd: TESTDATA,
    stdin,
  });
  return { code, stdout, stderr };
}

describe("report's command line", () => {
  it("reads the defaults", () => {
    expect(parseReportLine([])).toEqual({
      kind: "report",
      args: { format: "text", showEmails: false, failIfDrifted: false },
    });
    expect(parseReportLine(["-"])).toMatchObject({ kind: "report", args: { format: "text" } });
    expect(
      parseReportLine([
        "s.json",
        "--format",
        "json",
        "--show-emails",
        "--only",
        "drifted, synced",
        "--fail-if-pending-over",
        "14d",
        "--fail-if-drifted",
        ...NOW,
      ]),
    ).toEqual({
      kind: "report",
      args: {
        file: "s.json",
        format: "json",
        showEmails: true,
        only: ["drifted", "synced"],
        failIfPendingOverMs: 14 * 86_400_000,
        failIfDrifted: true,
        now: new Date("2026-12-08T09:00:00Z"),
      },
    });
  });

  it.each([
    [["--format", "html"], '--format: expected text, markdown or json, got "html"'],
    [["--only", "pending"], '--only: "pending" is not a status (pendingConfirmation, drifted'],
    [["--fail-if-pending-over", "2 weeks"], '--fail-if-pending-over: "2 weeks" is not a duration'],
    [
      ["--fail-if-pending-over", "30s"],
      '--fail-if-pending-over: "30s" is shorter than the minimum of 1m',
    ],
    [
      ["--now", "yesterday"],
      '--now: expected an ISO 8601 time such as 2026-12-08T09:00:00Z, got "yesterday"',
    ],
    [["a.json", "b.json"], 'unexpected argument "b.json"'],
    [["--show-email"], "unknown option --show-email; did you mean --show-emails?"],
    [["--formta", "json"], "unknown option --formta; did you mean --format?"],
    [["-o", "drifted"], "unknown option -o; did you mean --only?"],
    [["--verbose"], "unknown option --verbose (the options: --format, --show-emails, --only"],
  ])("refuses %j", async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`pulumi-acronis-user-email report: ${message}`);
    expect(result.stderr).toContain("Run `pulumi-acronis-user-email report --help`");
  });

  it("prints its help", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--fail-if-pending-over <duration>");
  });
});

describe("report's input and exit codes", () => {
  it("reads standard input when no file is named", async () => {
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(path.join(TESTDATA, "stack-export.json"), "utf8");
    // In pieces, as a pipe delivers it.
    const pieces = [text.slice(0, 1000), Buffer.from(text.slice(1000))];
    const result = await run(["--format", "json", ...NOW], Readable.from(pieces));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).counts.total).toBe(6);
  });

  it.each([
    [
      "a terminal on standard input",
      [],
      "no state to read: pipe it in (`pulumi stack export | pulumi-acronis-user-email report`) or name a file",
    ],
    ["a file that is not there", ["nope.json"], "nope.json does not exist"],
    ["a directory", ["."], ". is a directory, not a state file"],
    [
      "an empty stack",
      ["empty-stack.json"],
      "empty-stack.json holds an empty stack (no resources): nothing to report; is it the stack `pulumi up` ran on?",
    ],
  ])("%s: one line, exit 1, nothing on stdout", async (_, argv, message) => {
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    const result = await run(argv, tty);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`pulumi-acronis-user-email report: ${message}\n`);
  });

  it.each([
    [[], 0, ""],
    [["--fail-if-pending-over", "18d"], 0, ""],
    [
      ["--fail-if-pending-over", "17d"],
      3,
      "1 account pending confirmation for longer than 17d (the oldest: 5a0c7e21-4b3d-4f6a-9e1b-000000000005, 17d 21h)",
    ],
    [
      ["--fail-if-pending-over", "2d"],
      3,
      "2 accounts pending confirmation for longer than 2d (the oldest: 5a0c7e21-4b3d-4f6a-9e1b-000000000005, 17d 21h)",
    ],
    [["--fail-if-drifted"], 3, "1 account drifted (the platform holds another address)"],
    // The rows shown do not change what the conditions look at.
    [
      ["--only", "synced", "--fail-if-pending-over", "17d"],
      3,
      "1 account pending confirmation for longer than 17d",
    ],
  ])("%j exits %i", async (argv, code, reason) => {
    const result = await run(["stack-export.json", ...NOW, ...argv]);
    expect(result.code).toBe(code);
    expect(result.stdout).toContain("6 accounts: 3 pending confirmation, 1 drifted, 2 synced");
    if (reason === "") expect(result.stderr).toBe("");
    else expect(result.stderr).toContain(`pulumi-acronis-user-email report: ${reason}`);
  });

  it("prints no address without --show-emails, in any format", async () => {
    for (const format of ["text", "markdown", "json"]) {
      const result = await run(["stack-export.json", "--format", format, ...NOW]);
      expect(result.stdout).not.toMatch(/@/);
    }
    const shown = await run(["stack-export.json", "--format", "json", "--show-emails", ...NOW]);
    expect(shown.stdout).toContain('"liveEmail": "dave@elsewhere.example.org"');
  });
});
