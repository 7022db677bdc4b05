#!/usr/bin/env node
import { parseArgs } from "node:util";
import { DEMO_CLIENT_ID, SeedError } from "./seed";
import { startEmulator } from "./server";

const USAGE = `usage: node dist/emulator/cli.js [--port 8080] [--seed file.yaml] [--token-ttl 7200]
                                   [--latency 0] [--quiet]`;

function intOption(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative integer\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}

function parseCli() {
  try {
    return parseArgs({
      options: {
        port: { type: "string", default: "8080" },
        seed: { type: "string" },
        "token-ttl": { type: "string" },
        latency: { type: "string" },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const values = parseCli();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const emu = await startEmulator({
    port: intOption(values.port, "port"),
    // Loopback only: the control surface has no auth.
    host: "127.0.0.1",
    seed: values.seed,
    tokenTtlSeconds: intOption(values["token-ttl"], "token-ttl"),
    latencyMs: intOption(values.latency, "latency"),
    log: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  // First lines on stdout are machine-readable for scripts that start the emulator.
  process.stdout.write(`base_url ${emu.baseUrl}\n`);
  if (values.seed === undefined) process.stdout.write(`client_id ${DEMO_CLIENT_ID}\n`);
  process.stdout.write(`control ${emu.url}/_emulator/\n`);
  const stop = (signal: string) => {
    process.stderr.write(`${signal}: stopping\n`);
    emu.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((e: unknown) => {
  if (e instanceof SeedError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${String((e as Error)?.stack ?? e)}\n`);
  process.exit(1);
});
