import { startEmulator } from "../../emulator";

export { waitFor } from "../../emulator/test-helpers";

import { Engine, type Goal, type RunResult } from "../../engine/engine";
import { ProviderHost } from "../../engine/host";
import { transcribe } from "../../engine/transcript";
import { createWorkspace, userEmailGoal, type Workspace } from "../../engine/workspace";
import { seed as defaultSeed, stackConfig } from "./fixtures";

/**
 * One stack under test: the emulator, a program directory with the package installed, the real
 * provider host, and the engine stand-in, wired as `pulumi up` wires them. Tests read as the
 * user's commands: `stack.preview(...)`, `stack.up(...)`, `stack.refresh()`.
 */
export interface TestStack {
  emulator: Awaited<ReturnType<typeof startEmulator>>;
  workspace: Workspace;
  host: ProviderHost;
  engine: Engine;
  config: Record<string, string>;
  userEmail(name: string, inputs: { userId: string; email: string; resendAfter?: string }): Goal;
  preview(goals: Goal[]): Promise<RunResult>;
  up(goals: Goal[]): Promise<RunResult>;
  refresh(): Promise<RunResult>;
  destroy(): Promise<RunResult>;
  /** Restarts the host as a new `pulumi` command would: a fresh process, Configure again. */
  newHost(options?: {
    env?: NodeJS.ProcessEnv;
    config?: Record<string, string>;
  }): Promise<ProviderHost>;
  close(): Promise<void>;
}

export interface StackOptions {
  name: string;
  seed?: unknown;
  /** Replaces the stack config (default: baseUrl, clientId, clientSecret of the fixture). */
  config?: (baseUrl: string) => Record<string, string>;
  emulator?: Record<string, unknown>;
}

export async function openStack(options: StackOptions): Promise<TestStack> {
  const emulator = await startEmulator({
    seed: (options.seed ?? defaultSeed) as never,
    ...options.emulator,
  });
  const workspace = await createWorkspace(options.name);
  const config = (options.config ?? stackConfig)(emulator.baseUrl);
  const start = async (env?: NodeJS.ProcessEnv, cfg = config) => {
    const host = await ProviderHost.start({
      cwd: workspace.dir,
      project: options.name,
      env,
    });
    await host.configure(cfg);
    return host;
  };
  const host = await start();
  const engine = new Engine(host, { project: options.name, stack: "test" });
  const stack: TestStack = {
    emulator,
    workspace,
    host,
    engine,
    config,
    userEmail: (name, inputs) => userEmailGoal(workspace, name, inputs),
    preview: (goals) => engine.preview(goals),
    up: (goals) => engine.up(goals),
    refresh: () => engine.refresh(),
    destroy: () => engine.destroy(),
    async newHost(opts) {
      await stack.host.stop();
      stack.host = await start(opts?.env, opts?.config ?? config);
      engine.host = stack.host;
      return stack.host;
    },
    async close() {
      await stack.host.stop();
      recordIssuedTokens(emulator);
      await emulator.close();
    },
  };
  return stack;
}

/** The op of each step by resource name, e.g. { alice: "update", bob: "same" }. */
export function plan(result: RunResult): Record<string, string> {
  return Object.fromEntries(
    result.steps.map((s) => [s.name, s.ok ? s.op : `failed ${s.op}: ${s.error}`]),
  );
}

/** Hands the tokens an emulator issued to the suite's secret guard (test/globalSetup.ts). */
export function recordIssuedTokens(emulator: {
  state: { issuedTokens(): readonly string[] };
}): void {
  for (const token of emulator.state.issuedTokens()) transcribe("token", token);
}
