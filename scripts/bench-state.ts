import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { generatedUserId, generateSeed, type RunningEmulator, startEmulator } from "../emulator";
import { demoStackConfig } from "../emulator/demo-stack-config";
import {
  type CheckpointResource,
  checkpointFile,
  resourceBytes,
  serializeCheckpoint,
} from "../engine/checkpoint";
import { Engine, failures, type Goal, type RunResult } from "../engine/engine";
import { ProviderHost } from "../engine/host";
import type { RegistrationSource } from "../engine/source-position";
import {
  createWorkspace,
  USER_EMAIL_TYPE,
  userEmailGoal,
  type Workspace,
} from "../engine/workspace";
import { printTable, type Row, reported } from "./bench-table";
import { exampleRegistrations } from "./example-registrations";

/**
 * What Pulumi's state writes cost a large stack on a self-managed backend (engine/checkpoint.ts:
 * the whole checkpoint rewritten before and after every create, update and delete, as
 * pkg/backend/snapshot.go and diy/state.go do), through the local engine and the real host, at
 * 20 ms per answer: adopting N accounts into an empty stack, then an `up` changing 10 and one
 * changing all, each with and without PULUMI_SKIP_CHECKPOINTS. Each row is the update
 * deployment (`--skip-preview`: a preview writes nothing).
 *
 * Bytes are exact: at 1,000 accounts each checkpoint is marshalled and written to a file; at
 * 10,000 (20,000 writes of up to 15 MB would take hours) each write is sized exactly without
 * marshalling, and its time extrapolated from checkpoints of that stack actually written
 * (ms per MB measured in the same run); those rows say "extrapolated".
 * Runs inside `npm run bench`, or alone: `npm run bench:state`.
 */

const PROJECT = "bench-state";
const LATENCY_MS = 20;

export interface StateFigures {
  accounts: number;
  scenario: string;
  mode: "checkpoints" | "PULUMI_SKIP_CHECKPOINTS";
  writes: number;
  bytes: number;
  /** The history and backup copies after the command (engine/checkpoint-copies.ts). */
  copies: number;
  ms: number;
  extrapolated: boolean;
}

/** One stack on its own platform; state persisted to a file, or sized only. */
async function stackOf(
  emulator: RunningEmulator,
  ws: Workspace,
  dir: string,
  persist: { file?: string; skipCheckpoints?: boolean },
): Promise<Engine> {
  const config = demoStackConfig({ name: PROJECT, config: {} }, emulator.baseUrl);
  return new Engine({
    project: PROJECT,
    stack: path.basename(dir),
    stackConfig: () => ({ values: config, secretKeys: ["acronis:clientSecret"] }),
    startHost: ProviderHost.starter({ cwd: ws.dir, project: PROJECT, config }),
    checkpoint: persist,
  });
}

/**
 * The source position and stack trace the Node SDK sends with a UserEmail registration of our
 * own program (examples/from-yaml, run under the SDK's runner against the demo platform), as the
 * engine keeps them in each resource's state (engine/source-position.ts).
 */
async function programSource(): Promise<RegistrationSource> {
  const emulator = await startEmulator({});
  try {
    const { registrations } = await exampleRegistrations(
      "from-yaml",
      "bench-state-source",
      emulator.baseUrl,
      "fleet",
    );
    const found = registrations.find((g) => g.type === USER_EMAIL_TYPE)?.source;
    if (!found)
      throw new Error("examples/from-yaml registered no UserEmail with a source position");
    return found;
  } finally {
    await emulator.close();
  }
}

function goals(
  ws: Workspace,
  n: number,
  email: (i: number) => string,
  source: RegistrationSource,
): Goal[] {
  // The generated seed numbers its accounts from 1.
  return Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    const goal = userEmailGoal(ws, `user${i}`, { userId: generatedUserId(i), email: email(i) });
    return { ...goal, source };
  });
}

const asSeeded = (i: number) => `user${i}@bench.example`;
const moved = (i: number) => `user${i}@moved.example`;
const tenMoved = (i: number) => (i <= 10 ? moved(i) : asSeeded(i));

function checked(what: string, result: RunResult): RunResult {
  const failed = failures(result);
  if (failed.length > 0) throw new Error(`${what}: ${failed[0]?.error}`);
  if (!result.checkpoint) throw new Error(`${what}: no state written`);
  return result;
}

