import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse as parseYaml } from "yaml";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from "../emulator";
import type { Goal } from "./engine";
import { createWorkspace, type Workspace } from "./workspace";

/**
 * Runs a Pulumi program the way `pulumi up` would run it, minus the engine: in its own process,
 * from its own directory, with the SDK's mocks recording each resource it declares.
 */

const run = promisify(execFile);

export interface ProgramOptions {
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys?: string[];
  env?: NodeJS.ProcessEnv;
}

export class ProgramError extends Error {
  override name = "ProgramError";
}

/** The goals (name, type, inputs with `__provider`) the program at `dir` registers. */
export async function evaluateProgram(dir: string, options: ProgramOptions): Promise<Goal[]> {
  const runner = path.join(__dirname, "program-runner.js");
  try {
    const { stdout } = await run(process.execPath, [runnerPath(runner), dir], {
      cwd: dir,
      maxBuffer: 512 * 1024 * 1024,
      env: {
        ...process.env,
        ...options.env,
        PULUMI_PROGRAM_CONFIG: JSON.stringify(options.config),
        PULUMI_PROGRAM_SECRETS: JSON.stringify(options.secretKeys ?? []),
        PULUMI_NODEJS_PROJECT: options.project,
        PULUMI_NODEJS_STACK: options.stack,
      },
    });
    const lastLine = stdout.trimEnd().split("\n").pop() ?? "[]";
    return JSON.parse(lastLine) as Goal[];
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new ProgramError(stderr || (error as Error).message);
  }
}

/** When this module runs from TypeScript source (vitest), use the compiled runner in dist/. */
function runnerPath(candidate: string): string {
  if (candidate.includes(`${path.sep}dist${path.sep}`)) return candidate;
  const root = path.resolve(__dirname, "..");
  return path.join(root, "dist", "engine", "program-runner.js");
}

/**
 * Copies the named files of a program into a workspace (the repository root holds much more than
 * its program) and compiles its TypeScript to CommonJS, as ts-node does when Pulumi runs it.
 */
export async function installProgram(
  sourceDir: string,
  files: readonly string[],
  workspaceDir: string,
): Promise<void> {
  const ts = await import("typescript");
  mkdirSync(workspaceDir, { recursive: true });
  for (const file of files) {
    const from = path.join(sourceDir, file);
    if (file.endsWith(".ts")) {
      const { outputText } = ts.transpileModule(readFileSync(from, "utf8"), {
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
        },
        fileName: file,
      });
      writeFileSync(path.join(workspaceDir, file.replace(/\.ts$/, ".js")), outputText);
    } else {
      cpSync(from, path.join(workspaceDir, file));
    }
  }
}

export interface ProjectFile {
  name: string;
  /** Config the CLI derives from Pulumi.yaml: project defaults and fixed provider values. */
  config: Record<string, string>;
}

/**
 * Reads Pulumi.yaml as the CLI does for config: a project key's `default` becomes
 * `<project>:<key>`, a namespaced key's `value` is used as is. Keys of another namespace may not
 * declare a type or a default (the CLI rejects the file), so that is checked too.
 */
export function readProjectFile(file: string): ProjectFile {
  const project = parseYaml(readFileSync(file, "utf8")) as {
    name?: unknown;
    config?: Record<string, unknown>;
  };
  if (typeof project.name !== "string") throw new Error(`${file}: name is required`);
  const config: Record<string, string> = {};
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    const d = (decl ?? {}) as { type?: unknown; default?: unknown; value?: unknown };
    const colon = key.indexOf(":");
    const namespaced = colon >= 0 && key.slice(0, colon) !== project.name;
    if (namespaced) {
      if (d.type !== undefined || d.default !== undefined) {
        throw new Error(`${file}: ${key} is not the project's key: only \`value\` is allowed`);
      }
      if (d.value !== undefined) config[key] = String(d.value);
    } else if (d.default !== undefined) {
      config[colon >= 0 ? key : `${project.name}:${key}`] = String(d.default);
    }
  }
  return { name: project.name, config };
}

/** A program made ready to run: its workspace (package installed) and its Pulumi.yaml. */
export async function prepareProgram(
  workspaceName: string,
  sourceDir: string,
  files: readonly string[],
): Promise<{ workspace: Workspace; project: ProjectFile }> {
  const workspace = await createWorkspace(workspaceName);
  await installProgram(sourceDir, files, workspace.dir);
  return { workspace, project: readProjectFile(path.join(workspace.dir, "Pulumi.yaml")) };
}

/** The stack config `pulumi config set` would give a stack pointed at the emulator's demo client. */
export function demoStackConfig(project: ProjectFile, baseUrl: string): Record<string, string> {
  return {
    ...project.config,
    "acronis:baseUrl": baseUrl,
    "acronis:clientId": DEMO_CLIENT_ID,
    "acronis:clientSecret": DEMO_CLIENT_SECRET,
  };
}
