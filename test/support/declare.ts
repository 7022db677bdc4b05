import { createRequire } from "node:module";
import * as path from "node:path";
import type * as Pulumi from "@pulumi/pulumi";
import type { Goal } from "../../engine/engine";
import { PACKAGE_NAME, type Workspace } from "../../engine/workspace";
import type * as Package from "../../provider";

/**
 * The goals a program registers, recorded from the program itself: `body` runs in this process
 * against the BUILT package installed in the workspace, under the SDK's mocks, so each
 * `new AcronisProvider(...)` and `new UserEmail(..., { provider })` registers exactly what it
 * registers under `pulumi up` (serialized `__provider`, secret markers). Tests then hand these
 * goals to the engine, so they cannot drift from the classes.
 */

/** Pulumi's marker of a secret value on the wire (sdk/nodejs/runtime/rpc.ts). */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface DeclareOptions {
  /** Must be the engine's, so the provider references are the engine's URNs. */
  project: string;
  stack: string;
  /** Stack config as the program sees it (namespaced keys); secret keys listed in `secretKeys`. */
  config?: Record<string, string>;
  secretKeys?: string[];
}

export type ProgramBody = (
  pkg: typeof Package,
  pulumi: typeof Pulumi,
) => Promise<readonly Pulumi.Resource[]> | readonly Pulumi.Resource[];

/** Runs `body` (which returns the resources to wait for) and returns its goals in registration order. */
export async function declareGoals(
  workspace: Workspace,
  options: DeclareOptions,
  body: ProgramBody,
): Promise<Goal[]> {
  const load = createRequire(path.join(workspace.dir, "package.json"));
  const pulumi = load("@pulumi/pulumi") as typeof Pulumi;
  const pkg = load(PACKAGE_NAME) as typeof Package;
  const goals: Goal[] = [];
  pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        goals.push(goalOf(args.type, args.name, args.inputs, args.provider));
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    options.project,
    options.stack,
    false,
  );
  const resources = await body(pkg, pulumi);
  await Promise.all(
    resources.map((resource) => new Promise((resolve) => resource.urn.apply(resolve))),
  );
  return goals;
}

function goalOf(
  type: string,
  name: string,
  wire: Record<string, unknown>,
  providerRef: string | undefined,
): Goal {
  const inputs: Record<string, unknown> = {};
  const secretInputs: string[] = [];
  for (const [key, value] of Object.entries(wire)) {
    const envelope = value as Record<string, unknown> | null;
    if (envelope && typeof envelope === "object" && Object.values(envelope).includes(SECRET_SIG)) {
      secretInputs.push(key);
      inputs[key] = envelope.value;
    } else inputs[key] = value;
  }
  // A provider reference is `<provider URN>::<provider id>`.
  const provider = providerRef ? providerRef.slice(0, providerRef.lastIndexOf("::")) : undefined;
  return {
    name,
    type,
    inputs,
    ...(provider ? { provider } : {}),
    ...(secretInputs.length > 0 ? { secretInputs } : {}),
  };
}
