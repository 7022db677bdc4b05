import type { ProviderHost } from "./host";
import type { ResourceState } from "./model";

/**
 * Delete and the protect refusals, as pulumi/pulumi at 1b5949891b3c words and runs them
 * (pkg/resource/deploy/step.go `DeleteStep.Apply`, `deleteProtectedError`; step_generator.go
 * `continueStepsFromDiff` for a replacement).
 */

export class DeleteProtectedError extends Error {
  override name = "DeleteProtectedError";
  constructor(urn: string) {
    super(
      `resource "${urn}" cannot be deleted because it is protected. To unprotect the resource, ` +
        "either remove the `protect` flag from the resource in your Pulumi program and run " +
        `\`pulumi up\`, or use the command: \`pulumi state unprotect '${urn}'\``,
    );
  }
}

export class ReplaceProtectedError extends Error {
  override name = "ReplaceProtectedError";
  constructor(urn: string) {
    super(
      `unable to replace resource "${urn}" as it is currently marked for protection. To ` +
        "unprotect the resource, remove the `protect` flag from the resource in your Pulumi " +
        "program and run `pulumi up`",
    );
  }
}

/** The provider's Delete, unless the resource is retained on delete (`retainOnDelete`). */
export async function deleteResource(host: ProviderHost, res: ResourceState): Promise<void> {
  if (res.retainOnDelete) return;
  await host.delete(res.urn, res.id, res.outputs);
}
