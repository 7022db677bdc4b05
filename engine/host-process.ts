import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline";
import type { OutputLine } from "./model";
import { SDK_ROOT } from "./sdk";
import { transcribe } from "./transcript";

/**
 * The provider host's process, as the engine launches a plugin (pulumi/pulumi
 * sdk/go/common/resource/plugin/plugin.go `newPlugin`): `node <sdk>/cmd/dynamic-provider
 * <engine>` in the program directory, its port read from its first line of output, every later
 * line kept. host.ts speaks gRPC to it.
 */

export const HOST_SCRIPT = path.join(SDK_ROOT, "cmd", "dynamic-provider", "index.js");

export interface HostProcessOptions {
  /** The program directory: the serialized provider's require() calls resolve from here. */
  cwd: string;
  project: string;
  env?: NodeJS.ProcessEnv;
  /** Where the host's output lines go (default: a list of its own). */
  output?: OutputLine[];
}

/** Spawns the host and resolves once it has printed its port. */
export async function spawnHost(
  options: HostProcessOptions,
): Promise<{ child: ChildProcess; port: number; lines: OutputLine[] }> {
  const child = spawn(process.execPath, [HOST_SCRIPT, "127.0.0.1:1"], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, PULUMI_NODEJS_PROJECT: options.project },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: OutputLine[] = options.output ?? [];
  const port = await new Promise<number>((resolve, reject) => {
    let stderr = "";
    const out = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const err = createInterface({ input: child.stderr as NodeJS.ReadableStream });
    let portSeen = false;
    out.on("line", (line) => {
      if (!portSeen) {
        portSeen = true;
        const port = Number(line.trim());
        if (Number.isInteger(port) && port > 0) resolve(port);
        else reject(new Error(`provider host printed "${line}" instead of its port`));
        return;
      }
      lines.push({ line, stream: "stdout" });
      transcribe("output", line);
    });
    err.on("line", (line) => {
      stderr += `${line}\n`;
      lines.push({ line, stream: "stderr" });
      transcribe("output", line);
    });
    child.once("exit", (code) => {
      if (!portSeen)
        reject(new Error(`provider host exited (${code}) before listening:\n${stderr}`));
    });
    child.once("error", reject);
  });
  return { child, port, lines };
}

/** VmHWM of a live process: its peak resident set, which survives the moment of the peak. */
export function readPeakRssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}
