import { randomBytes } from "node:crypto";
import { createReadStream, rmSync } from "node:fs";
import { type FileHandle, open, rename, rm, stat } from "node:fs/promises";
import * as path from "node:path";

/**
 * A file written whole or not at all: the text goes to temporary files beside the target (same
 * directory, so the final rename is atomic) and replaces the target only when complete. The head
 * is written last, as it holds counts only known at the end: the body is streamed to one
 * temporary file, then the head and the body are copied into a second one, which is renamed.
 * `removeAllPending` deletes every temporary file still open, for a SIGINT handler.
 */

const pending = new Set<string>();

/** Deletes every temporary file not yet renamed or removed; synchronous, for signal handlers. */
export function removeAllPending(): void {
  for (const file of pending) rmSync(file, { force: true });
  pending.clear();
}

function tempName(target: string, role: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.${path.basename(target)}.${role}.${randomBytes(4).toString("hex")}.tmp`);
}

async function createTemp(target: string, role: string): Promise<{ file: string; fd: FileHandle }> {
  const file = tempName(target, role);
  // Registered before it exists: a signal between open and add must not leave it behind.
  pending.add(file);
  try {
    // A new file gets the mode an editor would give it (umask applies); a replaced one keeps its own.
    const mode = await stat(target).then(
      (s) => s.mode & 0o777,
      () => undefined,
    );
    const fd = await open(file, "wx", 0o666);
    if (mode !== undefined) await fd.chmod(mode);
    return { file, fd };
  } catch (error) {
    pending.delete(file);
    throw error;
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

export class AtomicFile {
  private bytes = 0;
  private done = false;

  private constructor(
    readonly target: string,
    private readonly body: { file: string; fd: FileHandle },
  ) {}

  static async create(target: string): Promise<AtomicFile> {
    return new AtomicFile(target, await createTemp(target, "body"));
  }

  /** Bytes written to the body so far. */
  get size(): number {
    return this.bytes;
  }

  async write(text: string): Promise<void> {
    const buffer = Buffer.from(text, "utf8");
    await this.body.fd.write(buffer);
    this.bytes += buffer.length;
  }

  /**
   * Writes `head` then the body into the target. `replace: false` refuses a target that appeared
   * since the run started (checked just before the rename).
   */
  async commit(head: string, options: { replace: boolean }): Promise<void> {
    await this.body.fd.close();
    const final = await createTemp(this.target, "new");
    try {
      await final.fd.write(head);
      for await (const chunk of createReadStream(this.body.file)) {
        await final.fd.write(chunk as Buffer);
      }
      await final.fd.sync();
      await final.fd.close();
      if (!options.replace && (await exists(this.target))) {
        throw new Error(`${this.target} exists: it appeared while the export ran`);
      }
      await rename(final.file, this.target);
      pending.delete(final.file);
    } finally {
      await final.fd.close().catch(() => {});
      await discard(final.file);
      await this.abort();
    }
  }

  /** Removes the temporary files; the target is left as it was. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.body.fd.close().catch(() => {});
    await discard(this.body.file);
  }
}

async function discard(file: string): Promise<void> {
  if (!pending.has(file)) return;
  await rm(file, { force: true });
  pending.delete(file);
}

/** Writes `text` to `target` through a temporary file and a rename (the merge's whole document). */
export async function writeWhole(target: string, text: string): Promise<void> {
  const temp = await createTemp(target, "new");
  try {
    await temp.fd.write(text);
    await temp.fd.sync();
    await temp.fd.close();
    await rename(temp.file, target);
    pending.delete(temp.file);
  } finally {
    await temp.fd.close().catch(() => {});
    await discard(temp.file);
  }
}
