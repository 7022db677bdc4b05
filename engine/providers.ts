import { randomUUID } from "node:crypto";
import { defaultProviderState } from "./default-provider";
import type { EngineOptions } from "./engine-options";
import type { ProviderHost } from "./host";
import type { Goal, Op, Props } from "./model";
import { unknownValue } from "./sdk";
import type { StackStore } from "./stack-store";

/**
 * Where the default provider's configuration comes from before the program registers it:
 * - "state": its stored inputs (refresh, destroy, and the refresh of `--refresh`);
 * - "program": the current stack config (`refresh --run-program`, `destroy --run-program`).
 */
export type DefaultProviderSource = "state" | "program";

/**
 * A deployment's provider processes: one per provider, started and configured on first use
 * (pkg/host/host.go). pulumi/pulumi at 1b5949891b3c:
 *
 * - A provider used before the program registers it (the refresh of `--refresh`, `refresh`,
 *   `destroy`) is loaded fresh and configured with its STORED inputs
 *   (pkg/resource/deploy/deployment_executor.go `refresh` -> deployment.go `EnsureProvider` ->
 *   providers/registry.go `Same(fromCheck=false)`, `Inputs: FilterProviderConfig(res.Inputs)`).
 *   For the default provider that is the stack config recorded at the last update.
 * - When the program then registers that provider (the default one with the current stack
 *   config, an instance with its arguments), the registry diffs its config: the dynamic host
 *   leaves DiffConfig unimplemented (`diffConfig` answers UNIMPLEMENTED), so the result is
 *   "changed" exactly when the stored outputs differ from the new inputs
 *   (sdk/go/common/resource/plugin/provider_plugin.go `DiffConfig`; registry.go `Diff`). A change
 *   is an update: a new process, configured with the new inputs, replaces the old one, which is
 *   closed (registry.go `Update`, `setProviderAndCloseOld`), so every later step uses the new
 *   config, in a preview too (`Update` ignores `Preview`). No change: the running process is
 *   kept (registry.go `Same`: "already configured").
 */
export class ProviderProcesses {
  /** The live processes: "" for the default provider, else the instance's URN. */
  readonly hosts = new Map<string, Promise<ProviderHost>>();
  /** How many processes this deployment started, replaced ones included. */
  started = 0;
  /** Explicit provider instances the program registered in this deployment: URN -> inputs. */
  private readonly instances = new Map<string, Props>();
  /** Replaced processes, being stopped (registry.go `setProviderAndCloseOld`). */
  private readonly retired: Promise<void>[] = [];
  /** The default provider's config source until the program registers it. */
  private defaultSource: DefaultProviderSource;

  constructor(
    private readonly engine: StackStore,
    private readonly options: EngineOptions,
    private readonly apply: boolean,
    defaultSource: DefaultProviderSource,
  ) {
    this.defaultSource = defaultSource;
  }

  host(provider: string | undefined): Promise<ProviderHost> {
    const key = provider ?? "";
    let host = this.hosts.get(key);
    if (!host) {
      const config =
        provider !== undefined
          ? this.instanceInputs(provider)
          : this.defaultSource === "state"
            ? this.engine.find(this.engine.defaultProviderUrn)?.inputs
            : undefined; // the current stack config
      this.started += 1;
      host = this.options.startHost(config).then((started) => {
        this.options.onHost?.(started);
        return started;
      });
      this.hosts.set(key, host);
    }
    return host;
  }

  /**
   * registry.go `Diff` then `Update`: when the registered inputs differ from the stored outputs,
   * the process configured from the state is closed, and the next use starts one configured
   * with the new inputs.
   */
  private replaceIfChanged(key: string, stored: Props | undefined, inputs: Props): void {
    const host = this.hosts.get(key);
    if (!host || (stored && sameProps(stored, inputs))) return;
    this.hosts.delete(key);
    this.retired.push(host.then((h) => h.stop()).catch(() => undefined));
  }

  /** A preview of an explicit instance with an input the program does not know yet. */
  unconfigurable(provider: string | undefined): boolean {
    if (provider === undefined || this.apply) return false;
    return Object.values(this.instanceInputs(provider)).includes(unknownValue);
  }

  private instanceInputs(urn: string): Props {
    const inputs = this.instances.get(urn) ?? this.engine.find(urn)?.inputs;
    if (!inputs) throw new Error(`provider ${urn} is not registered`);
    return inputs;
  }

  async stopHosts(): Promise<void> {
    const started = await Promise.allSettled(this.hosts.values());
    await Promise.all(started.map((h) => (h.status === "fulfilled" ? h.value.stop() : undefined)));
    await Promise.all(this.retired);
  }

  /**
   * The stack's default provider, registered with the first resource that uses it; in an update
   * its state records the stack config it is configured with (default-provider.ts).
   */
  registerDefault(): void {
    this.defaultSource = "program";
    const config = this.options.stackConfig?.();
    if (!config) return;
    const urn = this.engine.defaultProviderUrn;
    const old = this.engine.find(urn);
    this.replaceIfChanged("", old?.outputs, config.values);
    if (!this.apply) return;
    this.engine.put(defaultProviderState(urn, old?.id ?? randomUUID(), config));
  }

  /**
   * An explicit provider instance: recorded in state with its inputs (secret ones marked), its
   * process started when a resource first needs it. It makes no provider call of its own.
   */
  registerInstance(goal: Goal, urn: string): { id: string; op: Op } {
    this.instances.set(urn, goal.inputs);
    const old = this.engine.find(urn);
    const same = old !== undefined && sameProps(old.outputs, goal.inputs);
    this.replaceIfChanged(urn, old?.outputs, goal.inputs);
    const id = old?.id ?? (this.apply ? randomUUID() : "");
    if (this.apply) {
      const { name, type, secretInputs, inputs } = goal;
      this.engine.put({
        urn,
        name,
        type,
        id,
        inputs,
        outputs: inputs,
        ...(secretInputs ? { secretInputs } : {}),
      });
    }
    return { id, op: !old ? "create" : same ? "same" : "update" };
  }
}

/** Deep equality of two property maps, key order aside (registry.go `Diff`: `DeepEquals`). */
export function sameProps(a: Props, b: Props): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}
