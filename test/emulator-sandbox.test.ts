import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from "../emulator";
import { docBlocks } from "./support/doc-blocks";
import { pastedExports, startEmulatorCli } from "./support/emulator-cli";
import { emulatorForStories } from "./support/stack";

/**
 * emulator/README.md's curl session, run as written against an emulator (its first line, the
 * emulator's address, pointed at this one), twice in a row: it starts with a reset, so the second
 * run sees what the first did. Its output must be the one the README shows, but for what differs
 * from run to run (ids, link tokens, times, the port).
 */

const emulator = emulatorForStories({});
const FILE = "emulator/README.md";

function marked(kind: "tested" | "output of") {
  const found = docBlocks(FILE).filter(
    (b) => b.marker?.kind === kind && b.marker.name === "curl-session",
  );
  expect(found).toHaveLength(1);
  return found[0]?.text as string;
}

/** What differs from run to run, replaced by what it is. */
function normalized(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/\/_emulator\/(activate|confirm)\/[A-Za-z0-9_-]+/g, "/_emulator/$1/<token>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, "<time>")
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>");
}

describe("the emulator README's curl session", () => {
  it("runs as written, twice, and prints what the README shows", async () => {
    const session = marked("tested");
    const [first] = session.split("\n");
    expect(first).toMatch(/^E=http:\/\/127\.0\.0\.1:8080 /);
    expect(session).toMatch(/\necho '# 0\. [^\n]*'\ncurl [^\n]*-X POST \$E\/_emulator\/reset\n/);
    const origin = new URL(emulator.baseUrl).origin;
    const script = session.replace(/^E=\S+/, `E=${origin}`);
    const shown = normalized(marked("output of"));
    for (const run of [1, 2]) {
      // Not execFileSync: the emulator answers from this process's event loop.
      const { stdout: out } = await promisify(execFile)("bash", ["-c", script]);
      expect(normalized(out), `run ${run}`).toBe(shown);
    }
  });
});

describe("npm run emulator", () => {
  /** The three variables after pasting the banner's block into a shell. */
  async function pasted(banner: string): Promise<string[]> {
    const script = `${pastedExports(banner)}node -p 'JSON.stringify([process.env.ACRONIS_BASE_URL, process.env.ACRONIS_CLIENT_ID, process.env.ACRONIS_CLIENT_SECRET])'`;
    const { stdout } = await promisify(execFile)("bash", ["-c", script], {
      env: { PATH: process.env.PATH },
    });
    return JSON.parse(stdout);
  }

  it.each([
    ["one datacenter", ["--port", "0"]],
    ["--datacenters: eu2's client", ["--datacenters", "--port", "0"]],
  ])(
    "%s: ends with a block that sets the sandbox client, said to be the emulator's",
    async (_, args) => {
      const emulatorCli = await startEmulatorCli(args);
      try {
        const banner = emulatorCli.banner;
        const baseUrl = /base_url (\S+)/.exec(banner)?.[1];
        expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/2$/);
        expect(await pasted(banner)).toEqual([baseUrl, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET]);
        expect(banner).toMatch(
          /^# The emulator's sandbox API client \(a public test secret, valid only here\)/m,
        );
      } finally {
        emulatorCli.stop();
      }
    },
  );
});
