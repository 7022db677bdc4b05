import { cpSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { type ProgramRunResult, runProgram } from "./language-host";
import type { Program } from "./model";
import type { ProgramRunOptions } from "./program-launch";
import { createWorkspace, type Workspace } from "./workspace";

/**
 * A program's directory made ready for the language host (./language-host.ts), which runs it as
 * `pulumi up` does: the SDK's runner compiles TypeScript itself with its ts-node, so sources are
 * copied as they are. In a workspace under `<repo>/.tmp/`, Node resolves `@pulumi/pulumi` and
 * `typescript` (what the runner and its ts-node load) from the repository's node_modules, and the
 * package from the workspace's own node_modules, where createWorkspace installed a real copy.
 */

/** Copies the named files of a program into a workspace, as they are. */
export function installProgram(sourceDir: string, files: readonly string[], workspaceDir: string) {
  mkdirSync(workspaceDir, { recursive: true });
  for (const file of files) {
    cpSync(path.join(sourceDir, file), path.join(workspaceDir, file), { recursive: true });
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
  installProgram(sourceDir, files, workspace.dir);
  return { workspace, project: readProjectFile(path.join(workspace.dir, "Pulumi.yaml")) };
}

export interface ProgramSource extends Omit<ProgramRunOptions, "dryRun" | "parallel"> {
  /** Called with each run's logs and console lines: what the CLI shows of the program. */
  onRun?: (run: ProgramRunResult) => void;
}

/**
 * The program at `source.dir` as the engine runs it: once per deployment, under the SDK's own
 * runner (`--dry-run` in a preview, the deployment's `--parallel`), each resource it registers
 * handed to the engine's scheduling, and answered with the step's real outputs.
 */
export function languageHostProgram(source: ProgramSource): Program {
  const { onRun, ...options } = source;
  return async (register, deployment) => {
    const run = await runProgram(
      { ...options, dryRun: deployment.preview, parallel: deployment.parallel },
      async (goal) => {
        try {
          return await register(goal);
        } catch {
          // The step's error is in the deployment's result; the program sees the resource as
          // failed and goes on, as the engine lets it.
          return { id: "", outputs: {}, failed: true };
        }
      },
    );
    onRun?.(run);
    return run.outputs;
  };
}
