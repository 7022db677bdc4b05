import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/**
 * How the language host starts a program: the command line and environment
 * `pulumi-language-nodejs` (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go) gives
 * the SDK's runner, `node <program's @pulumi/pulumi>/cmd/run`, in the program directory, so the
 * SDK's own runner picks the entry point (Pulumi.yaml `main`, else the package.json rules) and
 * compiles TypeScript with the SDK's ts-node, type check included. `programLaunch` names the
 * main.go function each argument follows.
 */

/** What the CLI tells the language host of a run (main.go's RunRequest). */
export interface ProgramRunOptions {
  /** The project directory: where Pulumi.yaml is. */
  dir: string;
  project: string;
  stack: string;
  dryRun: boolean;
  parallel: number;
  /** Stack config, namespaced keys ("acronis:baseUrl"), secrets in plain text. */
  config: Record<string, string>;
  /** Keys of `config` that are secrets ("acronis:clientSecret"). */
  secretKeys: string[];
  env?: NodeJS.ProcessEnv;
}

/** What the diy (`pulumi login --local`) backend names every stack's organization (state.go). */
export const LOCAL_ORGANIZATION = "organization";

const RuntimeOptions = z
  .object({
    typescript: z.boolean().optional(),
    tsconfig: z.string().optional(),
    nodeargs: z.string().optional(),
  })
  .loose();

const ProjectYaml = z
  .object({
    name: z.string().min(1),
    runtime: z.union([
      z.literal("nodejs"),
      z.object({ name: z.literal("nodejs"), options: RuntimeOptions.optional() }).loose(),
    ]),
    main: z.string().min(1).optional(),
  })
  .loose();

export const ProgramRunOptionsSchema = z.object({
  dir: z.string().min(1),
  project: z.string().min(1),
  stack: z.string().min(1),
  dryRun: z.boolean(),
  parallel: z.number().int().positive(),
  config: z.record(z.string(), z.string()),
  secretKeys: z.array(z.string()),
  env: z.record(z.string(), z.string().optional()).optional(),
});

export interface ProgramLaunch {
  /** Resolved on PATH, as main.go's `exec.LookPath("node")`. */
  command: string;
  args: string[];
  /** The variables set on top of the inherited environment. */
  env: Record<string, string>;
  /** The program directory (main.go passes it as --pwd; the runner chdirs there). */
  cwd: string;
  /** Where the SDK's runner was found. */
  runPath: string;
}

/**
 * The command line and environment `pulumi-language-nodejs` gives the SDK's runner, for the
 * program in `options.dir`, with the monitor and engine served at the given addresses.
 */
