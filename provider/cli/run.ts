import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { AccountsFileError } from "../accounts-file/accounts";
import { AcronisApiError, AcronisClient } from "../api";
import { clientOptions, SettingsError } from "../settings/settings";
import { COMMAND, type ExportArgs, HELP, parseCommandLine } from "./args";
import { AtomicFile, exists, writeWhole } from "./atomic-file";
import {
  type ExportCounts,
  emptyCounts,
  leftOutReason,
  leftOutSummary,
  renderEntry,
  renderHeader,
} from "./entries";
import { ExportSettingsError, exportSettings } from "./export-settings";
import { MergeTarget } from "./merge";
import { type ProgressStream, progressLine } from "./progress";
import { runReport } from "./report";

/**
 * `pulumi-acronis-user-email export`: a tenant's users, listed page by page through the
 * provider's own API client, written as an accounts file (or merged into one). Returns the exit
 * code: 0 done, 1 failed (nothing written), 2 bad command line. Messages name counts, ids and
 * files, never an address: addresses go into the file only.
 */

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Standard input (`report` reads the state from it); default: the process's. */
  stdin?: AsyncIterable<string | Buffer> & { isTTY?: boolean };
  /** Called after each page is handled (written, or added to the merge). */
  onPage?: (progress: { users: number; pages: number; bytesWritten: number }) => void;
}

/** A failure the user can act on, printed as it is. */
class ExportError extends Error {}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] === "report") {
    return runReport(argv.slice(1), { ...io, stdin: io.stdin ?? process.stdin });
  }
  const parsed = parseCommandLine(argv);
  switch (parsed.kind) {
    case "help":
      io.stdout.write(HELP);
      return 0;
    case "version":
      io.stdout.write(`${packageVersion()}\n`);
      return 0;
    case "error":
      io.stderr.write(`${COMMAND}: ${parsed.message}\n`);
      return 2;
  }
  try {
    io.stdout.write(`${await runExport(parsed.args, io)}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`${COMMAND} export: ${describe(error, parsed.args)}\n`);
    return 1;
  }
}

function describe(error: unknown, args: ExportArgs): string {
  const nothing = "; nothing was written";
  if (error instanceof AcronisApiError) {
    const hint =
      error.status === 404 && error.kind === "http"
        ? `. No such tenant: check --tenant, and that ${args.baseUrl ? "--base-url" : "ACRONIS_BASE_URL"} is its datacenter`
        : error.status === 403 && error.kind === "http"
          ? ". The tenant is outside the API client's tenant, or the client lacks tenant_viewer"
          : "";
    return `listing the users of tenant ${args.tenant} failed: ${error.message}${hint}${nothing}`;
  }
  if (
    error instanceof AccountsFileError ||
    error instanceof ExportError ||
    error instanceof ExportSettingsError
  ) {
    return `${error.message}${error.message.includes("nothing was") ? "" : nothing}`;
  }
  if (error instanceof SettingsError) return `${error.message}${nothing}`;
  // Our own failure (disk full, a bug): the message, never a stack trace.
  return `${error instanceof Error ? error.message : String(error)}${nothing}`;
}

/** Runs the export; returns the summary line. Throws with nothing written on any failure. */
export async function runExport(args: ExportArgs, io: CliIo): Promise<string> {
  const target = path.resolve(io.cwd, args.output);
  if (!(await exists(path.dirname(target)))) {
    throw new ExportError(`--output: the directory of ${args.output} does not exist`);
  }
  const there = await exists(target);
  if (there && !args.force && !args.merge) {
    throw new ExportError(
      `${args.output} exists: pass --force to replace it, or --merge to add the accounts it lacks`,
    );
  }
  if (!there && args.merge) {
    throw new ExportError(
      `--merge: ${args.output} does not exist; run without --merge to write it`,
    );
  }
  const settings = exportSettings(args, io.env);
  const connection = args.connection
    ? { name: args.connection, baseUrl: settings.baseUrl, clientId: settings.clientId }
    : undefined;
  // The merge target is checked whole before any call to the platform.
  const merge = args.merge
    ? new MergeTarget(await readFile(target, "utf8"), args.output, args.by, connection)
    : undefined;

  const out = merge ? undefined : await AtomicFile.create(target);
  const client = new AcronisClient({
    ...clientOptions(settings),
    batchReads: false,
    readAhead: false,
    readCacheTtlMs: 0,
  });
  const progress = progressLine(io.stderr);
  const counts = emptyCounts();
  try {
    let users = 0;
    let pages = 0;
    for await (const page of client.listTenantUsers(args.tenant, { includeDeleted: true })) {
      let text = "";
      for (const user of page) {
        const reason = leftOutReason(user);
        if (reason !== undefined) {
          counts.leftOut[reason]++;
          continue;
        }
        counts.entries++;
        if (merge) merge.add(user);
        else text += renderEntry(user, args.by, args.connection);
      }
      if (out) await out.write(text);
      users += page.length;
      pages++;
      progress.update(users, pages);
      io.onPage?.({ users, pages, bytesWritten: out?.size ?? 0 });
    }
    progress.done();
    if (merge) return await finishMerge(merge, args, target, counts);
    await out?.commit(renderHeader({ tenant: args.tenant, by: args.by, counts, connection }), {
      replace: args.force,
    });
    return `wrote ${counts.entries} account${counts.entries === 1 ? "" : "s"} of tenant ${args.tenant} to ${args.output} (left out: ${leftOutSummary(counts)})`;
  } catch (error) {
    progress.done();
    throw error;
  } finally {
    await out?.abort();
    await client.close();
  }
}

async function finishMerge(
  merge: MergeTarget,
  args: ExportArgs,
  target: string,
  counts: ExportCounts,
): Promise<string> {
  const text = merge.finish(args.tenant, counts);
  const summary = `(${merge.alreadyThere} already in it; left out: ${leftOutSummary(counts)})`;
  if (merge.added === 0 && text === (await readFile(target, "utf8"))) {
    return `added 0 accounts of tenant ${args.tenant} to ${args.output} ${summary}; the file was not changed`;
  }
  await writeWhole(target, text);
  return `added ${merge.added} account${merge.added === 1 ? "" : "s"} of tenant ${args.tenant} to ${args.output} ${summary}`;
}

/** This package's version, from the package.json above this file (source or dist). */
function packageVersion(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pulumi-acronis-user-email") return pkg.version ?? "unknown";
    }
  }
  return "unknown";
}
