import { describe, expect, it } from "vitest";
import { HELP, parseCommandLine } from "./args";

const T = "10000000-0000-4000-8000-000000000002";

describe("the command line", () => {
  it("has defaults: by id, to accounts.yaml, no overwrite", () => {
    expect(parseCommandLine(["export", "--tenant", T.toUpperCase()])).toEqual({
      kind: "export",
      args: { tenant: T, output: "accounts.yaml", by: "id", force: false, merge: false },
    });
  });

  it("takes every option", () => {
    const parsed = parseCommandLine([
      "export",
      "--tenant",
      T,
      "-o",
      "us5.yaml",
      "--by",
      "login",
      "--merge",
      "--connection",
      "us5",
      "--base-url",
      "https://us5-cloud.acronis.com/api/2",
      "--client-id",
      "abc",
    ]);
    expect(parsed).toEqual({
      kind: "export",
      args: {
        tenant: T,
        output: "us5.yaml",
        by: "login",
        force: false,
        merge: true,
        connection: "us5",
        baseUrl: "https://us5-cloud.acronis.com/api/2",
        clientId: "abc",
      },
    });
  });

  it.each([
    [[], "a command is required: export"],
    [["import"], 'unknown command "import" (expected: export or report)'],
    [["export"], "--tenant is required (a tenant UUID)"],
    [
      ["export", "--tenant", "acme"],
      '--tenant: expected a tenant UUID (8-4-4-4-12 hex digits), got "acme"',
    ],
    [["export", "--tenant", T, "--by", "email"], '--by: expected id or login, got "email"'],
    [["export", "--tenant", T, "--merge", "--force"], "--merge and --force exclude each other"],
    [
      ["export", "--tenant", T, "--connection", "us 5"],
      '--connection: "us 5" is not a connection name',
    ],
    [["export", "--tenant", T, "extra"], 'unexpected argument "extra"'],
  ])("refuses %j: %s", (argv, message) => {
    const parsed = parseCommandLine(argv);
    expect(parsed.kind).toBe("error");
    expect(parsed.kind === "error" && parsed.message).toContain(message);
  });

  it("refuses the secret as a flag, without echoing it", () => {
    const parsed = parseCommandLine(["export", "--tenant", T, "--client-secret", "s3cr3t-value"]);
    expect(parsed.kind).toBe("error");
    const message = parsed.kind === "error" ? parsed.message : "";
    expect(message).toContain("--client-secret is not an option");
    expect(message).toContain("ACRONIS_CLIENT_SECRET");
    expect(message).not.toContain("s3cr3t-value");
  });

  it("--help lists every option, with examples", () => {
    expect(parseCommandLine(["--help"])).toEqual({ kind: "help" });
    expect(parseCommandLine(["export", "-h"])).toEqual({ kind: "help" });
    for (const option of [
      "--tenant",
      "--output",
      "--by",
      "--merge",
      "--force",
      "--connection",
      "--base-url",
      "--client-id",
      "--help",
      "--version",
      "ACRONIS_CLIENT_SECRET",
    ]) {
      expect(HELP).toContain(option);
    }
    expect(HELP).toMatch(
      /Examples:\n[\s\S]*\n {2}pulumi-acronis-user-email export --tenant \S+ -o accounts.yaml\n/,
    );
  });
});

describe("an option the command does not have", () => {
  it.each([
    [["export", "--tenent", T], "unknown option --tenent; did you mean --tenant?"],
    [
      ["export", "--tenant", T, "--ouptut", "a.yaml"],
      "unknown option --ouptut; did you mean --output?",
    ],
    [["export", "--tenant", T, "--merg"], "unknown option --merg; did you mean --merge?"],
    [
      ["export", "--tenant", T, "--base-uri=x"],
      "unknown option --base-uri; did you mean --base-url?",
    ],
    [
      ["export", "--tenant", T, "--clientid", "x"],
      "unknown option --clientid; did you mean --client-id?",
    ],
    [["export", "--tenant", T, "--Force"], "unknown option --Force; did you mean --force?"],
    [["export", "--tenant", T, "-x"], "unknown option -x\n"],
    [["export", "-t", T], "unknown option -t; did you mean --tenant?"],
    [["export", "-tenant", T], "unknown option -tenant; did you mean --tenant?"],
    [["export", "--tenant", T, "-c", "us5"], "unknown option -c\n"],
    [
      ["export", "--tenant", T, "--colour"],
      "unknown option --colour (the options: --tenant, --output, --by, --merge, --force, --connection, --base-url, --client-id, --help, --version)",
    ],
  ])("%j: %s", (argv, message) => {
    const parsed = parseCommandLine(argv);
    expect(parsed).toEqual({
      kind: "error",
      message: expect.stringContaining(message.endsWith("\n") ? message : `${message}\n`),
    });
    expect(parsed.kind === "error" && parsed.message).not.toContain("positional argument");
  });

  it("leaves what follows -- alone, and the options it has", () => {
    expect(parseCommandLine(["export", "--tenant", T, "-f", "-o", "x.yaml"]).kind).toBe("export");
    expect(parseCommandLine(["export", "--tenant", T, "--", "--tenent"])).toEqual({
      kind: "error",
      message: expect.stringContaining('unexpected argument "--tenent"'),
    });
  });
});