export function programLaunch(
  options: ProgramRunOptions,
  addresses: { monitor: string; engine: string },
): ProgramLaunch {
  const opts = ProgramRunOptionsSchema.parse(options);
  const root = path.resolve(opts.dir);
  const project = readProject(root);
  if (project.name !== opts.project) {
    throw new Error(
      `${path.join(root, "Pulumi.yaml")}: the project is named "${project.name}", not "${opts.project}"`,
    );
  }
  const runtime = typeof project.runtime === "string" ? {} : (project.runtime.options ?? {});
  // pkg/engine/project.go getPwdMain: the program directory and entry point from `main`.
  const { pwd, main } = pwdMain(root, project.main);
  // main.go Run: `locateModule(ctx, "@pulumi/pulumi/cmd/run", programDirectory, ...)`, a
  // require.resolve from the program directory.
  const runPath = locateRunner(pwd);
  if (runtime.nodeargs !== undefined && /["'\\]/.test(runtime.nodeargs)) {
    throw new Error("runtime option nodeargs: quoting is not supported by the local engine");
  }
  const args = [
    // main.go execRuntime: the runtime's `nodeargs` option (shlex.Split), before the runner.
    ...(runtime.nodeargs?.split(/\s+/).filter(Boolean) ?? []),
    // main.go constructArguments: `args := []string{runPath}`, then each maybeAppendArg.
    runPath,
    "--monitor",
    addresses.monitor, // constructArguments: maybeAppendArg("monitor", address)
    "--engine",
    addresses.engine, // constructArguments: maybeAppendArg("engine", host.engineAddress)
    // constructArguments: maybeAppendArg("sync", pipesDirectory) is left out: no invoke pipes here.
    "--organization",
    LOCAL_ORGANIZATION, // constructArguments: maybeAppendArg("organization", req.GetOrganization())
    "--project",
    opts.project, // constructArguments: maybeAppendArg("project", req.GetProject())
    "--root-directory",
    root, // constructArguments: maybeAppendArg("root-directory", req.GetInfo().RootDirectory)
    "--stack",
    opts.stack, // constructArguments: maybeAppendArg("stack", req.GetStack())
    "--pwd",
    pwd, // constructArguments: maybeAppendArg("pwd", req.Info.ProgramDirectory)
    ...(opts.dryRun ? ["--dry-run"] : []), // constructArguments: if req.GetDryRun()
    "--parallel",
    String(opts.parallel), // constructArguments: maybeAppendArg("parallel", strconv.Itoa(...))
    // constructArguments: maybeAppendArg("tracing", host.tracing) is left out: no tracing.
    main, // constructArguments: args = append(args, req.Info.EntryPoint), "." without `main`
  ];
  const env: Record<string, string> = {
    // main.go execRuntime: env = append(env, pulumiConfigVar+"="+config), from constructConfig
    PULUMI_CONFIG: constructConfig(opts.config),
    // execRuntime: pulumiConfigSecretKeysVar, from constructConfigSecretKeys
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(opts.secretKeys),
  };
  // execRuntime: "PULUMI_NODEJS_TYPESCRIPT=true" when opts.typescript, which parseOptions
  // defaults to true.
  if (runtime.typescript ?? true) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  // execRuntime: "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfigpath when the option is set.
  if (runtime.tsconfig !== undefined) env.PULUMI_NODEJS_TSCONFIG_PATH = runtime.tsconfig;
  return { command: "node", args, env, cwd: pwd, runPath };
}

function readProject(root: string): z.infer<typeof ProjectYaml> {
  const file = path.join(root, "Pulumi.yaml");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`${file} could not be read: ${(error as Error).message}`);
  }
  const parsed = ProjectYaml.safeParse(parseYaml(text));
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join(".") || "(file)"}: ${i.message}`,
    );
    throw new Error(`${file}: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** pkg/engine/project.go getPwdMain. */
function pwdMain(root: string, main: string | undefined): { pwd: string; main: string } {
  if (main === undefined) return { pwd: root, main: "." };
  const target = path.resolve(root, main);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(target).isDirectory();
  } catch (error) {
    throw new Error(`project 'main' could not be read: ${(error as Error).message}`);
  }
  return isDirectory
    ? { pwd: target, main: "." }
    : { pwd: path.dirname(target), main: path.basename(target) };
}

function locateRunner(programDir: string): string {
  try {
    return createRequire(path.join(programDir, path.sep)).resolve("@pulumi/pulumi/cmd/run");
  } catch {
    // main.go locateModule's message.
    throw new Error(
      `It looks like the Pulumi SDK has not been installed in ${programDir}. Have you run pulumi install?`,
    );
  }
}

/**
 * main.go constructConfig: every key as `<namespace>:config:<name>`, JSON-encoded, each key read
 * as config.ParseKey reads it: `<namespace>:<name>`, or the older `<namespace>:config:<name>`.
 */
function constructConfig(config: Record<string, string>): string {
  const transformed: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    const parts = key.split(":");
    const [namespace, name] =
      parts.length === 2
        ? parts
        : parts.length === 3 && parts[1] === "config"
          ? [parts[0], parts[2]]
          : [];
    if (namespace === undefined || name === undefined) {
      throw new Error(
        `could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
      );
    }
    transformed[`${namespace}:config:${name}`] = value;
  }
  return JSON.stringify(transformed);
}
