import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { GUARD_RAN_MARKER } from "./global-setup";

/**
 * The suite-wide secret guard, run after every other test file (vitest.config.mts). Each worker
 * appended what users would see or Pulumi would store (host output, step errors and outputs,
 * state, the serialized provider) and the secrets and tokens it handed out (client secrets, their
 * Basic-auth form, issued tokens). Any of them found anywhere else fails the run.
 */

// test/global-setup.ts says so, loudly, when a run wrote a transcript this check never read (a
// run of a few files that leaves this one out).
beforeAll(() => {
  writeFileSync(path.join(process.env.ACRONIS_TEST_TRANSCRIPT_DIR as string, GUARD_RAN_MARKER), "");
});

interface Line {
  /** The worker's transcript file. */
  file: string;
  kind: string;
  text: string;
}

function transcript(): Line[] {
  const dir = process.env.ACRONIS_TEST_TRANSCRIPT_DIR as string;
  const lines: Line[] = [];
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(path.join(dir, file), "utf8").split("\n")) {
      const tab = line.indexOf("\t");
      if (tab >= 0) lines.push({ file, kind: line.slice(0, tab), text: line.slice(tab + 1) });
    }
  }
  return lines;
}

interface StepLine {
  error?: string;
  outputs?: { userId?: unknown; email?: unknown; pendingEmail?: unknown };
}

it("no client secret, Basic-auth form or issued token appears in any output, state, log line or error", () => {
  const lines = transcript();
  const secrets = new Set(
    lines.filter((l) => l.kind === "token" || l.kind === "secret").map((l) => l.text),
  );
  const shown = lines.filter((l) => l.kind !== "token" && l.kind !== "secret");
  // An empty transcript would prove nothing; nor would one without a Basic-auth form.
  expect(secrets.size).toBeGreaterThan(0);
  expect(shown.length).toBeGreaterThan(0);
  expect([...secrets].some((s) => /^[A-Za-z0-9+/]{40,}={0,2}$/.test(s))).toBe(true);
  const leaks = new Set<string>();
  for (const { file, kind, text } of shown) {
    for (const secret of secrets) {
      if (secret.length >= 8 && text.includes(secret)) leaks.add(`${kind} line of worker ${file}`);
    }
  }
  // Name where, never what: the report must not leak either.
  expect([...leaks]).toEqual([]);
});

it("an email address appears in messages only in an account's own message, as that account's requested address", () => {
  const address = /[^\s"'<>()@\\]+@[a-z0-9.-]+\.[a-z]{2,}/gi;
  const lines = transcript();
  // What each worker's stacks asked for, account by account: from the steps' outputs.
  const requested = new Map<string, Set<string>>();
  const errors: Line[] = [];
  for (const line of lines) {
    if (line.kind !== "step") continue;
    const step = JSON.parse(line.text) as StepLine;
    // An error may echo the bare address inside the display-name input the user gave it (the
    // hint `did you mean "<address>"?`): that is the resource's own input, shown back to its author.
    if (typeof step.error === "string") {
      errors.push({ ...line, text: step.error.replace(/did you mean \\?"[^"\\]*\\?"/g, "") });
    }
    const { userId, email, pendingEmail } = step.outputs ?? {};
    for (const asked of [email, pendingEmail]) {
      if (typeof userId !== "string" || typeof asked !== "string") continue;
      const key = `${line.file} ${userId}`;
      requested.set(key, (requested.get(key) ?? new Set()).add(asked));
    }
  }
  const offending = new Set<string>();
  let ownMessages = 0;
  for (const { file, kind, text } of [...lines.filter((l) => l.kind === "output"), ...errors]) {
    const found = [...new Set(text.match(address) ?? [])];
    if (found.length === 0) continue;
    // The one shape allowed: "acronis: account <id>: ... <that account's requested address> ...".
    const own = /^acronis: account ([0-9a-f-]{36}): /.exec(text);
    const asked = own ? requested.get(`${file} ${own[1]}`) : undefined;
    if (kind === "output" && found.length === 1 && asked?.has(found[0] as string)) ownMessages++;
    else offending.add(`${kind}: ${text.replace(address, "<address>")}`);
  }
  expect([...offending]).toEqual([]);
  // Not vacuous: the pattern finds an address where there is one, and a run whose accounts
  // printed their own address (the whole suite's does; a run of a few files may not) saw those.
  expect("acronis: account x: link sent to a.b@c-d.example.com".match(address)).toEqual([
    "a.b@c-d.example.com",
  ]);
  const ownShaped = lines.filter(
    (l) => l.kind === "output" && /^acronis: account [0-9a-f-]{36}: .*@/.test(l.text),
  );
  if (ownShaped.length > 0) expect(ownMessages).toBeGreaterThan(0);
});
