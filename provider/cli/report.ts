import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { COMMAND } from "./args";
import { parseReportLine, REPORT_HELP, type ReportArgs } from "./report-args";
import { formatReport } from "./report-format";
import { buildReport, onlyRows, reportFailures } from "./report-rows";
import { ReportInputError, readStackExport } from "./report-state";

/**
 * `pulumi-acronis-user-email report`: reads a stack's state (a file, or standard input), prints
 * the report, and returns the exit code: 0 reported, 1 the state could not be read (one line on
 * stderr, nothing on stdout), 2 bad command line, 3 a `--fail-if-...` condition holds (the
 * report printed, the reason on stderr). Reads nothing but the state: no credentials, no calls.
 */

export interface ReportIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  cwd: string;
  /** Standard input; `isTTY` true means nobody piped anything in. */
  stdin: AsyncIterable<string | Buffer> & { isTTY?: boolean };
}

export const EXIT_UNREADABLE = 1;
export const EXIT_USAGE = 2;
export const EXIT_CONDITION = 3;

/** `argv` after the word `report`. */
export async function runReport(argv: readonly string[], io: ReportIo): Promise<number> {
  const parsed = parseReportLine(argv);
  if (parsed.kind === "help") {
    io.stdout.write(REPORT_HELP);
    return 0;
  }
  if (parsed.kind === "error") {
    io.stderr.write(`${COMMAND} ${parsed.message}\n`);
    return EXIT_USAGE;
  }
  const { args } = parsed;
  let text: Buffer;
  let report: ReturnType<typeof buildReport>;
  try {
    text = await readInput(args, io);
    const source = args.file ?? "standard input";
    report = buildReport(readStackExport(text, source), args.now ?? new Date());
  } catch (error) {
    io.stderr.write(`${COMMAND} report: ${describe(error)}\n`);
    return EXIT_UNREADABLE;
  }
  io.stdout.write(
    formatReport(onlyRows(report, args.only), args.format, { showEmails: args.showEmails }),
  );
  const failed = reportFailures(report, {
    ...(args.failIfPendingOverMs !== undefined ? { pendingOverMs: args.failIfPendingOverMs } : {}),
    drifted: args.failIfDrifted,
  });
  for (const reason of failed) io.stderr.write(`${COMMAND} report: ${reason}\n`);
  return failed.length > 0 ? EXIT_CONDITION : 0;
}

/** The state's bytes: decoded only after the serialized providers are left out (report-bytes.ts). */
async function readInput(args: ReportArgs, io: ReportIo): Promise<Buffer> {
  if (args.file !== undefined) {
    try {
      return await readFile(path.resolve(io.cwd, args.file));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ReportInputError(
        code === "ENOENT"
          ? `${args.file} does not exist`
          : code === "EISDIR"
            ? `${args.file} is a directory, not a state file`
            : `${args.file} cannot be read (${code ?? (error as Error).message})`,
      );
    }
  }
  if (io.stdin.isTTY) {
    throw new ReportInputError(
      "no state to read: pipe it in (`pulumi stack export | " +
        `${COMMAND} report\`) or name a file`,
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}

function describe(error: unknown): string {
  if (error instanceof ReportInputError) return error.message;
  // Our own failure (a bug): the message, never a stack trace.
  return error instanceof Error ? error.message : String(error);
}
