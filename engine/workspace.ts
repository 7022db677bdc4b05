import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type { Goal } from "./model";
import { transcribe } from "./transcript";

/**
 * A user's program directory, made the way a user gets one: the package installed as a real copy
 * under node_modules (not a symlink: Pulumi would then copy the provider by value). The host
 * runs with this directory as cwd, so the serialized provider resolves from here.
 */

export const PACKAGE_NAME = "pulumi-acronis-user-email";
export const USER_EMAIL_TYPE = "pulumi-nodejs:dynamic/acronis:UserEmail";

/** The repository root, found from this file whether it runs as source or from dist/. */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === PACKAGE_NAME) {
      return dir;
    }
    if (path.dirname(dir) === dir)
      throw new Error(`no ${PACKAGE_NAME} package.json above ${start}`);
  }
}

export interface Workspace {
  dir: string;
  /** The `__provider` text Pulumi stores for every UserEmail. */
  providerText: string;
}

/**
 * Creates (or refreshes) `<REPO_ROOT>/.tmp/<name>` with the built package copied into its
 * node_modules, and serializes the provider exactly as dynamic.Resource does. Needs `npm run
 * build` first (npm test and npm start run it).
 */
export async function createWorkspace(name: string): Promise<Workspace> {
  const dir = path.join(REPO_ROOT, ".tmp", name);
  const built = path.join(REPO_ROOT, "dist", "provider", "index.js");
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
  const installed = path.join(dir, "node_modules", PACKAGE_NAME);
  rmSync(installed, { recursive: true, force: true });
  mkdirSync(path.join(installed, "dist"), { recursive: true });
  cpSync(path.join(REPO_ROOT, "package.json"), path.join(installed, "package.json"));
  cpSync(path.join(REPO_ROOT, "dist", "provider"), path.join(installed, "dist", "provider"), {
    recursive: true,
  });
  if (!existsSync(path.join(dir, "package.json"))) {
    writeFileSync(
      path.join(dir, "package.json"),
      `${JSON.stringify({ name, private: true, dependencies: { [PACKAGE_NAME]: "*" } }, null, 2)}\n`,
    );
  }
  const pkg = createRequire(path.join(dir, "package.json"))(PACKAGE_NAME);
  return { dir, providerText: await serializeProvider(pkg.userEmailProvider) };
}

/** What `new dynamic.Resource(provider, ...)` stores as `__provider`. */
export async function serializeProvider(provider: object): Promise<string> {
  const { runtime } = await import("@pulumi/pulumi");
  const serialized = await runtime.serializeFunction(() => provider, { allowSecrets: true });
  transcribe("provider", serialized.text);
  return serialized.text;
}

/** The goal a `new UserEmail(name, inputs)` registers with the engine. */
export function userEmailGoal(
  workspace: Pick<Workspace, "providerText">,
  name: string,
  inputs: { userId: string; email: string; resendAfter?: string },
): Goal {
  return { name, type: USER_EMAIL_TYPE, inputs: { ...inputs, __provider: workspace.providerText } };
}
