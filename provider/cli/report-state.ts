import { z } from "zod";
import { withoutSerializedProviders } from "./report-bytes";

/**
 * The `report` command's reader: a stack's state as `pulumi stack export` writes it (an
 * `UntypedDeployment`: `{version: 3, deployment: DeploymentV3}`), or as a self-managed backend
 * keeps it on disk (a `VersionedCheckpoint`: `{version: 3, checkpoint: {stack, latest:
 * DeploymentV3}}`, what engine/checkpoint.ts writes), both from pulumi/pulumi at 1b5949891b3c,
 * sdk/go/common/apitype/core.go. Only the UserEmail resources are kept; every other resource
 * (the stack, providers, other packages' resources) is ignored. Pure: text in, accounts out.
 */

/** The type token `new UserEmail(...)` registers (pulumi.dynamic.Resource with "acronis", "UserEmail"). */
export const USER_EMAIL_TYPE = "pulumi-nodejs:dynamic/acronis:UserEmail";

/** Pulumi's marker key of a secret value in state (sdk/go/common/resource/sig `Key`). */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
/** Its value for a secret (sig `Secret`). */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A value read from state: what it holds, or that it is a secret whose plaintext is not there. */
export type StateValue = { hidden: false; value: unknown } | { hidden: true };

/** One UserEmail as the state holds it: its name, its provider, and its raw properties. */
export interface StateAccount {
  urn: string;
  name: string;
  /** The provider instance's name ("default" for the stack's default provider). */
  provider: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface StateAccounts {
  /** "project/stack", from the URNs. */
  stack: string;
  /** How many resources the state holds in all. */
  resources: number;
  accounts: StateAccount[];
}

/** Input the report cannot read: one line, naming where and what was expected. */
export class ReportInputError extends Error {}

const props = z.record(z.string(), z.unknown());

const resourceV3 = z.looseObject({
  urn: z.string({ error: "expected the resource's URN, a string" }),
  type: z.string({ error: "expected the resource's type token, a string" }),
  inputs: props.optional(),
  outputs: props.optional(),
  provider: z.string({ error: "expected a provider reference, a string" }).optional(),
  delete: z.boolean({ error: "expected true or false" }).optional(),
});

const deploymentV3 = z.looseObject({
  resources: z.array(z.unknown(), { error: "expected a list of resources" }).optional(),
});

const untypedDeployment = z.looseObject({ version: z.unknown(), deployment: z.unknown() });
const versionedCheckpoint = z.looseObject({
  version: z.unknown(),
  checkpoint: z.looseObject({ latest: z.unknown().optional() }),
});

const EXPECTED =
  'expected the JSON `pulumi stack export` writes ({"version": 3, "deployment": {...}})';

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") {
    const keys = Object.keys(value as object).slice(0, 5);
    return keys.length === 0 ? "an empty object" : `an object with keys ${keys.join(", ")}`;
  }
  return typeof value === "string" ? "a string" : `a ${typeof value}`;
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` -> its parts (the name may hold "::"). */
function urnParts(urn: string): { stack: string; project: string; name: string } | undefined {
  const match = /^urn:pulumi:([^:]*)::([^:]*)::[^:]+(?::[^:]+)*::(.*)$/.exec(urn);
  if (!match) return undefined;
  return { stack: match[1] as string, project: match[2] as string, name: match[3] as string };
}

/** A provider reference `<provider URN>::<provider id>` -> the provider instance's name. */
function providerName(reference: string | undefined): string {
  if (reference === undefined || reference === "") return "default";
  const urn = reference.slice(0, reference.lastIndexOf("::"));
  return urnParts(urn)?.name ?? reference;
}

/**
 * Reads the whole text of a stack export (or checkpoint file). `source` names it in messages
 * ("standard input", a file name). Throws ReportInputError for anything that is not a stack
 * with at least one UserEmail.
 */
export function readStackExport(input: string | Buffer, source: string): StateAccounts {
  const bytes = typeof input === "string" ? Buffer.from(input) : input;
  const text = withoutSerializedProviders(bytes);
  if (text.trim() === "") {
    throw new ReportInputError(`${source} is empty: ${EXPECTED}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // A position in the shortened text would not be one in the file.
    const where = text.length === bytes.length ? whereInvalid(error) : "";
    throw new ReportInputError(`${source} is not JSON${where}: ${EXPECTED}`);
  }
  const deployment = deploymentOf(json, source);
  const parsed = deploymentV3.safeParse(deployment);
  if (!parsed.success) {
    throw new ReportInputError(
      `${source}: deployment.resources: expected a list of resources, got ${kindOf((deployment as { resources?: unknown }).resources)}`,
    );
  }
  const resources = parsed.data.resources ?? [];
  if (resources.length === 0) {
    throw new ReportInputError(
      `${source} holds an empty stack (no resources): nothing to report; is it the stack \`pulumi up\` ran on?`,
    );
  }
  const accounts: StateAccount[] = [];
  let stack: string | undefined;
  resources.forEach((raw, index) => {
    const resource = resourceV3.safeParse(raw);
    if (!resource.success) {
      const issue = resource.error.issues[0];
      const where = issue?.path.length ? `.${issue.path.join(".")}` : "";
      throw new ReportInputError(
        `${source}: deployment.resources[${index}]${where}: ${issue?.message ?? "not a resource"}`,
      );
    }
    const { urn, type, inputs, outputs, provider, delete: replaced } = resource.data;
    const parts = urnParts(urn);
    if (parts === undefined) {
      throw new ReportInputError(
        `${source}: deployment.resources[${index}].urn: "${urn.slice(0, 80)}" is not a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)`,
      );
    }
    stack ??= `${parts.project}/${parts.stack}`;
    // `delete: true`: the old copy of a replaced resource, waiting for its delete; its
    // successor under the same URN is the account's state.
    if (type !== USER_EMAIL_TYPE || replaced === true) return;
    accounts.push({
      urn,
      name: parts.name,
      provider: providerName(provider),
      inputs: inputs ?? {},
      outputs: outputs ?? {},
    });
  });
  if (accounts.length === 0) {
    throw new ReportInputError(
      `${source} holds ${resources.length} resource${resources.length === 1 ? "" : "s"} and no UserEmail (type ${USER_EMAIL_TYPE}): is it the stack that manages the accounts?`,
    );
  }
  return { stack: stack as string, resources: resources.length, accounts };
}

