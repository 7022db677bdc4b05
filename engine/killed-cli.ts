import { readFileSync } from "node:fs";
import { z } from "zod";
import { defaultProviderUrn } from "./default-provider";
import type { PendingOperation, ResourceState, StackState } from "./model";

/**
 * A CLI killed in the middle of an update, and the next command that starts from what it left
 * on disk (pulumi/pulumi at 1b5949891b3c):
 *
 * - A create, update or delete writes the checkpoint before it calls the provider, with the
 *   resource in `pending_operations` (pkg/backend/snapshot.go `SnapshotManager.BeginMutation`,
 *   `doCreate`/`doUpdate`/`doDelete`), and again when it ends (`End`). A CLI killed between the
 *   two leaves that pending operation on disk, the resource itself as it was before the step;
 *   the provider call may have reached the platform. `killAfterBegin` (engine-options.ts) kills
 *   the CLI there: the step's end write and every later one are never made.
 * - The next command loads the stack from that file (pkg/backend/diy/state.go `getCheckpoint`;
 *   `loadCheckpoint` here); an `up` without `--refresh` warns about the pending operations
 *   (pkg/resource/deploy/deployment_executor.go `Execute` -> `printPendingOperationsWarning`).
 */

export class CliKilled extends Error {
  override name = "CliKilled";
  constructor(readonly urn: string) {
    super(`the CLI was killed while ${urn} was being changed`);
  }
}

const checkpointSchema = z.object({
  version: z.literal(3),
  checkpoint: z.object({
    latest: z.object({
      resources: z.array(
        z.object({
          urn: z.string(),
          type: z.string(),
          id: z.string().optional(),
          custom: z.boolean().optional(),
          inputs: z.record(z.string(), z.unknown()).optional(),
          outputs: z.record(z.string(), z.unknown()).optional(),
          provider: z.string().optional(),
        }),
      ),
      pending_operations: z
        .array(z.object({ resource: z.object({ urn: z.string() }), type: z.string() }))
        .optional(),
    }),
  }),
});

/** Pulumi's marker of a secret value in state (sdk/go/common/resource/sig). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** The stack's state from a checkpoint file, and the pending operations it holds. */
export function loadCheckpoint(
  file: string,
  stack: { project: string; stack: string },
): StackState {
  const parsed = checkpointSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  const { resources, pending_operations } = parsed.checkpoint.latest;
  const defaultProvider = defaultProviderUrn(stack.project, stack.stack);
  const states: ResourceState[] = resources
    .filter((r) => r.type !== "pulumi:pulumi:Stack")
    .map((r) => {
      const inputs = r.inputs ?? {};
      const provider = r.provider?.slice(0, r.provider.lastIndexOf("::"));
      const secretInputs = Object.keys(inputs).filter(
        (k) =>
          typeof inputs[k] === "object" &&
          inputs[k] !== null &&
          SECRET_SIG in (inputs[k] as object),
      );
      return {
        urn: r.urn,
        name: r.urn.slice(r.urn.lastIndexOf("::") + 2),
        type: r.type,
        id: r.id ?? "",
        inputs,
        outputs: r.outputs ?? {},
        ...(provider && provider !== defaultProvider ? { provider } : {}),
        ...(secretInputs.length > 0 ? { secretInputs } : {}),
      };
    });
  const pendingOperations = (pending_operations ?? []).map((p) => ({
    urn: p.resource.urn,
    type: p.type,
  }));
  return { resources: states, pendingOperations };
}

/** deployment_executor.go `printPendingOperationsWarning`, word for word. */
export function pendingOperationsWarning(ops: readonly PendingOperation[]): string {
  return (
    `Attempting to deploy or update resources with ${ops.length} pending operations from previous deployment.\n` +
    ops.map((op) => `  * ${op.urn}, interrupted while ${op.type}\n`).join("") +
    "These resources are in an unknown state because the Pulumi CLI was interrupted while " +
    "waiting for changes to these resources to complete. You should confirm whether or not the " +
    "operations listed completed successfully by checking the state of the appropriate provider. " +
    "For example, if you are using AWS, you can confirm using the AWS Console.\n\n" +
    "Once you have confirmed the status of the interrupted operations, you can repair your stack " +
    "using `pulumi refresh` which will refresh the state from the provider you are using and " +
    "clear the pending operations if there are any.\n\n" +
    "Note that `pulumi refresh` will need to be run interactively to clear pending CREATE operations."
  );
}
