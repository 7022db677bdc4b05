import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
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

/**
 * The stack's secrets provider (Pulumi's passphrase provider encrypts with a key derived from the
 * stack's passphrase): one AES-256-GCM key per process, so a state exported here can be loaded
 * again by another engine of the same process, as a stack file by the same passphrase, and the
 * plaintext is in no exported state or checkpoint.
 */
const STACK_KEY = randomBytes(32);

function encrypt(value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", STACK_KEY, iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64")}`;
}

function decrypt(ciphertext: string): unknown {
  const raw = Buffer.from(ciphertext.slice("v1:".length), "base64");
  const decipher = createDecipheriv("aes-256-gcm", STACK_KEY, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
  return JSON.parse(plain.toString("utf8"));
}

function mapSecrets(res: ResourceState, f: (value: unknown) => unknown): ResourceState {
  if (!res.secretInputs?.length) return res;
  const each = (props: Props): Props => {
    const out = { ...props };
    for (const key of res.secretInputs ?? []) if (key in out) out[key] = f(out[key]);
    return out;
  };
  return { ...res, inputs: each(res.inputs), outputs: each(res.outputs) };
}

const withSecretsSealed = (res: ResourceState) =>
  mapSecrets(res, (value) => ({ ...SECRET_SIG, ciphertext: encrypt(value) }));

/** A stored secret envelope back to its value; anything else (plain, or not ours) as it is. */
const withSecretsOpened = (res: ResourceState) =>
  mapSecrets(res, (value) => {
    const envelope = value as { ciphertext?: unknown } | null;
    if (typeof envelope?.ciphertext !== "string") return value;
    try {
      return decrypt(envelope.ciphertext);
    } catch {
      return value; // sealed by another process's key: left sealed, as a wrong passphrase
    }
  });

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
    for (const res of state?.resources ?? []) this.byUrn.set(keyOf(res), withSecretsOpened(res));
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
