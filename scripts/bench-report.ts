import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { generatedUserId } from "../emulator";
import { REPO_ROOT, serializeProvider } from "../engine/workspace";
import { userEmailProvider } from "../provider";
import { atMost, printTable, type Row, reported } from "./bench-table";

/**
 * The report command (`pulumi-acronis-user-email report`) on a 10,000-account stack export:
 * wall time of the command as a user runs it (the built bin in its own process, reading the
 * file), and that process's peak RSS, set against the state's own size: what it holds beyond a
 * one-account report's process must stay within a small multiple of the file (the file is read
 * whole, parsed, and every account becomes one row). Each the fastest of three runs. Alone:
 * `npm run bench:report`.
 */

const BIN = path.join(REPO_ROOT, "dist", "provider", "cli", "main.js");
const ACCOUNTS = 10_000;
const NOW = "2026-12-08T09:00:00.000Z";
/** Bounds of the bench row (issue: under 2 s; memory bounded by the state's size). */
const MAX_MS = 2000;
const MAX_RSS_PER_STATE_BYTE = 3;

const P = "urn:pulumi:fleet::acronis-accounts::";
const DEFAULT_PROVIDER = `${P}pulumi:providers:pulumi-nodejs::default`;
const PROVIDER_ID = "7b0a3c52-1f6e-4a8e-9d13-6a2f0e4c8b11";
const TIME = "2026-11-02T10:14:07.481516Z";

/** One UserEmail in `ResourceV3` form: 3 in 4 synced, 1 in 5 pending (up to 30 days), the rest drifted. */
function account(i: number, providerText: string) {
  const userId = generatedUserId(i);
  const kind = i % 20 < 15 ? "synced" : i % 20 < 19 ? "pendingConfirmation" : "drifted";
  const email = `user${i}@bench.example`;
  const requestedAt =
    kind === "pendingConfirmation"
      ? new Date(Date.parse(NOW) - (i % 30) * 86_400_000 - 3_600_000).toISOString()
      : null;
  const inputs = { __provider: providerText, email, resendAfter: "24h", userId };
  return {
    urn: `${P}pulumi-nodejs:dynamic/acronis:UserEmail::user${i}`,
    custom: true,
    id: userId,
    type: "pulumi-nodejs:dynamic/acronis:UserEmail",
    inputs,
    outputs: {
      __provider: providerText,
      activated: true,
      confirmationRequestedAt: requestedAt,
      email,
      liveEmail: kind === "synced" ? email : `user${i}@old.example`,
      login: `user${i}`,
      pendingEmail: requestedAt === null ? null : email,
      status: kind,
      tenantId: `a0000000-0000-4000-8000-${String(Math.floor(i / 100)).padStart(12, "0")}`,
      userId,
      version: i,
    },
    parent: `${P}pulumi:pulumi:Stack::acronis-accounts-fleet`,
    provider: `${DEFAULT_PROVIDER}::${PROVIDER_ID}`,
    propertyDependencies: { __provider: [], email: [], resendAfter: [], userId: [] },
    created: TIME,
    modified: TIME,
  };
}

/** A `pulumi stack export` of `n` accounts, as the CLI prints it (indented by four spaces). */
function stackExport(n: number, providerText: string): string {
  const resources = [
    {
      urn: `${P}pulumi:pulumi:Stack::acronis-accounts-fleet`,
      custom: false,
      type: "pulumi:pulumi:Stack",
    },
    {
      urn: DEFAULT_PROVIDER,
      custom: true,
      id: PROVIDER_ID,
      type: "pulumi:providers:pulumi-nodejs",
    },
    ...Array.from({ length: n }, (_, k) => account(k + 1, providerText)),
  ];
  const deployment = { manifest: { time: TIME, magic: "", version: "v3.226.0" }, resources };
  return JSON.stringify({ version: 3, deployment }, null, 4);
}

interface Run {
  ms: number;
  rssBytes: number;
  outBytes: number;
}

/** The bin on `file`, its peak RSS reported on fd 3 as it exits. */
function runReport(file: string, format: string): Promise<Run> {
  const wrapper = `process.on("exit", () => require("node:fs").writeSync(3, String(process.resourceUsage().maxRSS)));
    process.argv = [process.argv[0], ${JSON.stringify(BIN)}, ...process.argv.slice(1)];
    require(${JSON.stringify(BIN)});`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ["-e", wrapper, "--", "report", file, "--format", format, "--now", NOW],
      { stdio: ["ignore", "pipe", "pipe", "pipe"] },
    );
    let outBytes = 0;
    let err = "";
    let rss = "";
    proc.stdout?.on("data", (d: Buffer) => (outBytes += d.length));
    proc.stderr?.on("data", (d) => (err += d));
    proc.stdio[3]?.on("data", (d) => (rss += d));
    proc.on("error", reject);
    proc.on("close", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`report exited ${code}: ${err.trim()}`));
      else resolve({ ms, rssBytes: Number(rss) * 1024, outBytes });
    });
  });
}

async function fastest(file: string, format: string, runs = 3): Promise<Run> {
  let best: Run | undefined;
  for (let i = 0; i < runs; i++) {
    const run = await runReport(file, format);
    if (best === undefined || run.ms < best.ms) best = run;
  }
  return best as Run;
}

export async function reportRows(): Promise<Row[]> {
  const providerText = await serializeProvider(userEmailProvider);
  const dir = mkdtempSync(path.join(tmpdir(), "bench-report-"));
  try {
    const large = path.join(dir, "fleet.json");
    const small = path.join(dir, "one.json");
    writeFileSync(large, stackExport(ACCOUNTS, providerText));
    writeFileSync(small, stackExport(1, providerText));
    const stateBytes = statSync(large).size;
    const base = await fastest(small, "markdown");
    const markdown = await fastest(large, "markdown");
    const json = await fastest(large, "json");
    const mb = (b: number) => `${(b / 1_048_576).toFixed(1)} MB`;
    const s = (r: Run) => `${(r.ms / 1000).toFixed(2)} s`;
    const perByte = (r: Run) => (r.rssBytes - base.rssBytes) / stateBytes;
    return [
      reported(
        "report 10,000 accounts: state, peak RSS",
        `state ${mb(stateBytes)}; markdown ${s(markdown)}, ${mb(markdown.rssBytes)} (prints ${mb(markdown.outBytes)}); json ${s(json)}, ${mb(json.rssBytes)}; 1 account ${s(base)}, ${mb(base.rssBytes)}`,
      ),
      atMost("report 10,000 accounts, markdown: time", markdown.ms, MAX_MS, "ms"),
      atMost("report 10,000 accounts, json: time", json.ms, MAX_MS, "ms"),
      atMost(
        "report 10,000 accounts: RSS beyond 1 account's, per state byte",
        Math.max(perByte(markdown), perByte(json)),
        MAX_RSS_PER_STATE_BYTE,
        "x",
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  reportRows().then(
    (rows) => {
      printTable(rows, (line) => console.log(line));
      if (rows.some((r) => r.pass === false)) process.exitCode = 1;
    },
    (error: unknown) => {
      console.error("bench-report failed:", error);
      process.exitCode = 2;
    },
  );
}
