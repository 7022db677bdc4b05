import { describe, expect, it } from "vitest";
import { SettingsError } from "../settings/settings";
import { AccountsFileError, parseAccountsYaml } from "./accounts";
import { connectionSettings } from "./accounts-stack";

const GRACE = "50000000-0000-4000-8000-000000000001";
const ALICE = "20000000-0000-4000-8000-000000000002";
const SECRET = "s3cr3t-Unit-Connection-Secret-7";

const FILE = [
  "connections:", // 1
  "  us5:", // 2
  "    baseUrl: https://us5-cloud.acronis.com/api/2", // 3
  "    clientId: us5-client", // 4
  "    clientSecretEnv: US5_SECRET", // 5
  "  eu8:", // 6
  "    baseUrl: https://eu8-cloud.acronis.com/api/2", // 7
  "    clientId: eu8-client", // 8
  "  unused:", // 9
  "    baseUrl: https://eu9-cloud.acronis.com/api/2", // 10
  "    clientId: eu9-client", // 11
  "accounts:",
  `  - id: ${GRACE}`,
  "    email: grace@example.com",
  "    connection: us5",
  `  - id: ${ALICE}`,
  "    email: alice@example.com",
  "    connection: eu8",
].join("\n");

const entries = parseAccountsYaml(FILE, "accounts.yaml");
const lookup = (config: Record<string, string>) => (key: string) => config[key];

describe("connectionSettings", () => {
  it("takes the secret from acronis:connections, else the variable the file names; the stack's other settings are inherited", () => {
    const settings = connectionSettings(entries, {
      config: lookup({
        "acronis:connections": JSON.stringify({ eu8: { clientSecret: SECRET } }),
        "acronis:allowedEmailDomains": "example.com",
        // The stack's own credentials never reach a connection.
        "acronis:clientSecret": "the-default-providers-secret",
      }),
      env: { US5_SECRET: "from-env", ACRONIS_MAX_CONCURRENT_REQUESTS: "3" },
    });
    expect(Object.fromEntries(settings)).toEqual({
      us5: {
        baseUrl: "https://us5-cloud.acronis.com/api/2",
        clientId: "us5-client",
        clientSecret: "from-env",
        allowedEmailDomains: ["example.com"],
        maxConcurrentRequests: 3,
      },
      eu8: {
        baseUrl: "https://eu8-cloud.acronis.com/api/2",
        clientId: "eu8-client",
        clientSecret: SECRET,
        allowedEmailDomains: ["example.com"],
        maxConcurrentRequests: 3,
      },
    });
  });

  it("prefers stack config to the variable", () => {
    const settings = connectionSettings(entries, {
      config: lookup({
        "acronis:connections": JSON.stringify({
          us5: { clientSecret: "from-config" },
          eu8: { clientSecret: SECRET },
        }),
      }),
      env: { US5_SECRET: "from-env" },
    });
    expect(settings.get("us5")?.clientSecret).toBe("from-config");
  });

  it("reports every used connection without a secret at its place in the file, and ignores unused ones", () => {
    let error: unknown;
    try {
      connectionSettings(entries, {
        config: lookup({ "acronis:clientSecret": SECRET }),
        env: { ACRONIS_CLIENT_SECRET: SECRET, US5_SECRET: "" },
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AccountsFileError);
    expect((error as AccountsFileError).problems).toEqual([
      "accounts.yaml:3:5: connection us5: clientSecret is not set: set it with `pulumi config set --secret --path 'acronis:connections.us5.clientSecret' <secret>` or the environment variable US5_SECRET",
      "accounts.yaml:7:5: connection eu8: clientSecret is not set: set it with `pulumi config set --secret --path 'acronis:connections.eu8.clientSecret' <secret>`, or name an environment variable that holds it with clientSecretEnv",
    ]);
  });

  it("rejects a malformed acronis:connections without echoing it", () => {
    for (const raw of [JSON.stringify({ us5: SECRET }), `{"us5": "${SECRET}"`]) {
      let error: unknown;
      try {
        connectionSettings(entries, { config: lookup({ "acronis:connections": raw }), env: {} });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(SettingsError);
      expect((error as Error).message).toMatch(/^acronis:connections: expected a mapping/);
      expect((error as Error).message).not.toContain(SECRET);
    }
  });

  it("needs nothing when no entry names a connection", () => {
    const plain = parseAccountsYaml(
      `accounts:\n  - id: ${ALICE}\n    email: a@example.com\n`,
      "a.yaml",
    );
    expect(connectionSettings(plain, { config: () => undefined, env: {} }).size).toBe(0);
  });
});
