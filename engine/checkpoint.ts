import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CliKilled } from "./killed-cli";
import type { CheckpointStats, Props } from "./model";
import { sourceFields } from "./source-position";

/**
 * The stack's state as a self-managed backend persists it (`pulumi login file://`, s3://, gs://,
 * azblob://), write for write (pulumi/pulumi at 1b5949891b3c):
 *
 * - pkg/backend/snapshot.go `SnapshotManager`: a create, update or delete step writes the
 *   checkpoint twice, when it begins (the pending operation: `doCreate`/`doUpdate`/`doDelete`)
 *   and when it ends (`End`); a same step writes only when something meaningful changed
 *   (`sameSnapshotMutation.mustWrite`: inputs, outputs, provider, parent, protect, ...); a refresh
 *   step's write is elided (`refreshSnapshotMutation`). Writes are serialized (`mutate`, one
 *   service loop) and the step waits for its write. Elided writes are flushed by the next write,
 *   or by one more write when the deployment closes (`defaultServiceLoop`).
 * - `PULUMI_SKIP_CHECKPOINTS=true` (env.go `SkipCheckpoints`): one write, at close (`unsafeServiceLoop`).
 * - pkg/backend/diy/state.go `saveCheckpoint`: every write marshals the WHOLE checkpoint (compact
 *   JSON, `compactJSONMarshaler`), copies the current file to `<file>.bak` (`backupTarget`), then
 *   rewrites the file. So an `up` changing K of N resources of S bytes serializes about
 *   (2K + 1) x N x S bytes.
 *
 * The checkpoint's shape is apitype's `DeploymentV3` / `ResourceV3`
 * (sdk/go/common/apitype/core.go): what a resource costs in state beyond its own inputs and
 * outputs is Pulumi's, and the bench reports both.
 */

/** What the manager reads of one resource of the stack. */
export interface CheckpointResource {
  urn: string;
  type: string;
  id: string;
  inputs: Props;
  outputs: Props;
  /** Explicit provider instance URN; absent: the default provider. */
  provider?: string;
  /** Pulumi's bookkeeping, fixed at creation: the provider reference's id and the times. */
  created?: string;
  /** Where the program registered it (source-position.ts); a "" frame is stored empty. */
  sourcePosition?: string;
  stackTrace?: string[];
}

export type MutationKind = "create" | "update" | "delete";
/** Pulumi's pending-operation names (sdk/go/common/resource/resource_operation.go). */
const PENDING: Record<MutationKind, string> = {
  create: "creating",
  update: "updating",
  delete: "deleting",
};

export interface CheckpointOptions {
  stack: string;
  project: string;
  /** The checkpoint file (`<backend>/.pulumi/stacks/<project>/<stack>.json`); absent: counted only. */
  file?: string;
  /** PULUMI_SKIP_CHECKPOINTS=true: written once, at close. */
  skipCheckpoints?: boolean;
  /** The stack's resources as they are now (the engine's state, mutated by the steps). */
  resources: () => readonly CheckpointResource[];
  /** The CLI killed once the first write of the Nth create/update/delete is on disk. */
  killAfterBegin?: number;
}

/** One deployment's snapshot manager: every write it makes, in the order the engine makes them. */
export class SnapshotManager {
  readonly stats: CheckpointStats = { writes: 0, bytes: 0, ms: 0 };
  private readonly pending = new Map<
    string,
    { resource: CheckpointResource; kind: MutationKind }
  >();
  /** The service loop: one write at a time, in request order. */
  private queue: Promise<void> = Promise.resolve();
  /** True while a mutation was applied without a write (snapshot.go `hasElidedWrites`). */
  private elided = true;
  private readonly sizer: CheckpointSizer;
  private begun = 0;
  killed = false; // `killAfterBegin` reached: nothing more is written (killed-cli.ts)

  constructor(private readonly options: CheckpointOptions) {
    this.sizer = new CheckpointSizer(options);
  }

  /**
   * A create, update or delete begins: the pending operation is written before the provider is
   * called; `end` writes the result. Both resolve once their write is on disk.
   */
  async begin(
    kind: MutationKind,
    resource: CheckpointResource,
  ): Promise<{ end: () => Promise<void> }> {
    if (this.killed) throw new CliKilled(resource.urn);
    await this.mutate(() => {
      this.pending.set(resource.urn, { resource, kind });
      return true;
    });
    if (++this.begun === this.options.killAfterBegin) this.killed = true;
    return {
      end: () =>
        this.mutate(() => {
          if (this.killed) throw new CliKilled(resource.urn);
          this.pending.delete(resource.urn);
          return true;
        }),
    };
  }

  /** A same step: written only when the resource meaningfully changed (`mustWrite`). */
  same(old: CheckpointResource, next: CheckpointResource): Promise<void> {
    return this.mutate(() => meaningfulChange(old, next));
  }

  /**
   * A refresh step: elided (`refreshSnapshotMutation.End`), flushed by the next write or at
   * close, unless `persisted` (a registration's refresh step, `RefreshStep.Persisted`): written.
   */
  refresh(persisted = false): Promise<void> {
    return this.mutate(() => persisted);
  }

  /** The deployment ends: one more write if any mutation was elided since the last write. */
  async close(): Promise<CheckpointStats> {
    await this.queue;
    if (!this.killed && (this.elided || this.options.skipCheckpoints)) this.write();
    return this.stats;
  }

