import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The imports that must never exist (see docs/development.md, "Layout"): the decision core stays
 * pure, the API client knows nothing of Pulumi, and the emulator and the provider never import
 * each other.
 */

const ROOT = path.resolve(__dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => path.join(dir, f));
}

function imports(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+"([^"]+)"/gms)].map(
    (m) => m[1] as string,
  );
}

describe("layout", () => {
  it.each(sources("provider/decision"))("%s is pure: its own part, zod and URL parsing", (file) => {
    // No I/O, no Pulumi, no client: the decision core is a function of its arguments.
    const outside = imports(file).filter((i) => !i.startsWith("./") && i !== "zod");
    expect(outside).toEqual(file.endsWith("/email.ts") ? ["node:url"] : []);
  });

  it.each(sources("provider/api"))("%s does not import Pulumi", (file) => {
    expect(imports(file).filter((i) => i.includes("pulumi"))).toEqual([]);
  });

  it.each(sources("emulator"))("%s does not import the provider", (file) => {
    expect(imports(file).filter((i) => i.includes("provider"))).toEqual([]);
  });

  it.each(sources("provider"))("%s does not import the emulator or the tests", (file) => {
    expect(imports(file).filter((i) => /emulator|test\//.test(i))).toEqual([]);
  });

  it.each([...sources("engine"), ...sources("scripts")])("%s does not import the tests", (file) => {
    expect(imports(file).filter((i) => /(^|\/)test\//.test(i))).toEqual([]);
  });

  it.each(sources("engine"))("%s reaches the provider only as a program does", (file) => {
    // The local engine is a product part: it loads the package by name, like a user's program.
    expect(imports(file).filter((i) => /(^|\/)provider(\/|$)/.test(i))).toEqual([]);
  });

  it.each(sources("engine"))("%s does not import the emulator", (file) => {
    // The engine runs any stack; what it knows of the emulator's demo client, the caller brings.
    expect(imports(file).filter((i) => /(^|\/)emulator(\/|$)/.test(i))).toEqual([]);
  });

  it("the serialized entry imports types only: its steps are loaded when they run", () => {
    // A value import would make Pulumi copy the imported module into every resource's state.
    const text = readFileSync(path.join(ROOT, "provider/entry.ts"), "utf8");
    const importLines = text.split("\n").filter((l) => /^import /.test(l));
    expect(importLines.length).toBeGreaterThan(0);
    for (const line of importLines) expect(line).toMatch(/^import type /);
  });
});

function allTypeScript(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.m?ts$/.test(f))
    .map((f) => path.join(dir, f));
}

const PARTS = ["provider", "emulator", "engine", "scripts", "test"];

describe("one job per file", () => {
  it.each(PARTS.flatMap(allTypeScript))("%s is named in kebab-case", (file) => {
    // One convention across the repository: `read-ahead.ts`, `read-ahead.test.ts`.
    expect(path.basename(file)).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z]+)*\.m?ts$/);
  });

  it.each(PARTS.filter((p) => p !== "test").flatMap(sources))(
    "%s stays within 300 lines",
    (file) => {
      // A longer file is a sign it does several jobs: split it where a newcomer would look.
      const lines = readFileSync(path.join(ROOT, file), "utf8").split("\n").length;
      expect(lines).toBeLessThanOrEqual(300);
    },
  );
});
