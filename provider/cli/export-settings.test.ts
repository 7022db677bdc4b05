import { describe, expect, it } from "vitest";
import type { ExportArgs } from "./args";
import { ExportSettingsError, exportSettings } from "./export-settings";

const ARGS: ExportArgs = {
  tenant: "10000000-0000-4000-8000-000000000002",
  output: "accounts.yaml",
  by: "id",
  force: false,
  merge: false,
};
const ENV = {
  ACRONIS_BASE_URL: "https://eu2-cloud.acronis.com/api/2",
  ACRONIS_CLIENT_ID: "client",
  ACRONIS_CLIENT_SECRET: "s3cr3t-value",
};

/** The export command's settings messages name its flags and variables, never `acronis:*`. */
describe("the export command's settings", () => {
  it.each<[string, Partial<ExportArgs>, NodeJS.ProcessEnv, string]>([
    [
      "a bad --base-url",
      { baseUrl: "http://example.com/api/2" },
      ENV,
      '--base-url: Invalid Acronis base URL "http://example.com/api/2": https is required',
    ],
    [
      "a bad ACRONIS_BASE_URL",
      {},
      { ...ENV, ACRONIS_BASE_URL: "ftp://x" },
      'ACRONIS_BASE_URL: Invalid Acronis base URL "ftp://x/": scheme ftp: is not supported',
    ],
    [
      "no URL at all",
      {},
      { ...ENV, ACRONIS_BASE_URL: "" },
      "the API URL is not set: pass --base-url or set ACRONIS_BASE_URL",
    ],
    [
      "no client id",
      {},
      { ...ENV, ACRONIS_CLIENT_ID: undefined },
      "the API client id is not set: pass --client-id or set ACRONIS_CLIENT_ID",
    ],
    [
      "no secret",
      {},
      { ...ENV, ACRONIS_CLIENT_SECRET: "" },
      "ACRONIS_CLIENT_SECRET is not set: export the API client's secret in the environment",
    ],
    [
      "a retry setting out of range",
      {},
      { ...ENV, ACRONIS_RETRY_MAX_ATTEMPTS: "99" },
      "ACRONIS_RETRY_MAX_ATTEMPTS: must be a whole number from 1 to 10",
    ],
    [
      "a bad switch",
      {},
      { ...ENV, ACRONIS_BATCH_READS: "yes" },
      'ACRONIS_BATCH_READS: must be "true" or "false"',
    ],
  ])("%s: names where it came from", (_, args, env, message) => {
    const run = () => exportSettings({ ...ARGS, ...args }, env);
    expect(run).toThrow(ExportSettingsError);
    expect(run).toThrow(message);
    expect(run).not.toThrow(/acronis:|pulumi config/);
    expect(run).not.toThrow(/s3cr3t-value/);
  });

  it("lists every problem on one line", () => {
    const run = () =>
      exportSettings(
        { ...ARGS, clientId: " " },
        { ACRONIS_BASE_URL: "nope", ACRONIS_MAX_CONCURRENT_REQUESTS: "0" },
      );
    expect(run).toThrow(
      [
        'ACRONIS_BASE_URL: Invalid Acronis base URL "nope": not an absolute URL; expected the form https://<datacenter host>/api/2, e.g. https://eu2-cloud.acronis.com/api/2',
        "the API client id is not set: pass --client-id or set ACRONIS_CLIENT_ID",
        "ACRONIS_CLIENT_SECRET is not set: export the API client's secret in the environment (it is never a command-line option)",
        "ACRONIS_MAX_CONCURRENT_REQUESTS: must be a whole number from 1 to 64",
      ].join("; "),
    );
  });

  it("takes a flag over the variable, as the provider takes stack config over it", () => {
    const settings = exportSettings(
      { ...ARGS, baseUrl: "https://us5-cloud.acronis.com/api/2", clientId: "flagged" },
      ENV,
    );
    expect(settings.baseUrl).toBe("https://us5-cloud.acronis.com/api/2");
    expect(settings.clientId).toBe("flagged");
    expect(settings.clientSecret).toBe("s3cr3t-value");
  });
});
