import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";

/**
 * The suite-wide secret guard, run after every other test file (vitest.config.mts). Each worker
 * appended what users would see or Pulumi would store (host output, step errors and outputs,
 * state, the serialized provider) and the secrets and tokens it handed out. Any secret or token
 * found anywhere else fails the run.
 */

it("no client secret or issued token appears in any output, state, log line or error", () => {
  const dir = process.env.ACRONIS_TEST_TRANSCRIPT_DIR as string;
  const secrets = new Set<string>();
  const lines: { where: string; text: string }[] = [];
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(path.join(dir, file), "utf8").split("\n")) {
      const tab = line.indexOf("\t");
      if (tab < 0) continue;
      const kind = line.slice(0, tab);
      const text = line.slice(tab + 1);
      if (kind === "token" || kind === "secret") secrets.add(text);
      else lines.push({ where: `${kind} line of worker ${file}`, text });
    }
  }
  // An empty transcript would prove nothing.
  expect(secrets.size).toBeGreaterThan(0);
  expect(lines.length).toBeGreaterThan(0);
  const leaks = new Set<string>();
  for (const { where, text } of lines) {
    for (const secret of secrets) if (secret.length >= 8 && text.includes(secret)) leaks.add(where);
  }
  // Name where, never what: the report must not leak either.
  expect([...leaks]).toEqual([]);
});

it("email addresses appear in the provider's output only in an account's own message", () => {
  const dir = process.env.ACRONIS_TEST_TRANSCRIPT_DIR as string;
  const address = /[^\s"'<>()@]+@[a-z0-9.-]+\.[a-z]{2,}/gi;
  const offending = new Set<string>();
  let ownMessages = 0;
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(path.join(dir, file), "utf8").split("\n")) {
      if (!line.startsWith("output\t")) continue;
      const text = line.slice("output\t".length);
      const found = new Set(text.match(address) ?? []);
      if (found.size === 0) continue;
      // The one shape allowed: "acronis: account <id>: ... <that account's requested address> ..."
      if (/^acronis: account [0-9a-f-]{36}: /.test(text) && found.size === 1) ownMessages++;
      else offending.add(text.replace(address, "<address>"));
    }
  }
  expect([...offending]).toEqual([]);
  expect(ownMessages).toBeGreaterThan(0);
});
