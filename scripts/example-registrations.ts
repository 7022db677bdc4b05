import { readdirSync } from "node:fs";
import * as path from "node:path";
import { demoStackConfig } from "../emulator/demo-stack-config";
import { collectGoals } from "../engine/declarations";
import { prepareProgram } from "../engine/program";
import { REPO_ROOT } from "../engine/workspace";

/**
 * The registrations one of examples/ makes when it runs under the SDK's own runner against a
 * platform (its login entries are resolved there), as the engine's monitor receives them: goals
 * with the source position and stack trace the Node SDK sends.
 */
export async function exampleRegistrations(
  example: string,
  workspaceName: string,
  baseUrl: string,
  stack: string,
) {
  const source = path.join(REPO_ROOT, "examples", example);
  const files = readdirSync(source).filter((f) => f !== "README.md" && f !== "node_modules");
  const { workspace, project } = await prepareProgram(workspaceName, source, files);
  const config = demoStackConfig(project, baseUrl);
  const run = { dir: workspace.dir, project: project.name, stack, config, secretKeys: [] };
  const { registrations } = await collectGoals(run);
  return { project, registrations };
}
