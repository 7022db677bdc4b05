import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { stripVTControlCharacters } from "node:util";
import { EngineService } from "./engine-service";
import type { OutputLine, ProgramLog, Register } from "./model";
import { ResourceMonitorService } from "./monitor-service";
import {
  type ProgramLaunch,
  type ProgramRunOptions,
  ProgramRunOptionsSchema,
  programLaunch,
} from "./program-launch";
import { engineRpc, grpc, type grpcTypes, resourceRpc } from "./sdk";
import { transcribe } from "./transcript";

/**
 * The local engine's language host: runs a Pulumi program the way `pulumi preview` / `pulumi up`
 * run it. It does what `pulumi-language-nodejs` (pulumi/pulumi
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go) does for the CLI, and serves the two gRPC
 * services the program then calls, as the engine's resource monitor (pkg/resource/deploy/
 * source_eval.go) does. This file wires the parts:
 *
 *   - program-launch.ts: the runner's command line and environment, from main.go;
 *   - monitor-service.ts: `ResourceMonitor`, which hands each custom resource to the engine;
 *   - engine-service.ts: `Engine`, the program's logs;
 *   - wire-values.ts: secrets and unknowns between the program's Structs and the engine.
 *
 * The program fails the run, with its own message, when it exits non-zero.
 */

export interface ProgramRunResult {
  /**
   * The stack outputs, as `pulumi stack output` shows them: a secret is `SECRET_OUTPUT`, a value
   * unknown in a preview is `UNKNOWN_OUTPUT` (wire-values.ts).
   */
  outputs: Record<string, unknown>;
  /** What the program and the SDK sent to `Engine.Log`, as `pulumi up` shows it (no debug). */
  logs: ProgramLog[];
  /** The program process's own console lines. */
  output: OutputLine[];
}

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

/**
 * Runs the program in `options.dir` once (a preview when `dryRun`), handing each custom resource
 * it registers to `register` in arrival order. Resolves with the stack outputs and the logs when
 * the program exits 0; rejects with a ProgramError carrying the program's own message otherwise.
 */
export async function runProgram(
  options: ProgramRunOptions,
  register: Register,
): Promise<ProgramRunResult> {
  const opts = ProgramRunOptionsSchema.parse(options);
  for (const key of opts.secretKeys) {
    const value = opts.config[key];
    if (value !== undefined) transcribe("secret", value);
  }
  const monitor = new ResourceMonitorService(opts, register);
  const engine = new EngineService();
  const { logs } = engine;
  const output: OutputLine[] = [];
  const { server, address } = await serve(monitor, engine);
  try {
    let launch: ProgramLaunch;
    try {
      launch = programLaunch(opts, { monitor: address, engine: address });
    } catch (error) {
      throw new ProgramError(opts.dir, (error as Error).message, logs, null);
    }
    const exitCode = await spawnProgram(launch, { ...process.env, ...opts.env }, output);
    if (exitCode === 0) return { outputs: monitor.stackOutputs, logs, output };
    throw new ProgramError(opts.dir, failureMessage(exitCode, logs, output), logs, exitCode);
  } finally {
    server.forceShutdown();
  }
}

/** Both services on one loopback port, as the CLI serves them to the program. */
async function serve(monitor: ResourceMonitorService, engine: EngineService) {
  // The SDK's limit for one message (runtime/settings.ts maxRPCMessageSize).
  const size = 1024 * 1024 * 400;
  const server = new grpc.Server({
    "grpc.max_receive_message_length": size,
    "grpc.max_send_message_length": size,
  });
  // grpc-js binds each RPC it finds by name to the instance; the others answer UNIMPLEMENTED.
  const untyped = (service: object) => service as unknown as grpcTypes.UntypedServiceImplementation;
  server.addService(resourceRpc.ResourceMonitorService, untyped(monitor));
  server.addService(engineRpc.EngineService, untyped(engine));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { server, address: `127.0.0.1:${port}` };
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
