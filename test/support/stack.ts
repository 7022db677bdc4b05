import { afterAll, afterEach, beforeAll, expect } from "vitest";
import {
  type EmulatorOptions,
  type RunningDatacenters,
  type RunningEmulator,
  startDatacenters,
  startEmulator,
} from "../../emulator";

export { waitFor } from "../../emulator/test-helpers";

import {
  Engine,
  type EngineOptions,
  failures,
  type Goal,
  type OutputLine,
  type PreviewOptions,
  type Program,
  type RunResult,
  type StackState,
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
   * Replaces the stack's state with a copy of `state`, as if it had been deployed: a starting
   * point a file builds once (e.g. every account adopted) and each story starts from, instead of
   * deploying it again. The platform is not touched.
   */
  restore(state: StackState): void;
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
  const engineOptions: EngineOptions = {
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
  };
  const stack: TestStack = {
    emulator,
    workspace,
    engine: new Engine(engineOptions),
    config,
    output,
    get consoleLines() {
      return output.filter((o) => o.stream === "stdout").map((o) => o.line);
    },
    calls,
    hosts,
    userEmail: (name, inputs) => userEmailGoal(workspace, name, inputs),
    // Through `stack.engine`, which `restore` replaces.
    preview: (goals, opts) => stack.engine.preview(goals, opts),
    up: (goals, opts) => stack.engine.up(goals, opts),
    refresh: (opts) => stack.engine.refresh(opts),
    destroy: (opts) => stack.engine.destroy(opts),
    configure(opts) {
      current = { env: opts?.env, config: opts?.config ?? config, secretKeys: opts?.secretKeys };
    },
    restore(state) {
      stack.engine = new Engine({ ...engineOptions, state: structuredClone(state) });
    },
    async startHost() {
      const host = await stack.engine.options.startHost();
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

/** What a story file's stack is, and what each of its stories starts from. */
export interface StoriesOptions extends StackOptions {
  /**
   * Each story starts from an empty stack on a fresh platform: the stack's own config and
   * environment, nothing protected, no faults, holds or latency, no recorded output or calls; a
   * new `pulumi` command gets a fresh provider process, and a process remembers what it read
   * (for a minute). The stack is emptied as a destroy would leave it, without running one;
   * "destroy must succeed" runs `destroy` instead, and fails the story whose resources it cannot
   * destroy. Default: the stories build on each other.
   */
  eachStoryFresh?: true | "destroy must succeed";
  /** Platforms the stack's providers also use, reset between stories beside the stack's emulator. */
  alsoReset?: () => readonly RunningEmulator[];
}

/**
 * The stack a story file (or `describe` block) tells its stories on: opened before they run,
 * closed after them, reset between them as `eachStoryFresh` says. Options may be a function when
 * they name something only running once the file's earlier `beforeAll` hooks have run.
 */
export function stackForStories(options: StoriesOptions | (() => StoriesOptions)): TestStack {
  let resolved: StoriesOptions | undefined;
  const stack = openedForStories(
    () => {
      resolved = typeof options === "function" ? options() : options;
      return openStack(resolved);
    },
    (opened) => opened.close(),
  );
  afterEach(async () => {
    if (resolved?.eachStoryFresh) await startAfresh(stack, resolved);
  });
  return stack;
}

/** Empties the stack and resets its platforms for the next story (`eachStoryFresh`). */
async function startAfresh(stack: TestStack, options: StoriesOptions): Promise<void> {
  stack.configure();
  await stack.emulator.control.clearFaults();
  if (options.eachStoryFresh === "destroy must succeed") {
    // Whatever a story protected is unprotected first, as a user would (`up` without protect).
    for (const resource of stack.engine.resources()) delete resource.protect;
    expect(failures(await stack.destroy())).toEqual([]);
  } else {
    // An empty stack, as after a destroy, without a destroy's provider process: deleting a
    // UserEmail changes nothing on the platform, which is reset below anyway.
    stack.restore({ resources: [] });
  }
  for (const platform of [stack.emulator, ...(options.alsoReset?.() ?? [])]) {
    await platform.control.reset();
  }
  stack.output.length = 0;
  stack.calls.length = 0;
}

/**
 * An emulator for a file's stories that need no stack: started before them, closed after. A
 * function makes a large seed only when the stories run, not while the file is collected.
 */
export function emulatorForStories(
  options: EmulatorOptions | (() => EmulatorOptions),
): RunningEmulator {
  return openedForStories(
    () => startEmulator(typeof options === "function" ? options() : options),
    async (emulator) => {
      recordIssuedTokens(emulator);
      await emulator.close();
    },
  );
}

/** The datacenters of `startDatacenters` (eu2 and us5) for a file's stories. */
export function datacentersForStories(): RunningDatacenters<"eu2" | "us5"> {
  return openedForStories(
    () => startDatacenters(),
    async (platform) => {
      for (const dc of Object.values(platform.datacenters)) recordIssuedTokens(dc);
      await platform.close();
    },
  );
}

/**
 * Opens a value in `beforeAll` and closes it in `afterAll`. What it returns stands for the value
 * from then on, so a story file declares its stack in one line rather than a `let` and two hooks.
 */
function openedForStories<T extends object>(
  open: () => Promise<T>,
  close: (value: T) => Promise<void>,
): T {
  let opened: T | undefined;
  beforeAll(async () => {
    opened = await open();
  });
  afterAll(async () => {
    if (opened !== undefined) await close(opened);
  });
  const current = (key: PropertyKey): T => {
    if (opened === undefined) {
      throw new Error(
        `${String(key)}: not open yet; use it in a story or hook, not while collecting`,
      );
    }
    return opened;
  };
  return new Proxy({} as T, {
    get(_, key) {
      // Not a promise: `await` and vitest's printing may probe these before the value is open.
      if (opened === undefined && (key === "then" || typeof key === "symbol")) return undefined;
      const target = current(key);
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
    set: (_, key, value) => Reflect.set(current(key), key, value),
    has: (_, key) => Reflect.has(current(key), key),
  });
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

/** Hands the tokens an emulator issued to the suite's secret guard (test/global-setup.ts). */
export function recordIssuedTokens(emulator: {
  state: { issuedTokens(): readonly string[] };
}): void {
  for (const token of emulator.state.issuedTokens()) transcribe("token", token);
}
