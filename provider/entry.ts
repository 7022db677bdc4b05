import type * as pulumi from "@pulumi/pulumi";
import type { UserEmailInputs } from "./decision/inputs";
import type { UserEmailOutputs } from "./decision/reconcile";

/**
 * The object Pulumi serializes into every UserEmail's state as `__provider`.
 *
 * It holds no logic and captures nothing: each step resolves the implementation by package name
 * from the host's working directory (the program's, where Pulumi resolves every `require` of a
 * serialized provider) when it runs. So the stored text stays a few hundred bytes whatever the
 * implementation grows to, carries no credentials, and delete/refresh run the installed code, not
 * a stale copy frozen into state. Installed under node_modules, Pulumi writes this module as a
 * single `require(...)`; from a source checkout it copies these few functions by value, which
 * still resolve the package the same way.
 *
 * It belongs to the resource part (resource/index.ts) but sits at the provider root: its
 * installed path, dist/provider/entry.js, is part of that stored text.
 */

/**
 * The steps (resource/steps.ts), by the name the package's `exports` give them. The name is older
 * than the folders and stays: from a source checkout this text is copied into every state, so
 * changing it would rewrite every resource once (see test/serialized-provider.test.ts).
 */
const IMPLEMENTATION = "pulumi-acronis-user-email/provider/dynamic";

/** The SDK's provider contract for this resource's plain inputs and outputs. */
type UserEmailProvider = pulumi.dynamic.ResourceProvider<UserEmailInputs, UserEmailOutputs>;

/**
 * What the implementation module exports: every step of the contract. resource/steps.ts holds
 * its exports to this type; it is declared here, not imported from there, so that this file sits
 * below the resource part it belongs to (user-email.ts imports it, nothing points back).
 */
export type Steps = Required<UserEmailProvider>;

let loaded: Steps | undefined;

/**
 * Loads the implementation on the first step of a process. Every preview and every update starts
 * a new host process, and loading the implementation and its libraries is most of that first
 * step, so it goes through Node's compile cache (compiled code kept on disk: NODE_COMPILE_CACHE,
 * default <tmpdir>/node-compile-cache; NODE_DISABLE_COMPILE_CACHE=1 turns it off). The cache is
 * written at once: the engine ends the host with a signal, never a clean exit. Neither call
 * throws. (No comments inside: from a source checkout the function body is copied into state.)
 */
function steps(): Steps {
  if (loaded === undefined) {
    const nodeModule = process.getBuiltinModule("node:module");
    nodeModule.enableCompileCache?.();
    loaded = nodeModule.createRequire(`${process.cwd()}/`)(IMPLEMENTATION) as Steps;
    nodeModule.flushCompileCache?.();
  }
  return loaded;
}

type Step<K extends keyof UserEmailProvider> = NonNullable<UserEmailProvider[K]>;

export const configure: Step<"configure"> = (req) => steps().configure(req);
export const check: Step<"check"> = (olds, news) => steps().check(olds, news);
export const diff: Step<"diff"> = (id, olds, news) => steps().diff(id, olds, news);
export const create: Step<"create"> = (inputs) => steps().create(inputs);
export const read: Step<"read"> = (id, props) => steps().read(id, props);
export const update: Step<"update"> = (id, olds, news) => steps().update(id, olds, news);
const release: Step<"delete"> = (id, props) => steps().delete(id, props);

export { release as delete };

/**
 * The module's own type: every step of the contract. user-email.ts hands this module to Pulumi as
 * the provider object and holds it to this type there (`satisfies`): a module that named its own
 * type here would import itself, an import loop.
 */
export type Provider = Steps;
