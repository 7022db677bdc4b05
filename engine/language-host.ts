import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { stripVTControlCharacters } from "node:util";
import type * as engineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as resourceGrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { ResourceOptions } from "./model";
import { resourceOptionsOf } from "./options";
import {
  Empty,
  engineProto,
  engineRpc,
  grpc,
  type grpcTypes,
  resourceProto,
  resourceRpc,
  Struct,
  specialResourceSig,
  specialSecretSig,
  specialSigKey,
  unknownValue,
} from "./sdk";
import { transcribe } from "./transcript";

/**
 * The local engine's language host: runs a Pulumi program the way `pulumi preview` / `pulumi up`
 * run it. It does what `pulumi-language-nodejs` (pulumi/pulumi
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go) does for the CLI, and serves the two gRPC
 * services the program then calls, as the engine's resource monitor (pkg/resource/deploy/
 * source_eval.go) does:
 *
 *   - spawns `node <program's @pulumi/pulumi>/cmd/run` with main.go's arguments and environment
 *     (`programLaunch` below names the main.go function each one follows), in the program
 *     directory, so the SDK's own runner picks the entry point (Pulumi.yaml `main`, else the
 *     package.json rules) and compiles TypeScript with the SDK's ts-node, type check included;
 *   - serves `ResourceMonitor` and `Engine` from the SDK's own protos over real gRPC;
 *   - registers the root stack and component resources itself and hands every custom resource to
 *     the engine's `register`, in arrival order, without waiting for one before the next;
 *   - answers the program with what `register` resolves to, re-marking as secret every output whose
 *     input was secret (as the engine does for a provider that does not accept secrets), and
 *     collects the stack outputs from `RegisterResourceOutputs` on the stack resource.
 *
 * The program fails the run, with its own message, when it exits non-zero.
 */

// ---------------------------------------------------------------------------------------------
// The contract with the engine

/** One RegisterResource of a custom resource, as the engine schedules it. */
export interface Registration {
  urn: string;
  name: string;
  /** e.g. "pulumi-nodejs:dynamic/acronis:UserEmail" */
  type: string;
  custom: boolean;
  parent?: string;
  /**
   * Plain JS values, secrets unwrapped, `__provider` included. A value the program does not know
   * yet (preview) is the SDK's unknown sentinel, `UNKNOWN_VALUE`, as the provider host expects it.
   */
  inputs: Record<string, unknown>;
  /** Top-level input keys whose value was, or contained, a secret. */
  secretPaths: string[];
  /** The explicit provider reference ("urn::id"), when the program passed one. */
  provider?: string;
  /** The resource options the program set; an option the engine does not model fails here. */
  options: ResourceOptions;
}

/** The URN in a provider reference "<urn>::<id>" (sdk/go/common/resource/providers/reference.go). */
export function providerUrn(reference: string): string {
  return reference.slice(0, reference.lastIndexOf("::"));
}

/** What the program receives for a registration. */
export interface Registered {
  id: string;
  /** Output properties; `UNKNOWN_VALUE` for one not known in a preview. */
  outputs: Record<string, unknown>;
  /**
   * The step failed but the run goes on (the engine's result reporting): the program sees the
   * resource's outputs as unknown and continues. To stop the program instead, reject.
   */
  failed?: boolean;
}

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

export type LogSeverity = "info" | "warning" | "error";

export interface ProgramLog {
  severity: LogSeverity;
  message: string;
  urn?: string;
}

export interface OutputLine {
  stream: "stdout" | "stderr";
  line: string;
}

export interface ProgramRunResult {
  /**
   * The stack outputs, as `pulumi stack output` shows them: a secret is `SECRET_OUTPUT`, a value
   * unknown in a preview is `UNKNOWN_OUTPUT`.
   */
  outputs: Record<string, unknown>;
  /**
   * What the program and the SDK sent to `Engine.Log`, as `pulumi up` shows it: debug messages
   * are left out, as without `--debug` (the SDK's own debug lines print whole RegisterResource
   * answers, secrets in plain text).
   */
  logs: ProgramLog[];
  /** The program process's own console lines. */
  output: OutputLine[];
}

