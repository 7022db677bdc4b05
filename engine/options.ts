import type { Props, ResourceOptions } from "./model";
import type { resourcePb } from "./sdk";

/**
 * Resource options, as the SDK sends them in a RegisterResourceRequest, and the two rules the
 * engine applies to inputs and diffs with them (pulumi/pulumi at 1b5949891b3c,
 * pkg/resource/deploy/step_generator.go). An option the local engine does not model fails the
 * registration, naming it: a program that sets one would get another result than under `pulumi`.
 */

export class UnmodeledOptionError extends Error {
  override name = "UnmodeledOptionError";
  constructor(resource: string, options: readonly string[]) {
    super(
      `${resource}: resource option${options.length === 1 ? "" : "s"} ${options.join(", ")} ` +
        `${options.length === 1 ? "is" : "are"} not modeled by the local engine; ` +
        "run this program with `pulumi` instead",
    );
  }
}

/**
 * The options of one registration. Modeled: protect, retainOnDelete, ignoreChanges,
 * replaceOnChanges, deleteBeforeReplace, import, dependsOn/dependencies, additionalSecretOutputs
 * (language-host.ts), parent and provider. Anything else set is an UnmodeledOptionError.
 */
export function resourceOptionsOf(req: resourcePb.RegisterResourceRequest): ResourceOptions {
  const unmodeled: string[] = [];
  const set = (name: string, isSet: boolean) => {
    if (isSet) unmodeled.push(name);
  };
  set("aliases", req.getAliasesList().length > 0 || req.getAliasurnsList().length > 0);
  const timeouts = req.getCustomtimeouts();
  set(
    "customTimeouts",
    !!timeouts && !!(timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete()),
  );
  set("deletedWith", req.getDeletedwith() !== "");
  set("hideDiffs", req.getHidediffsList().length > 0);
  set("replaceWith", req.getReplaceWithList().length > 0);
  set("replacementTrigger", isSetValue(req.getReplacementTrigger()));
  set("version", req.getVersion() !== "");
  set("pluginDownloadURL", req.getPlugindownloadurl() !== "");
  set("pluginChecksums", req.getPluginchecksumsMap().getLength() > 0);
  set("providers", req.getProvidersMap().getLength() > 0);
  set("transforms", req.getTransformsList().length > 0);
  set("hooks", req.getHooks() !== undefined);
  set("envVarMappings", req.getEnvvarmappingsMap().getLength() > 0);
  set("packageRef", req.getPackageref() !== "");
  if (unmodeled.length > 0) throw new UnmodeledOptionError(req.getName(), unmodeled);

  const options: ResourceOptions = {};
  const protect = req.getProtect();
  if (protect !== undefined) options.protect = protect;
  const retain = req.getRetainondelete();
  if (retain !== undefined) options.retainOnDelete = retain;
  if (req.getIgnorechangesList().length > 0) options.ignoreChanges = req.getIgnorechangesList();
  if (req.getReplaceonchangesList().length > 0)
    options.replaceOnChanges = req.getReplaceonchangesList();
  if (req.getDeletebeforereplacedefined())
    options.deleteBeforeReplace = req.getDeletebeforereplace();
  if (req.getImportid() !== "") options.importId = req.getImportid();
  if (req.getDependenciesList().length > 0) options.dependencies = req.getDependenciesList();
  for (const path of [...(options.ignoreChanges ?? []), ...(options.replaceOnChanges ?? [])]) {
    parsePath(req.getName(), path);
  }
  return options;
}

function isSetValue(value: { toJavaScript(): unknown } | undefined): boolean {
  if (value === undefined) return false;
  const js = value.toJavaScript();
  return js !== null && js !== undefined;
}

/** Property paths as the local engine reads them: dotted names only ("email", "a.b"). */
function parsePath(resource: string, path: string): string[] {
  if (path !== "*" && !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(path)) {
    throw new Error(
      `${resource}: property path "${path}": only dotted property names are modeled by the local engine`,
    );
  }
  return path.split(".");
}

/**
 * step_generator.go `processIgnoreChanges`: each ignored path of the new inputs is reset to its
 * value in the old inputs (removed when the old inputs lack it).
 */
export function processIgnoreChanges(
  inputs: Props,
  oldInputs: Props,
  ignoreChanges: readonly string[] | undefined,
): Props {
  const result = structuredClone(inputs);
  for (const path of ignoreChanges ?? []) {
    const keys = path.split(".");
    const last = keys.pop() as string;
    let from: unknown = oldInputs;
    let to: Props | undefined = result;
    for (const key of keys) {
      from = (from as Props | undefined)?.[key];
      const next: unknown = to?.[key];
      to = typeof next === "object" && next !== null ? (next as Props) : undefined;
    }
    if (!to) continue;
    const old = typeof from === "object" && from !== null ? (from as Props) : undefined;
    if (old && last in old) to[last] = structuredClone(old[last]);
    else delete to[last];
  }
  return result;
}

/** What a Diff answered, as the engine uses it. */
export interface DiffOutcome {
  changes: boolean;
  /** Keys whose change replaces the resource. */
  replaces: string[];
  /** Keys the provider reported as changed (the dynamic-provider host never sends them). */
  changed: string[];
  deleteBeforeReplace: boolean;
}

/**
 * step_generator.go `applyReplaceOnChanges`: a changed key under a replaceOnChanges path becomes
 * a replace key. Only keys the provider reported as changed count, so with the dynamic-provider
 * host, which reports none, replaceOnChanges changes nothing (as under `pulumi`).
 */
export function applyReplaceOnChanges(
  diff: DiffOutcome,
  replaceOnChanges: readonly string[] | undefined,
): DiffOutcome {
  if (!diff.changes || !replaceOnChanges?.length) return diff;
  const contains = (path: string, key: string) =>
    path === "*" || key === path || key.startsWith(`${path}.`);
  const extra = diff.changed.filter((key) => replaceOnChanges.some((p) => contains(p, key)));
  return { ...diff, replaces: [...new Set([...diff.replaces, ...extra])] };
}

/**
 * step_generator.go `diffResource`: a Diff answer as the engine uses it; "unknown" becomes a
 * comparison of the old inputs with the new ones (ignored paths reset first).
 */
export function diffOutcome(
  resp: { changes: "some" | "none" | "unknown"; replaces: string[]; changed: string[] },
  oldInputs: Props,
  newInputs: Props,
  ignoreChanges: readonly string[] | undefined,
  deleteBeforeReplace = false,
): DiffOutcome {
  const changes =
    resp.changes === "unknown"
      ? JSON.stringify(oldInputs) !==
        JSON.stringify(processIgnoreChanges(newInputs, oldInputs, ignoreChanges))
      : resp.changes === "some";
  return { changes, replaces: resp.replaces, changed: resp.changed, deleteBeforeReplace };
}