/** ms per byte of writing this stack's whole checkpoint to a file, from `samples` real writes. */
function writeCost(engine: Engine, dir: string, samples = 5): number {
  const file = path.join(dir, "sample.json");
  const resources = engine.resources() as CheckpointResource[];
  const started = performance.now();
  let bytes = 0;
  for (let i = 0; i < samples; i++) {
    const text = serializeCheckpoint({ stack: "sample", project: PROJECT }, resources);
    writeFileSync(file, text);
    bytes += Buffer.byteLength(text);
  }
  return (performance.now() - started) / bytes;
}

async function scenarios(
  ws: Workspace,
  n: number,
  skipCheckpoints: boolean,
  toFile: boolean,
  source: RegistrationSource,
) {
  const emulator = await startEmulator({
    seed: generateSeed({ users: n, usersPerTenant: 100, activatedRatio: 0 }) as never,
    latencyMs: LATENCY_MS,
  });
  const dir = mkdtempSync(path.join(tmpdir(), `bench-state-${n}-`));
  try {
    const file = toFile ? checkpointFile(dir, PROJECT, "fleet") : undefined;
    const engine = await stackOf(emulator, ws, path.join(dir, "fleet"), {
      ...(file ? { file } : {}),
      skipCheckpoints,
    });
    const figures: StateFigures[] = [];
    const mode = skipCheckpoints ? "PULUMI_SKIP_CHECKPOINTS" : "checkpoints";
    const runs: [string, (i: number) => string][] = [
      ["adopt into an empty stack", asSeeded],
      ["up changing 10", tenMoved],
      ["up changing all", moved],
    ];
    let perByte: number | undefined;
    for (const [scenario, email] of runs) {
      const result = checked(
        `${n} ${scenario}`,
        await engine.up(goals(ws, n, email, source), { skipPreview: true }),
      );
      const stats = result.checkpoint as NonNullable<RunResult["checkpoint"]>;
      const sized = !toFile && !skipCheckpoints;
      if (sized) perByte ??= writeCost(engine, dir);
      figures.push({
        accounts: n,
        scenario,
        mode,
        writes: stats.writes,
        bytes: stats.bytes,
        copies: stats.copies?.bytes ?? 0,
        // Sized runs spent (almost) no time writing: add what the writes would have taken.
        ms: result.ms + (sized ? stats.bytes * (perByte as number) : 0),
        extrapolated: sized,
      });
    }
    const sample = engine.resources().find((r) => r.type.includes("UserEmail"));
    return { figures, sample };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await emulator.close();
  }
}

const mb = (bytes: number) =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Bytes each output of a UserEmail costs in state (`"key":value,`), largest first. */
function outputCosts(outputs: Record<string, unknown>): string {
  return Object.entries(outputs)
    .map(([k, v]) => [k, Buffer.byteLength(JSON.stringify({ [k]: v })) - 1] as const)
    .sort((a, b) => b[1] - a[1])
    .map(([k, b]) => `${k} ${b}`)
    .join(", ");
}

export async function stateRows(sizes: readonly number[] = [1000, 10_000]) {
  const ws = await createWorkspace("bench-state");
  const figures: StateFigures[] = [];
  const rows: Row[] = [];
  let sample: CheckpointResource | undefined;
  const source = await programSource();
  for (const n of sizes) {
    for (const skip of [false, true]) {
      const run = await scenarios(ws, n, skip, n <= 1000, source);
      figures.push(...run.figures);
      sample ??= run.sample;
    }
  }
  for (const f of figures) {
    rows.push(
      reported(
        `state @${LATENCY_MS}ms ${f.accounts.toLocaleString("en-US")}: ${f.scenario}, ${f.mode}`,
        `${seconds(f.ms)}${f.extrapolated ? " (extrapolated)" : ""}, ${f.writes} writes, ${mb(f.bytes)}` +
          ` + ${mb(f.copies)} history and backup copies`,
      ),
    );
  }
  if (sample) {
    const bytes = resourceBytes({ stack: "fleet", project: PROJECT }, sample);
    rows.push(
      reported(
        "state bytes per account: ours (inputs + outputs) / Pulumi's metadata",
        `${bytes.inputsAndOutputs} / ${bytes.metadata} (total ${bytes.total})`,
      ),
      reported("state bytes per output of ours", outputCosts(sample.outputs)),
    );
  }
  return { rows, figures };
}

if (require.main === module) {
  const sizes = process.argv.includes("--quick") ? [1000] : [1000, 10_000];
  stateRows(sizes).then(
    ({ rows }) => printTable(rows, (line) => console.log(line)),
    (error: unknown) => {
      console.error("bench-state failed:", error);
      process.exitCode = 2;
    },
  );
}
