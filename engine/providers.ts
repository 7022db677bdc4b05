import { randomUUID } from "node:crypto";
import { defaultProviderState } from "./default-provider";
import type { ProviderHost } from "./host";
import type { EngineOptions, Goal, Op, Props } from "./model";
import { unknownValue } from "./sdk";
import type { StackStore } from "./stack-store";

/**
 * A deployment's provider processes: one per provider, started and configured on first use
 * (pkg/host/host.go), the default provider's from the stack config or, for refresh and destroy,
 * from its state (default-provider.ts); an explicit instance's from its own inputs
 * (pkg/resource/deploy/providers/registry.go).
 */
export class ProviderProcesses {
  /** "" for the default provider, else the instance's URN. */
  readonly hosts = new Map<string, Promise<ProviderHost>>();
  /** Explicit provider instances the program registered in this deployment: URN -> inputs. */
  private readonly instances = new Map<string, Props>();

  constructor(
    private readonly engine: StackStore,
    private readonly options: EngineOptions,
    private readonly apply: boolean,
    private readonly fromState: boolean,
  ) {}

  host(provider: string | undefined): Promise<ProviderHost> {
    const key = provider ?? "";
    let host = this.hosts.get(key);
    if (!host) {
      const config =
        provider !== undefined
          ? this.instanceInputs(provider)
          : this.fromState
            ? this.engine.find(this.engine.defaultProviderUrn)?.inputs
            : undefined; // the current stack config
      host = this.options.startHost(config).then((started) => {
        this.options.onHost?.(started);
        return started;
      });
      this.hosts.set(key, host);
    }
    return host;
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
  }

  /**
   * The stack's default provider, registered with the first resource that uses it; in an update
   * its state records the stack config it is configured with (default-provider.ts).
   */
  registerDefault(): void {
    const config = this.options.stackConfig?.();
    if (!config || !this.apply) return;
    const urn = this.engine.defaultProviderUrn;
    const id = this.engine.find(urn)?.id ?? randomUUID();
    this.engine.put(defaultProviderState(urn, id, config));
  }

  /**
   * An explicit provider instance: recorded in state with its inputs (secret ones marked), its
   * process started when a resource first needs it. It makes no provider call of its own.
   */
  registerInstance(goal: Goal, urn: string): { id: string; op: Op } {
    this.instances.set(urn, goal.inputs);
    const old = this.engine.find(urn);
    const same = old && JSON.stringify(old.inputs) === JSON.stringify(goal.inputs);
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
