import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../../engine/workspace";

/** `npm run emulator` (the built command, as the package script runs it after its build). */
export const EMULATOR_CLI = path.join(REPO_ROOT, "dist", "emulator", "cli.js");

export interface EmulatorProcess {
  child: ChildProcess;
  /** Everything it printed on stdout before it served its first answer: its banner. */
  banner: string;
  /** The port of its (first) base URL. */
  port: string;
  stop(): void;
}

/**
 * Starts the emulator's command in a child process and reads its banner. It is serving once its
 * last `control <url>` line is out (a signal, not a delay); the banner is written in the same
 * tick, before the server answers anything, so once a request to that URL is answered the whole
 * banner is in the pipe, and read by then.
 */
export async function startEmulatorCli(args: string[]): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [EMULATOR_CLI, ...args], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const out = { text: "" };
  const lastControl = args.includes("--datacenters")
    ? /^datacenter us5 .* control (\S+)\n/m
    : /^control (\S+)\n/m;
  const control = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out.text += chunk.toString("utf8");
      const url = lastControl.exec(out.text)?.[1];
      if (url) resolve(url);
    });
    child.once("exit", (code) => reject(new Error(`the emulator exited (${code}): ${out.text}`)));
  });
  await (await fetch(control)).text();
  await new Promise((resolve) => setImmediate(resolve));
  const port = /127\.0\.0\.1:(\d+)/.exec(out.text)?.[1] as string;
  return { child, banner: out.text, port, stop: () => child.kill("SIGTERM") };
}

/** The emulator's own `export ...` block, as a user pastes it. */
export function pastedExports(banner: string): string {
  const at = banner.indexOf("export ACRONIS_BASE_URL=");
  if (at < 0) throw new Error(`the emulator printed no export block:\n${banner}`);
  return banner.slice(at);
}
