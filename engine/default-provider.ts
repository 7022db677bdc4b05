import type { Props, ResourceState, StackConfig } from "./model";

/**
 * The default provider of dynamic resources, as the engine keeps it in state (pulumi/pulumi at
 * 1b5949891b3c). A resource with no explicit provider gets the package's default provider,
 * registered as a resource of its own named "default" (pkg/resource/deploy/default_providers.go
 * `newRegisterDefaultProviderEvent`) whose inputs are the package config; for the dynamic
 * package `pulumi-nodejs` that is the whole stack config, keys namespaced, secrets kept secret
 * (pkg/resource/deploy/target.go `GetPackageConfig`). Refresh and destroy configure the provider
 * from this record, not from the current stack config, unless `--run-program`
 * (pkg/cmd/pulumi/operations/refresh.go and destroy.go, `RefreshProgram` / `DestroyProgram`;
 * pkg/resource/deploy/deployment.go `EnsureProvider` loads it from the old state).
 */

export const DEFAULT_PROVIDER_TYPE = "pulumi:providers:pulumi-nodejs";
export const DEFAULT_PROVIDER_NAME = "default";

export function defaultProviderUrn(project: string, stack: string): string {
  return `urn:pulumi:${stack}::${project}::${DEFAULT_PROVIDER_TYPE}::${DEFAULT_PROVIDER_NAME}`;
}

/** The default provider's state for the stack config: its secrets are marked, to be sealed. */
export function defaultProviderState(urn: string, id: string, config: StackConfig): ResourceState {
  const inputs: Props = { ...config.values };
  const secretInputs = config.secretKeys.filter((key) => key in inputs);
  return {
    urn,
    name: DEFAULT_PROVIDER_NAME,
    type: DEFAULT_PROVIDER_TYPE,
    id,
    inputs,
    outputs: inputs,
    ...(secretInputs.length > 0 ? { secretInputs } : {}),
  };
}

export function isDefaultProvider(res: Pick<ResourceState, "type" | "name">): boolean {
  return res.type === DEFAULT_PROVIDER_TYPE && res.name === DEFAULT_PROVIDER_NAME;
}