export const SECRET_OUTPUT = "[secret]";
export const UNKNOWN_OUTPUT = "[unknown]";
/** The SDK's marker for a value not known yet (preview). */
export const UNKNOWN_VALUE = unknownValue;
/** `pkg/resource/stack`'s RootStackType, the type the SDK registers its Stack under. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
/** What the diy (`pulumi login --local`) backend names every stack's organization (state.go). */
export const LOCAL_ORGANIZATION = "organization";

/** The program failed: its own message, as the CLI would print it. */
export class ProgramError extends Error {
  override name = "ProgramError";
  constructor(
    /** The project directory. */
    readonly program: string,
    /** The program's own message (its error logs, else its stderr). */
    readonly details: string,
    readonly logs: ProgramLog[],
    readonly exitCode: number | null,
  ) {
    super(`program ${program} failed: ${details}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Pulumi.yaml and the command line

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

const Options = z.object({
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
  const opts = Options.parse(options);
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

// ---------------------------------------------------------------------------------------------
// Values on the wire

const RegisteredAnswer = z.object({
  id: z.string(),
  outputs: z.record(z.string(), z.unknown()),
  failed: z.boolean().optional(),
});

function isSigned(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && specialSigKey in value;
}

/** A value from the program with its secrets unwrapped; `secret` when any part of it was one. */
function unwrapSecrets(value: unknown, where: string): { value: unknown; secret: boolean } {
  if (Array.isArray(value)) {
    let secret = false;
    const items = value.map((item, i) => {
      const inner = unwrapSecrets(item, `${where}[${i}]`);
      secret ||= inner.secret;
      return inner.value;
    });
    return { value: items, secret };
  }
  if (isSigned(value)) {
    const sig = value[specialSigKey];
    if (sig === specialSecretSig) {
      return { value: unwrapSecrets(value.value, where).value, secret: true };
    }
    // Resource references are never sent: the monitor does not announce `resourceReferences`.
    const kind = sig === specialResourceSig ? "a resource reference" : `a value of kind ${sig}`;
    throw new Error(`${where} is ${kind}, which the local engine does not support`);
  }
  if (typeof value === "object" && value !== null) {
    let secret = false;
    const entries = Object.entries(value).map(([k, v]) => {
      const inner = unwrapSecrets(v, `${where}.${k}`);
      secret ||= inner.secret;
      return [k, inner.value] as const;
    });
    return { value: Object.fromEntries(entries), secret };
  }
  return { value, secret: false };
}

/** Outputs as the program receives them: undefined dropped, `secret` keys marked. */
function wireOutputs(outputs: Record<string, unknown>, secret: ReadonlySet<string>) {
  const wire: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    if (value === undefined) continue;
    wire[key] =
      secret.has(key) && !isSigned(value) ? { [specialSigKey]: specialSecretSig, value } : value;
  }
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(wire)));
}

/** Stack outputs as a user sees them: no secret in plain text, unknowns named. */
function present(value: unknown): unknown {
  if (value === unknownValue) return UNKNOWN_OUTPUT;
  if (Array.isArray(value)) return value.map(present);
  if (isSigned(value) && value[specialSigKey] === specialSecretSig) return SECRET_OUTPUT;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, present(v)]));
  }
  return value;
}

/** urn.New (sdk/go/common/resource/urn): the parent's qualified type prefixes the type. */
function makeUrn(
  stack: string,
  project: string,
  parent: string | undefined,
  type: string,
  name: string,
) {
  const parentType = parent?.split("::")[2];
  const qualified = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

const SEVERITIES: Record<number, LogSeverity | "debug"> = {
  [engineProto.LogSeverity.DEBUG]: "debug",
  [engineProto.LogSeverity.INFO]: "info",
  [engineProto.LogSeverity.WARNING]: "warning",
  [engineProto.LogSeverity.ERROR]: "error",
};

/**
 * What this monitor supports, as `supportsFeatureID` names them (source_eval.go). Only secrets:
 * without `resourceReferences` the SDK sends a resource input as its id or urn, and without the
 * option features (deletedWith, transforms, hooks...) it fails a program that uses one with its
 * own "The Pulumi CLI does not support ..." message, rather than this engine ignoring it.
 */
const FEATURES = new Map<string, number>([
  ["secrets", resourceProto.ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_SECRETS],
]);

function rpcError(code: grpcTypes.status, details: string): grpcTypes.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

// ---------------------------------------------------------------------------------------------
// The run

/**
 * Runs the program in `options.dir` once (a preview when `dryRun`), handing each custom resource
 * it registers to `register` in arrival order. Resolves with the stack outputs and the logs when
 * the program exits 0; rejects with a ProgramError carrying the program's own message otherwise.
 */
export async function runProgram(
  options: ProgramRunOptions,
  register: (reg: Registration) => Promise<Registered>,
): Promise<ProgramRunResult> {
  const opts = Options.parse(options);
  for (const key of opts.secretKeys) {
    const value = opts.config[key];
    if (value !== undefined) transcribe("secret", value);
  }
  const logs: ProgramLog[] = [];
  const output: OutputLine[] = [];
  const urns = new Set<string>();
  const inFlight = new Set<Promise<unknown>>();
  let rootUrn = "";
  let stackUrn: string | undefined;
  let stackOutputs: Record<string, unknown> = {};
  let shuttingDown = false;

  const monitor: Partial<resourceGrpc.IResourceMonitorServer> = {
    // source_eval.go GetDeploymentInfo: what this SDK asks first (an older one, or this one when
    // the method is missing, asks SupportsFeature for each feature instead).
    getDeploymentInfo(_call, callback) {
      const info = new resourceProto.DeploymentInfo();
      info.setProject(opts.project);
      info.setStack(opts.stack);
      info.setOrganization(LOCAL_ORGANIZATION);
      for (const [k, v] of Object.entries(opts.config)) info.getConfigMap().set(k, v);
      info.setConfigsecretkeysList(opts.secretKeys);
      info.setDryrun(opts.dryRun);
      info.setParallel(opts.parallel);
      info.setSupportedfeaturesList([...FEATURES.values()]);
      callback(null, info);
    },
    // Older SDKs (and the fallback of newer ones) ask feature by feature.
    supportsFeature(call, callback) {
      const resp = new resourceProto.SupportsFeatureResponse();
      resp.setHassupport(FEATURES.has(call.request.getId()));
      callback(null, resp);
    },
    registerResource(call, callback) {
      const req = call.request;
      const type = req.getType();
      const name = req.getName();
      const parent = req.getParent() || undefined;
      if (req.getRemote()) {
        callback(
          rpcError(
            grpc.status.UNIMPLEMENTED,
            `${name} [${type}]: remote components are not supported by the local engine`,
          ),
          null,
        );
        return;
      }
      const urn = makeUrn(opts.stack, opts.project, parent, type, name);
      if (urns.has(urn)) {
        // step_generator.go generateURN: diag.GetDuplicateResourceURNError.
        callback(
          rpcError(
            grpc.status.INVALID_ARGUMENT,
            `Duplicate resource URN '${urn}'; try giving it a unique name`,
          ),
          null,
        );
        return;
      }
      urns.add(urn);
      const resp = new resourceProto.RegisterResourceResponse();
      resp.setUrn(urn);
      if (!req.getCustom()) {
        // The stack and components: no provider involved, nothing to schedule.
        if (type === ROOT_STACK_TYPE && !parent) stackUrn = urn;
        resp.setObject(new Struct());
        callback(null, resp);
        return;
      }
      let registration: Registration;
      try {
        const inputs: Record<string, unknown> = {};
        const secretPaths: string[] = [];
        const object = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
        for (const [key, value] of Object.entries(object)) {
          const unwrapped = unwrapSecrets(value, `${name}.${key}`);
          inputs[key] = unwrapped.value;
          if (unwrapped.secret) secretPaths.push(key);
        }
        registration = {
          urn,
          name,
          type,
          custom: true,
          ...(parent ? { parent } : {}),
          inputs,
          secretPaths,
          ...(req.getProvider() ? { provider: req.getProvider() } : {}),
          options: resourceOptionsOf(req),
        };
      } catch (error) {
        callback(rpcError(grpc.status.INVALID_ARGUMENT, (error as Error).message), null);
        return;
      }
      const secret = new Set([
        ...registration.secretPaths,
        ...req.getAdditionalsecretoutputsList(),
      ]);
      // Called now, in arrival order; the engine decides what runs at once.
      const answered = (async () => {
        try {
          const { id, outputs, failed } = RegisteredAnswer.parse(await register(registration));
          resp.setId(id);
          resp.setObject(wireOutputs(outputs, secret));
          if (failed) resp.setResult(resourceProto.Result.FAIL);
          callback(null, resp);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          callback(rpcError(grpc.status.INTERNAL, message), null);
        }
      })();
      inFlight.add(answered);
      void answered.then(() => inFlight.delete(answered));
    },
    registerResourceOutputs(call, callback) {
      const urn = call.request.getUrn();
      if (urn === stackUrn) {
        const raw = (call.request.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
        stackOutputs = present(raw) as Record<string, unknown>;
        transcribe("state", () => JSON.stringify(stackOutputs));
      }
      callback(null, new Empty());
    },
    // source_eval.go SignalAndWaitForShutdown: answered once every registration is done.
    signalAndWaitForShutdown(_call, callback) {
      if (shuttingDown) {
        callback(rpcError(grpc.status.UNKNOWN, "Already waiting for shutdown"), null);
        return;
      }
      shuttingDown = true;
      void Promise.allSettled([...inFlight]).then(() => callback(null, new Empty()));
    },
  };

  const engine: Partial<engineGrpc.IEngineServer> = {
    log(call, callback) {
      const req = call.request;
      const severity = SEVERITIES[req.getSeverity()] ?? "info";
      if (severity !== "debug") {
        const message = stripVTControlCharacters(req.getMessage());
        logs.push({ severity, message, ...(req.getUrn() ? { urn: req.getUrn() } : {}) });
        transcribe("output", `${severity}: ${message}`);
      }
      callback(null, new Empty());
    },
    getRootResource(_call, callback) {
      const resp = new engineProto.GetRootResourceResponse();
      resp.setUrn(rootUrn);
      callback(null, resp);
    },
    setRootResource(call, callback) {
      rootUrn = call.request.getUrn();
      callback(null, new engineProto.SetRootResourceResponse());
    },
  };

  // The SDK's limit for one message (runtime/settings.ts maxRPCMessageSize).
  const size = 1024 * 1024 * 400;
  const server = new grpc.Server({
    "grpc.max_receive_message_length": size,
    "grpc.max_send_message_length": size,
  });
  // Methods left out answer UNIMPLEMENTED, which the SDK treats as "not supported".
  server.addService(
    resourceRpc.ResourceMonitorService,
    monitor as grpcTypes.UntypedServiceImplementation,
  );
  server.addService(engineRpc.EngineService, engine as grpcTypes.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  const address = `127.0.0.1:${port}`;
  try {
    let launch: ProgramLaunch;
    try {
      launch = programLaunch(opts, { monitor: address, engine: address });
    } catch (error) {
      throw new ProgramError(opts.dir, (error as Error).message, logs, null);
    }
    const exitCode = await spawnProgram(launch, { ...process.env, ...opts.env }, output);
    if (exitCode === 0) return { outputs: stackOutputs, logs, output };
    throw new ProgramError(opts.dir, failureMessage(exitCode, logs, output), logs, exitCode);
  } finally {
    server.forceShutdown();
  }
}

/** Runs the runner to its end, collecting its console lines; resolves with its exit code. */
function spawnProgram(
  launch: ProgramLaunch,
  inherited: NodeJS.ProcessEnv,
  output: OutputLine[],
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: { ...inherited, ...launch.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of ["stdout", "stderr"] as const) {
      createInterface({ input: child[stream] }).on("line", (line) => {
        output.push({ stream, line });
        transcribe("output", line);
      });
    }
    child.once("error", (error) =>
      // main.go execRuntime's words when the runtime could not even start.
      reject(
        new ProgramError(
          launch.cwd,
          `Problem executing program (could not run language executor): ${error.message}`,
          [],
          null,
        ),
      ),
    );
    child.once("close", (code) => resolve(code));
  });
}

/** The runner exits 32 after logging a message the user can act on (cmd/run/index.js). */
const LOGGED_USER_ACTIONABLE_MESSAGE = 32;

function failureMessage(code: number | null, logs: ProgramLog[], output: OutputLine[]): string {
  const errors = logs.filter((l) => l.severity === "error").map((l) => l.message);
  const stderr = output
    .filter((o) => o.stream === "stderr")
    .map((o) => stripVTControlCharacters(o.line));
  const own = errors.length > 0 ? errors.join("\n") : stderr.join("\n");
  if (code === LOGGED_USER_ACTIONABLE_MESSAGE && own) return own;
  // main.go execRuntime: "Program exited with non-zero exit code: %d".
  const exit = `Program exited with non-zero exit code: ${code ?? "killed"}`;
  return own ? `${own}\n${exit}` : exit;
}
