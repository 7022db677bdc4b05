import * as path from "node:path";

/**
 * Where a registration came from, as the engine keeps it in each resource's state (pulumi/pulumi
 * at 1b5949891b3c). The Node SDK sends a source position and a stack trace with every
 * RegisterResourceRequest (sdk/nodejs/runtime/resource.ts `marshalSourcePosition`,
 * `marshalStackTrace`); the engine rewrites each `file://` position relative to the project
 * root as `project:///<path>#<line>[,<column>]` (pkg/resource/deploy/source_eval.go
 * `sourcePositions.parseSourcePosition`, `newStackTrace`: a frame it cannot parse is kept as an
 * empty frame) and stores them as `sourcePosition` and `stackTrace` of `ResourceV3`
 * (pkg/resource/stack/deployment.go `SerializeResource`; sdk/go/common/apitype/core.go).
 */

export interface RawPosition {
  uri: string;
  line: number;
  column: number;
}

export interface RegistrationSource {
  position: string;
  /** One entry per frame; "" for a frame the engine could not parse (an empty frame). */
  stackTrace: string[];
}

/** source_eval.go `parseSourcePosition`; throws where it returns an error. */
export function projectPosition(raw: RawPosition, projectRoot: string): string {
  if (raw.line < 0) throw new Error(`invalid line number ${raw.line}`);
  if (raw.column < 0) throw new Error(`invalid column number ${raw.column}`);
  const url = new URL(raw.uri);
  if (url.protocol !== "file:") throw new Error(`unrecognized scheme "${url.protocol}"`);
  const file = decodeURIComponent(url.pathname);
  if (!path.isAbsolute(file)) throw new Error("source positions must include absolute paths");
  const rel = path.relative(projectRoot, file).split(path.sep).join("/");
  const encoded = rel.split("/").map(escapePathSegment).join("/");
  const column = raw.column !== 0 ? `,${raw.column}` : "";
  return `project:///${encoded}#${raw.line}${column}`;
}

/** Go's `url.PathEscape` minus what a path may hold as is (`@`, `:`, `+`, `,`, `;`, `=`, `$`, `&`). */
function escapePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%(40|3A|2B|2C|3B|3D|24|26)/gi, (escaped) =>
    decodeURIComponent(escaped),
  );
}

/** The registration's source as the engine stores it; undefined when the SDK sent none. */
export function registrationSource(
  position: RawPosition | undefined,
  frames: readonly (RawPosition | undefined)[] | undefined,
  projectRoot: string,
): RegistrationSource | undefined {
  if (!position && !frames) return undefined;
  let stored = "";
  if (position) stored = projectPosition(position, projectRoot);
  const stackTrace = (frames ?? []).map((frame) => {
    if (!frame) return "";
    try {
      return projectPosition(frame, projectRoot);
    } catch {
      return "";
    }
  });
  return { position: stored, stackTrace };
}

/** `ResourceV3`'s `sourcePosition` and `stackTrace` (`StackFrameV1`s; an unparsed frame empty). */
export function sourceFields(r: { sourcePosition?: string; stackTrace?: string[] }) {
  return {
    ...(r.sourcePosition ? { sourcePosition: r.sourcePosition } : {}),
    ...(r.stackTrace?.length
      ? { stackTrace: r.stackTrace.map((p) => (p ? { sourcePosition: p } : {})) }
      : {}),
  };
}
