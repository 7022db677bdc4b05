import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  configKey,
  entryOf,
  FILE_SETTING_NAMES,
  REQUIRED_SETTING_NAMES,
  SETTING_NAMES,
} from "./setting-catalogue";

/**
 * The README's table of settings, and docs/several-datacenters.md's table of AcronisProvider
 * arguments, say what the catalogue says.
 */

const README = "README.md";
const ARGUMENTS_PAGE = "docs/several-datacenters.md";

/** The cells of each row of the table whose header row is `header`; `\|` is a `|` in a cell. */
function tableRows(file: string, header: string): string[][] {
  const lines = readFileSync(path.join(__dirname, "..", "..", file), "utf8").split("\n");
  const start = lines.findIndex((line) => line.trim() === header);
  if (start < 0) throw new Error(`${file} has no table headed ${header}`);
  const rows: string[][] = [];
  // Skip the header and the --- row; the table ends at the first line that is not a row.
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line
      .slice(1, line.trimEnd().endsWith("|") ? line.trimEnd().length - 1 : undefined)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replaceAll("\\|", "|"));
    rows.push(cells);
  }
  return rows;
}

describe("the settings tables", () => {
  it("lists every setting with its stack config key, variable, default and description", () => {
    const rows = tableRows(README, "| Setting (env variable) | Default | What |");
    expect(rows).toEqual(
      SETTING_NAMES.map((name) => {
        const { env, kind, description } = entryOf(name);
        return [`\`${configKey(name)}\` (\`${env}\`)`, kind.defaultText, description];
      }),
    );
  });

  it("lists every AcronisProvider argument with its type and default", () => {
    const rows = tableRows(ARGUMENTS_PAGE, "| Argument | Type | Default |");
    expect(rows).toEqual(
      SETTING_NAMES.map((name) => {
        const { kind } = entryOf(name);
        return [`\`${name}\``, `\`${kind.argumentType}\``, kind.defaultText];
      }),
    );
  });
});

describe("the catalogue", () => {
  it("names each environment variable once", () => {
    const variables = SETTING_NAMES.map((name) => entryOf(name).env);
    expect(new Set(variables).size).toBe(variables.length);
    for (const variable of variables) expect(variable).toMatch(/^ACRONIS_[A-Z_]+$/);
  });

  it("requires the credentials, and only those have no default", () => {
    expect(REQUIRED_SETTING_NAMES).toEqual(["baseUrl", "clientId", "clientSecret"]);
    for (const name of SETTING_NAMES) {
      const { kind, required } = entryOf(name);
      expect(kind.defaultText === "required", name).toBe(required === true);
    }
  });

  it("lets an accounts file's connection give only what its kind can read from a file", () => {
    expect(FILE_SETTING_NAMES).toEqual(["baseUrl", "clientId"]);
    for (const name of FILE_SETTING_NAMES) expect(entryOf(name).kind.fromFile, name).toBeDefined();
  });
});
