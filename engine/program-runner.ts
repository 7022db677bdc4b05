import { createRequire } from "node:module";
import * as path from "node:path";

/**
 * Child-process entry that plays the Pulumi language host for one program: it loads the program
 * with the SDK's mocks in place of the engine, so every `new UserEmail(...)` registers as it would
 * in `pulumi up`, serialized `__provider` included, and prints the registered goals as JSON.
 *
 * argv: <program directory> ; env: PULUMI_PROGRAM_CONFIG (JSON of namespaced config),
 * PULUMI_PROGRAM_SECRETS (JSON array of secret keys), PULUMI_NODEJS_PROJECT, PULUMI_NODEJS_STACK.
 */

interface Registered {
  name: string;
  type: string;
  inputs: Record<string, unknown>;
}

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2] ?? ".");
  process.chdir(dir);
  const load = createRequire(path.join(dir, "package.json"));
  const pulumi = load("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  const config = JSON.parse(process.env.PULUMI_PROGRAM_CONFIG ?? "{}") as Record<string, string>;
  const secrets = JSON.parse(process.env.PULUMI_PROGRAM_SECRETS ?? "[]") as string[];
  const goals: Registered[] = [];
  pulumi.runtime.setAllConfig(config, secrets);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        goals.push({ name: args.name, type: args.type, inputs: args.inputs });
        return { id: `${args.name}-preview-id`, state: args.inputs };
      },
      call() {
        return {};
      },
    },
    process.env.PULUMI_NODEJS_PROJECT ?? "project",
    process.env.PULUMI_NODEJS_STACK ?? "dev",
  );
  let failed = false;
  const fail = (error: unknown) => {
    failed = true;
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  };
  process.on("unhandledRejection", fail);
  process.on("beforeExit", () => {
    if (!failed) process.stdout.write(`${JSON.stringify(goals)}\n`);
    process.removeAllListeners("beforeExit");
  });
  try {
    const program = load(path.join(dir, "index.js"));
    // Pulumi runs an exported function and awaits it, as `export = async () => {...}` programs do.
    const entry = typeof program === "function" ? program : program?.default;
    if (typeof entry === "function") await entry();
  } catch (error) {
    fail(error);
  }
}

void main();
