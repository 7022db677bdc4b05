import { cpSync, existsSync, rmSync } from "node:fs";
import * as path from "node:path";
import { generateSeed, startEmulator } from "../emulator";
import { createWorkspace, PACKAGE_NAME } from "../engine/workspace";
import { BenchStack, type Measure, median, movedEmail, range, seedEmail } from "./bench-harness";

/**
 * The first `pulumi preview` of an adoption: 1,000 accounts new to the stack (10 tenants of 100,
 * half of them activated, every third one at a new address), at 20 ms per platform answer,
 * through the local engine and the real provider host. With a second built provider
 * (`dist/provider` of another checkout) it runs both, alternating, in the same process on the
 * same platform, and prints the ratio: `node dist/scripts/bench-first-preview.js
 * <other checkout>/dist/provider`. Requests and time per preview; the median of the runs.
 */

const ACCOUNTS = 1_000;
const LATENCY_MS = 20;
const RUNS = 3;

async function workspaceOf(name: string, providerDir: string | undefined) {
  const ws = await createWorkspace(name);
  if (providerDir !== undefined) {
    if (!existsSync(path.join(providerDir, "index.js"))) {
      throw new Error(`${providerDir}: no index.js; give the dist/provider of a built checkout`);
    }
    const target = path.join(ws.dir, "node_modules", PACKAGE_NAME, "dist", "provider");
    rmSync(target, { recursive: true, force: true });
    cpSync(providerDir, target, { recursive: true });
  }
  return ws;
}

async function main(): Promise<void> {
  const other = process.argv[2];
  const contenders: [string, string | undefined][] = [["this checkout", undefined]];
  if (other !== undefined) contenders.unshift([`other (${other})`, path.resolve(other)]);
  const emulator = await startEmulator({
    seed: generateSeed({ users: ACCOUNTS, usersPerTenant: 100, activatedRatio: 0.5 }),
  });
  try {
    await emulator.control.latency(LATENCY_MS);
    const spaces = await Promise.all(
      contenders.map(([, dir], k) => workspaceOf(`bench-first-preview-${k}`, dir)),
    );
    // Without the guard, and with it (the host's environment sets it): before this change only
    // the guard made Check read.
    for (const [mode, env] of [
      ["acronis:maxEmailChanges unset", {}],
      ["acronis:maxEmailChanges=1000", { ACRONIS_MAX_EMAIL_CHANGES: String(ACCOUNTS) }],
    ] as const) {
      const runs = new Map<string, Measure[]>();
      for (let run = 1; run <= RUNS; run++) {
        for (const [k, [name]] of contenders.entries()) {
          const ws = spaces[k];
          if (ws === undefined) continue;
          // A new engine: an empty stack, so every account is new to it.
          const stack = new BenchStack(emulator, ws, ws.providerText, `first-${k}-${run}`, env);
          const goals = stack.goals(range(ACCOUNTS), (i) =>
            i % 3 === 0 ? movedEmail(i) : seedEmail(i),
          );
          console.error(`bench: first preview, ${mode}, ${name}, run ${run}/${RUNS}`);
          const measured = await stack.measure(name, () => stack.engine.preview(goals));
          runs.set(name, [...(runs.get(name) ?? []), measured]);
        }
      }
      report(mode, contenders, runs);
    }
  } finally {
    await emulator.close();
  }
}

function report(
  mode: string,
  contenders: readonly (readonly [string, string | undefined])[],
  runs: ReadonlyMap<string, Measure[]>,
): void {
  console.log(
    `First preview of ${ACCOUNTS} accounts new to the stack at ${LATENCY_MS} ms, ${mode} ` +
      `(median of ${RUNS}):`,
  );
  const medians = contenders.map(([name]) => [name, median(runs.get(name) ?? [])] as const);
  for (const [name, m] of medians) {
    console.log(
      `  ${name}: ${(m.ms / 1000).toFixed(2)} s, ${m.requests} requests (${m.reads} reads) + ` +
        `${m.tokens} token`,
    );
  }
  const [before, after] = medians;
  if (before && after && medians.length === 2) {
    console.log(`  time ratio this/other: ${(after[1].ms / before[1].ms).toFixed(2)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