/**
 * Where JSON.parse stopped, without its quote of the text (which may hold an address).
 */
function whereInvalid(error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  const position = /position (\d+)/.exec(message);
  if (position) return ` (invalid at character ${position[1]})`;
  return /end of JSON/i.test(message) ? " (it ends before the JSON does)" : "";
}

/** The DeploymentV3 inside an export or a checkpoint file, its version checked. */
function deploymentOf(json: unknown, source: string): unknown {
  const exported = untypedDeployment.safeParse(json);
  const checkpoint = versionedCheckpoint.safeParse(json);
  const version = exported.success
    ? exported.data.version
    : checkpoint.success
      ? checkpoint.data.version
      : undefined;
  if (!exported.success && !checkpoint.success) {
    throw new ReportInputError(
      `${source} is not a Pulumi stack export: ${EXPECTED}, got ${kindOf(json)}`,
    );
  }
  if (version !== 3) {
    throw new ReportInputError(
      `${source}: version ${JSON.stringify(version)} is not supported: this report reads version 3 (what current Pulumi writes)`,
    );
  }
  const deployment = exported.success
    ? exported.data.deployment
    : checkpoint.data?.checkpoint.latest;
  if (deployment === undefined || deployment === null) {
    throw new ReportInputError(
      `${source} holds an empty stack (no deployment yet): nothing to report`,
    );
  }
  if (typeof deployment !== "object" || Array.isArray(deployment)) {
    throw new ReportInputError(
      `${source}: deployment: expected an object, got ${kindOf(deployment)}`,
    );
  }
  return deployment;
}

/**
 * A property as state holds it: a secret envelope is opened where its value is there (`value`,
 * as the SDKs send it; `plaintext`, JSON text, as `pulumi stack export --show-secrets` writes
 * it) and hidden where it is encrypted (`ciphertext`). sdk/go/common/resource/stack/deployment.go
 * `SerializePropertyValue` / apitype `SecretV1`.
 */
export function stateValue(raw: unknown): StateValue {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    return { hidden: false, value: raw };
  const envelope = raw as Record<string, unknown>;
  if (envelope[SECRET_SIG_KEY] !== SECRET_SIG) return { hidden: false, value: raw };
  if ("value" in envelope) return stateValue(envelope.value);
  if (typeof envelope.plaintext === "string") {
    try {
      return stateValue(JSON.parse(envelope.plaintext));
    } catch {
      return { hidden: true };
    }
  }
  return { hidden: true };
}
