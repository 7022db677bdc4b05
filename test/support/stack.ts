import { type RunningEmulator, startEmulator } from "../../emulator";

export { waitFor } from "../../emulator/test-helpers";

import {
  Engine,
  type EngineOptions,
  type Goal,
  type OutputLine,
  type PreviewOptions,
  type Program,
  type RunResult,
  type StateCommandOptions,
  type UpOptions,
} from "../../engine/engine";
import { type CallRecord, ProviderHost } from "../../engine/host";
import { transcribe } from "../../engine/transcript";
import { createWorkspace, userEmailGoal, type Workspace } from "../../engine/workspace";
import { seed as defaultSeed, stackConfig } from "./fixtures";

/**
 * One stack under test: the emulator, a program directory with the package installed, and the
 * local engine starting the real provider host for each deployment, wired as `pulumi up` wires
 * them. Tests read as the user's commands: `stack.preview(...)`, `stack.up(...)`,
 * `stack.refresh()`.
 */
export interface TestStack {
  emulator: Awaited<ReturnType<typeof startEmulator>>;
  workspace: Workspace;
  engine: Engine;
  config: Record<string, string>;
  /** Every line any provider host printed, in order (tests clear it with `length = 0`). */
  output: OutputLine[];
  /** The provider's console lines (what Pulumi shows as diagnostics). */
  readonly consoleLines: string[];
  /** Every call any provider host received, in order sent. */
  calls: CallRecord[];
  /** Every provider process the engine started, latest last. */
  hosts: ProviderHost[];
  userEmail(name: string, inputs: { userId: string; email: string; resendAfter?: string }): Goal;
  preview(program: Program, options?: PreviewOptions): Promise<RunResult>;
  up(program: Program, options?: UpOptions): Promise<RunResult>;
  refresh(options?: StateCommandOptions): Promise<RunResult>;
  destroy(options?: StateCommandOptions): Promise<RunResult>;
  /**
   * The stack config and environment of the commands that follow, as `pulumi config set` or an
   * exported variable would change them (default: the stack's own config, no extra env).
   */
  configure(options?: {
    env?: NodeJS.ProcessEnv;
    config?: Record<string, string>;
    /** Keys set with `pulumi config set --secret` besides those named like a secret. */
    secretKeys?: string[];
  }): void;
  /**
   * A provider process configured as the next command's would be, for tests that drive its
   * calls one by one (the engine stops the others; `close` stops this one).
   */
  startHost(): Promise<ProviderHost>;
  close(): Promise<void>;
}

export interface StackOptions {
  name: string;
  seed?: unknown;
  /** Replaces the stack config (default: baseUrl, clientId, clientSecret of the fixture). */
  config?: (baseUrl: string) => Record<string, string>;
  emulator?: Record<string, unknown>;
  /** An emulator already running (one of `startDatacenters`), instead of starting one; closed with the stack. */
  platform?: RunningEmulator;
  /** Engine options (`parallel`, `parallelDiff`, `continueOnError`); default: the CLI's. */
  engine?: Pick<
    EngineOptions,
    "parallel" | "parallelDiff" | "continueOnError" | "legacyRefreshDiff" | "checkpoint"
  >;
}

export async function openStack(options: StackOptions): Promise<TestStack> {
  const emulator =
    options.platform ??
    (await startEmulator({
      seed: (options.seed ?? defaultSeed) as never,
      ...options.emulator,
    }));
  const workspace = await createWorkspace(options.name);
  const config = (options.config ?? stackConfig)(emulator.baseUrl);
  let current: {
    env?: NodeJS.ProcessEnv;
    config: Record<string, string>;
    secretKeys?: string[];
  } = { config };
  const output: OutputLine[] = [];
  const calls: CallRecord[] = [];
  const hosts: ProviderHost[] = [];
  const engine = new Engine({
    project: options.name,
    stack: "test",
    ...options.engine,
    // `pulumi config set --secret acronis:clientSecret`: the default provider's state seals it.
    stackConfig: () => ({
      values: current.config,
      secretKeys: Object.keys(current.config).filter(
        (key) => /secret/i.test(key) || current.secretKeys?.includes(key),
      ),
    }),
    startHost: async (instance) => {
      const host = await ProviderHost.start({
        cwd: workspace.dir,
        project: options.name,
        env: current.env,
        output,
        calls,
      });
      // An explicit provider instance is configured with its own inputs, never the stack config.
      await host.configure(instance ?? current.config);
      return host;
    },
    onHost: (host) => hosts.push(host),
  });
  const stack: TestStack = {
    emulator,
    workspace,
    engine,
    config,
    output,
    get consoleLines() {
      return output.filter((o) => o.stream === "stdout").map((o) => o.line);
    },
    calls,
    hosts,
    userEmail: (name, inputs) => userEmailGoal(workspace, name, inputs),
    preview: (goals, opts) => engine.preview(goals, opts),
    up: (goals, opts) => engine.up(goals, opts),
    refresh: (opts) => engine.refresh(opts),
    destroy: (opts) => engine.destroy(opts),
    configure(opts) {
      current = { env: opts?.env, config: opts?.config ?? config, secretKeys: opts?.secretKeys };
    },
    async startHost() {
      const host = await engine.options.startHost();
      hosts.push(host);
      return host;
    },
    async close() {
      await Promise.all(hosts.map((h) => h.stop()));
      recordIssuedTokens(emulator);
      await emulator.close();
    },
  };
  return stack;
}

/**
 * The op of each step by resource name, e.g. { alice: "update", bob: "same" }. A replacement's
 * later delete of the old resource ("delete-replaced") is part of its "replace" and left out.
 */
export function plan(result: RunResult): Record<string, string> {
  return Object.fromEntries(
    result.steps
      .filter((s) => s.op !== "delete-replaced" || !s.ok)
      .map((s) => [s.name, s.ok ? s.op : `failed ${s.op}: ${s.error}`]),
  );
}

/** Hands the tokens an emulator issued to the suite's secret guard (test/globalSetup.ts). */
export function recordIssuedTokens(emulator: {
  state: { issuedTokens(): readonly string[] };
}): void {
  for (const token of emulator.state.issuedTokens()) transcribe("token", token);
}
