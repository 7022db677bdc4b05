import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { failures } from "../engine/engine";
import { USERS } from "./support/fixtures";
import { stackForStories } from "./support/stack";

/**
 * Every preview and every update starts a new provider process, and loading the provider's
 * libraries is most of that process's first call. The provider keeps V8's compiled code in Node's
 * compile cache, and writes it while the process runs: the engine ends hosts with a signal, so
 * a cache Node would write at exit is never written.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const stack = stackForStories({ name: "compile-cache" });

function scratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "acronis-compile-cache-"));
  dirs.push(dir);
  return dir;
}

/** Files under `dir`, recursively; none when it does not exist. */
function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

async function previewWith(env: NodeJS.ProcessEnv): Promise<void> {
  // No NODE_COMPILE_CACHE: the provider's own call must turn the cache on.
  stack.configure({ env: { NODE_COMPILE_CACHE: undefined, ...env } });
  const result = await stack.preview([
    stack.userEmail("fresh", { userId: USERS.fresh, email: "fresh@new.example.com" }),
  ]);
  expect(failures(result)).toEqual([]);
}

describe("the provider's compiled code outlives its process", () => {
  it("is in <tmpdir>/node-compile-cache once a host the engine stopped has served a preview", async () => {
    const tmp = scratch();
    await previewWith({ TMPDIR: tmp });
    expect(filesUnder(path.join(tmp, "node-compile-cache")).length).toBeGreaterThan(0);
  });

  it("is not kept when the user sets NODE_DISABLE_COMPILE_CACHE=1", async () => {
    const tmp = scratch();
    await previewWith({ TMPDIR: tmp, NODE_DISABLE_COMPILE_CACHE: "1" });
    expect(filesUnder(path.join(tmp, "node-compile-cache"))).toEqual([]);
  });
});
