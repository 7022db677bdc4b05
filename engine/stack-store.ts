import { defaultProviderUrn } from "./default-provider";
import type { Goal, Props, ResourceState, StackState } from "./model";

/**
 * The stack's resources as the engine holds them between commands: keyed by URN, a replaced
 * resource waiting for its delete beside its successor, exported with secret inputs sealed as
 * Pulumi stores them.
 */

/** What a deployment reads and writes of the stack's state. */
export interface StackStore {
  urn(goal: Pick<Goal, "name" | "type" | "urn">): string;
  find(urn: string): ResourceState | undefined;
  resources(): ResourceState[];
  put(res: ResourceState): void;
  remove(res: ResourceState): void;
  readonly defaultProviderUrn: string;
}

/** Pulumi's marker for a secret value in state (sdk/go/common/resource/sig). */
const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

function withSecretsSealed(res: ResourceState): ResourceState {
  if (!res.secretInputs?.length) return res;
  const seal = (props: Props): Props => {
    const out = { ...props };
    for (const key of res.secretInputs ?? []) {
      // Encrypted by the stack's secrets provider in Pulumi; here only its absence matters.
      if (key in out) out[key] = { ...SECRET_SIG, ciphertext: "v1:(encrypted)" };
    }
    return out;
  };
  return { ...res, inputs: seal(res.inputs), outputs: seal(res.outputs) };
}

/** A stored resource's key: a replaced one waiting for its delete sits beside its successor. */
function keyOf(res: Pick<ResourceState, "urn" | "pendingDelete">): string {
  return res.pendingDelete ? `${res.urn}#pendingDelete` : res.urn;
}

export class StoredStack implements StackStore {
  private byUrn = new Map<string, ResourceState>();
  readonly defaultProviderUrn: string;

  constructor(
    private readonly project: string,
    private readonly stack: string,
    state?: StackState,
  ) {
    for (const res of state?.resources ?? []) this.byUrn.set(keyOf(res), res);
    this.defaultProviderUrn = defaultProviderUrn(project, stack);
  }

  /**
   * The stack's state, as `pulumi stack export` would show it (JSON-serialisable): a secret
   * input is stored as Pulumi stores it, a secret envelope whose plaintext is not in the file.
   */
  get state(): StackState {
    return { resources: [...this.byUrn.values()].map(withSecretsSealed) };
  }

  urn(goal: Pick<Goal, "name" | "type" | "urn">): string {
    if (goal.urn) return goal.urn;
    return `urn:pulumi:${this.stack}::${this.project}::${goal.type}::${goal.name}`;
  }

  find(urn: string): ResourceState | undefined {
    return this.byUrn.get(urn);
  }

  /** The stored state of the resource named `name`. */
  resource(name: string): ResourceState | undefined {
    return [...this.byUrn.values()].find((r) => r.name === name);
  }

  resources(): ResourceState[] {
    return [...this.byUrn.values()];
  }

  put(res: ResourceState): void {
    this.byUrn.set(keyOf(res), res);
  }

  remove(res: ResourceState): void {
    this.byUrn.delete(keyOf(res));
  }

  /** A copy to restore after a preview: a refresh in a preview reads but does not persist. */
  protected snapshot(): Map<string, ResourceState> {
    return new Map([...this.byUrn].map(([urn, res]) => [urn, structuredClone(res)]));
  }

  protected restore(saved: Map<string, ResourceState>): void {
    this.byUrn = saved;
  }
}
