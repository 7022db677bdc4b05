/**
 * How a message names a wrong value without showing what it must not: an AcronisProvider argument
 * may be the client secret, and an accounts file's string may be an address. The one wording of
 * "got ..." for the program's arguments and the accounts file alike.
 */
export interface Audience {
  /** What an object is called: "a mapping" in a YAML file, "an object" in a program. */
  object: string;
  /** Show numbers and booleans ("number 42"); off where the value may be a secret. */
  scalars: boolean;
  /** Show a string itself, quoted; only where it cannot be an address or a secret. */
  strings: boolean;
}

export function describeValue(value: unknown, audience: Audience): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return audience.object;
  if (typeof value === "string" && audience.strings) return `"${value}"`;
  if (typeof value === "string" || !audience.scalars) return `a ${typeof value}`;
  return `${typeof value} ${String(value)}`;
}