  private mutate(mutator: () => boolean): Promise<void> {
    const run = this.queue.then(() => {
      const mustWrite = mutator();
      if (this.options.skipCheckpoints || this.killed) return;
      if (mustWrite) this.write();
      else this.elided = true;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private write(): void {
    const started = performance.now();
    const { file } = this.options;
    const pending = [...this.pending.values()];
    if (file) {
      const text = serializeCheckpoint(this.options, this.options.resources(), pending);
      mkdirSync(path.dirname(file), { recursive: true });
      if (existsSync(file)) copyFileSync(file, `${file}.bak`);
      writeFileSync(file, text);
      this.stats.bytes += Buffer.byteLength(text);
    } else {
      this.stats.bytes += this.sizer.size(this.options.resources(), pending);
    }
    this.stats.writes++;
    this.stats.ms += performance.now() - started;
    this.elided = false;
  }
}

/**
 * The byte length of `serializeCheckpoint`'s text without writing it: the skeleton with the
 * pending operations, plus each resource's own length (remembered per state object, which the
 * engine replaces whenever a resource changes). Exact, and cheap enough to count every write
 * of a 10,000-account stack, which marshalling could not do in a benchmark's time.
 */
export class CheckpointSizer {
  private readonly lengths = new WeakMap<CheckpointResource, number>();

  constructor(private readonly options: Pick<CheckpointOptions, "stack" | "project">) {}

  size(
    resources: readonly CheckpointResource[],
    pending: readonly { resource: CheckpointResource; kind: MutationKind }[],
  ): number {
    let total = Buffer.byteLength(serializeCheckpoint(this.options, [], pending));
    for (const r of resources) {
      let length = this.lengths.get(r);
      if (length === undefined) {
        length = Buffer.byteLength(JSON.stringify(resourceForm(this.options, r))) + 1;
        this.lengths.set(r, length);
      }
      total += length;
    }
    return total;
  }
}

/** snapshot.go `sameSnapshotMutation.mustWrite`, for the fields the local engine keeps. */
export function meaningfulChange(old: CheckpointResource, next: CheckpointResource): boolean {
  return (
    old.urn !== next.urn ||
    old.type !== next.type ||
    old.provider !== next.provider ||
    !deepEqual(old.inputs, next.inputs) ||
    !deepEqual(old.outputs, next.outputs)
  );
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      k in b && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/** A fixed time, so that byte counts are exact and repeatable (Go's RFC 3339 with nanoseconds). */
const TIME = "2026-01-01T00:00:00.000000000Z";
/** The reference's id part: a UUID, as the engine gives every provider resource. */
const PROVIDER_ID = "00000000-0000-4000-8000-000000000000";

function urns(options: Pick<CheckpointOptions, "stack" | "project">) {
  const prefix = `urn:pulumi:${options.stack}::${options.project}::`;
  return {
    stackUrn: `${prefix}pulumi:pulumi:Stack::${options.project}-${options.stack}`,
    defaultProvider: `${prefix}pulumi:providers:pulumi-nodejs::default::${PROVIDER_ID}`,
  };
}

/** One resource as `ResourceV3` (sdk/go/common/apitype/core.go), fields as Go's omitempty writes them. */
function resourceForm(
  options: Pick<CheckpointOptions, "stack" | "project">,
  r: CheckpointResource,
) {
  const { stackUrn, defaultProvider } = urns(options);
  return {
    urn: r.urn,
    custom: true,
    id: r.id,
    type: r.type,
    inputs: r.inputs,
    outputs: r.outputs,
    parent: stackUrn,
    provider: r.provider ? `${r.provider}::${PROVIDER_ID}` : defaultProvider,
    propertyDependencies: Object.fromEntries(Object.keys(r.inputs).map((k) => [k, []])),
    created: r.created ?? TIME,
    modified: TIME,
    ...sourceFields(r),
  };
}

/**
 * The checkpoint file's text: `VersionedCheckpoint` v3 with `DeploymentV3` inside, resources in
 * `ResourceV3` form (omitted fields are Go's `omitempty`), compact as diy's marshaller writes it.
 */
export function serializeCheckpoint(
  options: Pick<CheckpointOptions, "stack" | "project">,
  resources: readonly CheckpointResource[],
  pending: readonly { resource: CheckpointResource; kind: MutationKind }[] = [],
): string {
  const { stackUrn } = urns(options);
  const form = (r: CheckpointResource) => resourceForm(options, r);
  const deployment = {
    manifest: { time: TIME, magic: "0".repeat(64), version: "v3.226.0" },
    secrets_providers: {
      type: "passphrase",
      state: { salt: `v1:${"A".repeat(12)}:${"B".repeat(44)}` },
    },
    resources: [
      { urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack", created: TIME, modified: TIME },
      ...resources.map(form),
    ],
    ...(pending.length > 0
      ? {
          pending_operations: pending.map((p) => ({
            resource: form(p.resource),
            type: PENDING[p.kind],
          })),
        }
      : {}),
    metadata: {},
  };
  return JSON.stringify({
    version: 3,
    checkpoint: { stack: `organization/${options.project}/${options.stack}`, latest: deployment },
  });
}

/** A resource's bytes in the checkpoint: its own inputs and outputs, and Pulumi's metadata. */
export function resourceBytes(
  options: Pick<CheckpointOptions, "stack" | "project">,
  resource: CheckpointResource,
): { total: number; inputsAndOutputs: number; metadata: number } {
  const alone = (r: CheckpointResource[]) => Buffer.byteLength(serializeCheckpoint(options, r));
  const total = alone([resource]) - alone([]); // with the comma that separates it
  const inputsAndOutputs =
    Buffer.byteLength(JSON.stringify(resource.inputs)) +
    Buffer.byteLength(JSON.stringify(resource.outputs));
  return { total, inputsAndOutputs, metadata: total - inputsAndOutputs };
}

/** The default checkpoint file of a stack in a diy backend rooted at `dir`. */
export function checkpointFile(dir: string, project: string, stack: string): string {
  return path.join(dir, ".pulumi", "stacks", project, `${stack}.json`);
}
