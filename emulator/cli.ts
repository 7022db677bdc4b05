#!/usr/bin/env node
import { parseArgs } from "node:util";
import { DATACENTERS, startDatacenters } from "./datacenters";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from "./demo-seeds";
import { SeedError } from "./seed";
import { type RunningEmulator, startEmulator } from "./server";

const USAGE = `usage: node dist/emulator/cli.js [--port 8080] [--seed file.yaml] [--token-ttl 7200]
                                   [--latency 0] [--quiet]
       node dist/emulator/cli.js --datacenters [--port 8080] [--token-ttl 7200] [--latency 0]
                                   [--quiet]
  --datacenters  two datacenters at once, ${Object.keys(DATACENTERS).join(" and ")}, on --port and
                 the port after it, each with its own tenants, API client and accounts`;

/**
 * What a user pastes into a shell to point the export command (or a stack's default provider) at
 * this emulator. The secret is the emulator's own sandbox client's, published in
 * emulator/README.md; it opens nothing but this local process.
 */
function sandboxExports(baseUrl: string, clientId: string, secret: string): string {
  return [
    "# The emulator's sandbox API client (a public test secret, valid only here). Paste to use it:",
    `export ACRONIS_BASE_URL=${baseUrl} \\`,
    `  ACRONIS_CLIENT_ID=${clientId} \\`,
    `  ACRONIS_CLIENT_SECRET=${secret}`,
    "",
  ].join("\n");
}

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
        datacenters: { type: "boolean", default: false },
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
  const common = {
    // Loopback only: the control surface has no auth.
    host: "127.0.0.1",
    tokenTtlSeconds: intOption(values["token-ttl"], "token-ttl"),
    latencyMs: intOption(values.latency, "latency"),
    log: values.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`),
  };
  let close: () => Promise<void>;
  if (values.datacenters) {
    if (values.seed !== undefined) {
      process.stderr.write(`--seed and --datacenters cannot be combined\n${USAGE}\n`);
      process.exit(2);
    }
    const running = await startDatacenters(DATACENTERS, {
      ...common,
      port: intOption(values.port, "port"),
    });
    // One line per datacenter, machine-readable: name, base URL, API client, control surface.
    for (const [name, emu] of Object.entries<RunningEmulator>(running.datacenters)) {
      const { clientId } = DATACENTERS[name as keyof typeof DATACENTERS];
      process.stdout.write(
        `datacenter ${name} base_url ${emu.baseUrl} client_id ${clientId} control ${emu.url}/_emulator/\n`,
      );
    }
    const eu2 = running.datacenters.eu2;
    process.stdout.write(sandboxExports(eu2.baseUrl, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET));
    close = running.close;
  } else {
    const emu = await startEmulator({
      ...common,
      port: intOption(values.port, "port"),
      seed: values.seed,
    });
    // First lines on stdout are machine-readable for scripts that start the emulator.
    process.stdout.write(`base_url ${emu.baseUrl}\n`);
    if (values.seed === undefined) process.stdout.write(`client_id ${DEMO_CLIENT_ID}\n`);
    process.stdout.write(`control ${emu.url}/_emulator/\n`);
    if (values.seed === undefined) {
      process.stdout.write(sandboxExports(emu.baseUrl, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET));
    }
    close = () => emu.close();
  }
  const stop = (signal: string) => {
    process.stderr.write(`${signal}: stopping\n`);
    close().then(
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
