import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { type CheckpointResource, serializeCheckpoint } from "./checkpoint";
import type { CheckpointCopies } from "./model";

/**
 * What a self-managed backend writes after every command that is not a preview, beside the
 * checkpoint's own writes (pulumi/pulumi at 1b5949891b3c, pkg/backend/diy/backend.go `apply`:
 * `if !opts.DryRun { addToHistory; backupStack }`):
 *
 * - pkg/backend/diy/state.go `addToHistory`: the update's record
 *   (`.pulumi/history/<project>/<stack>/<stack>-<ns>.history.json`) and a COPY of the whole
 *   checkpoint beside it (`...-<ns>.checkpoint.json`);
 * - `backupStack`: another copy of the whole checkpoint in `.pulumi/backups/<project>/<stack>/
 *   <stack>.<ns>.json`, unless PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS
 *   (sdk/go/common/env/env.go `DIYBackendDisableCheckpointBackups`).
 *
 * Both copies are kept: the bucket grows by two checkpoints per command.
 */

export interface CopyOptions {
  project: string;
  stack: string;
  /** The checkpoint file; absent: counted only. */
  file?: string;
  /** PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS=true. */
  disableBackups?: boolean;
}

/** The history record and the copies, after the command's last checkpoint write. */
export function historyAndBackup(
  options: CopyOptions,
  resources: readonly CheckpointResource[],
  kind: string,
  now: bigint = process.hrtime.bigint(),
): CheckpointCopies {
  const copies = options.disableBackups ? 1 : 2;
  const { file } = options;
  if (!file || !existsSync(file)) {
    const size = Buffer.byteLength(serializeCheckpoint(options, resources));
    return { copies, bytes: copies * size };
  }
  // <backend>/.pulumi/stacks/<project>/<stack>.json -> <backend>/.pulumi
  const bookkeeping = path.resolve(path.dirname(file), "..", "..");
  const history = path.join(bookkeeping, "history", options.project, options.stack);
  const prefix = path.join(history, `${options.stack}-${now}`);
  mkdirSync(history, { recursive: true });
  writeFileSync(`${prefix}.history.json`, JSON.stringify({ kind }));
  copyFileSync(file, `${prefix}.checkpoint.json`);
  if (!options.disableBackups) {
    const backups = path.join(bookkeeping, "backups", options.project, options.stack);
    mkdirSync(backups, { recursive: true });
    copyFileSync(file, path.join(backups, `${options.stack}.${now}.json`));
  }
  return { copies, bytes: copies * Buffer.byteLength(readFileSync(file)) };
}
