import { Struct, specialResourceSig, specialSecretSig, specialSigKey, unknownValue } from "./sdk";

/**
 * Values between the program and the engine: the program's Struct values with their secrets
 * unwrapped for the engine (and remembered), the engine's outputs marked secret again for the
 * program, and stack outputs as a user sees them. The markers are the SDK's own
 * (sdk/nodejs/runtime/rpc.ts: `specialSigKey`, `specialSecretSig`, `unknownValue`).
 */

export const SECRET_OUTPUT = "[secret]";
export const UNKNOWN_OUTPUT = "[unknown]";

function isSigned(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && specialSigKey in value;
}

/** A value from the program with its secrets unwrapped; `secret` when any part of it was one. */
function unwrapSecrets(value: unknown, where: string): { value: unknown; secret: boolean } {
  if (Array.isArray(value)) {
    let secret = false;
    const items = value.map((item, i) => {
      const inner = unwrapSecrets(item, `${where}[${i}]`);
      secret ||= inner.secret;
      return inner.value;
    });
    return { value: items, secret };
  }
  if (isSigned(value)) {
    const sig = value[specialSigKey];
    if (sig === specialSecretSig) {
      return { value: unwrapSecrets(value.value, where).value, secret: true };
    }
    // Resource references are never sent: the monitor does not announce `resourceReferences`.
    const kind = sig === specialResourceSig ? "a resource reference" : `a value of kind ${sig}`;
    throw new Error(`${where} is ${kind}, which the local engine does not support`);
  }
  if (typeof value === "object" && value !== null) {
    let secret = false;
    const entries = Object.entries(value).map(([k, v]) => {
      const inner = unwrapSecrets(v, `${where}.${k}`);
      secret ||= inner.secret;
      return [k, inner.value] as const;
    });
    return { value: Object.fromEntries(entries), secret };
  }
  return { value, secret: false };
}

/** Outputs as the program receives them: undefined dropped, `secret` keys marked. */
export function wireOutputs(outputs: Record<string, unknown>, secret: ReadonlySet<string>) {
  const wire: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    if (value === undefined) continue;
    wire[key] =
      secret.has(key) && !isSigned(value) ? { [specialSigKey]: specialSecretSig, value } : value;
  }
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(wire)));
}

/** Stack outputs as a user sees them: no secret in plain text, unknowns named. */
export function present(value: unknown): unknown {
  if (value === unknownValue) return UNKNOWN_OUTPUT;
  if (Array.isArray(value)) return value.map(present);
  if (isSigned(value) && value[specialSigKey] === specialSecretSig) return SECRET_OUTPUT;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, present(v)]));
  }
  return value;
}

/** A registration's inputs for the engine: plain values, and the top-level keys that were secret. */
export function unwrapInputs(
  object: Record<string, unknown>,
  name: string,
): { inputs: Record<string, unknown>; secretInputs: string[] } {
  const inputs: Record<string, unknown> = {};
  const secretInputs: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    const unwrapped = unwrapSecrets(value, `${name}.${key}`);
    inputs[key] = unwrapped.value;
    if (unwrapped.secret) secretInputs.push(key);
  }
  return { inputs, secretInputs };
}
