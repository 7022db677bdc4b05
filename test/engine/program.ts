import { execFile } from "node:child_process";
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { Goal } from "./engine";

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
  const root = path.resolve(__dirname, "..", "..");
  return path.join(root, "dist", "test", "engine", "program-runner.js");
}

/**
 * Copies a program's files into a workspace and compiles its TypeScript to CommonJS, as ts-node
 * does when Pulumi runs a TypeScript program.
 */
export async function installProgram(sourceDir: string, workspaceDir: string): Promise<void> {
  const ts = await import("typescript");
  for (const entry of readdirSync(sourceDir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name === "package.json" || entry.name === "tsconfig.json")
      continue;
    const from = path.join(sourceDir, entry.name);
    if (entry.name.endsWith(".ts")) {
      const { outputText } = ts.transpileModule(readFileSync(from, "utf8"), {
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
        },
        fileName: entry.name,
      });
      writeFileSync(path.join(workspaceDir, entry.name.replace(/\.ts$/, ".js")), outputText);
    } else {
      cpSync(from, path.join(workspaceDir, entry.name));
    }
  }
}
