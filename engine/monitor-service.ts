import { z } from "zod";
import type { Goal, Register } from "./model";
import { resourceOptionsOf } from "./options";
import type { ProgramRunOptions } from "./program-launch";
import { LOCAL_ORGANIZATION } from "./program-launch";
import { Empty, grpc, type grpcTypes, type resourcePb, resourceProto, Struct } from "./sdk";
import { type RegistrationSource, registrationSource } from "./source-position";
import { transcribe } from "./transcript";
import { present, unwrapInputs, wireOutputs } from "./wire-values";

/**
 * The `ResourceMonitor` gRPC service the program calls, as the engine's resource monitor serves
 * it (pulumi/pulumi pkg/resource/deploy/source_eval.go), one method per RPC; a method left out
 * answers UNIMPLEMENTED, which the SDK treats as "not supported". It registers the root stack
 * and component resources itself and hands every custom resource to the engine's `register`, in
 * arrival order, without waiting for one before the next; it answers the program with what
 * `register` resolves to, re-marking as secret every output whose input was secret (as the
 * engine does for a provider that does not accept secrets), and collects the stack outputs from
 * `RegisterResourceOutputs` on the stack resource.
 */

/** `pkg/resource/stack`'s RootStackType, the type the SDK registers its Stack under. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * What this monitor supports, as `supportsFeatureID` names them (source_eval.go). Only secrets:
 * without `resourceReferences` the SDK sends a resource input as its id or urn, and without the
 * option features (deletedWith, transforms, hooks...) it fails a program that uses one with its
 * own "The Pulumi CLI does not support ..." message, rather than this engine ignoring it.
 */
const FEATURES = new Map<string, number>([
  ["secrets", resourceProto.ResourceMonitorFeature.RESOURCE_MONITOR_FEATURE_SECRETS],
]);

const RegisteredAnswer = z.object({
  id: z.string(),
  outputs: z.record(z.string(), z.unknown()),
  failed: z.boolean().optional(),
});

type Call<Req> = grpcTypes.ServerUnaryCall<Req, unknown>;
type Reply<Res> = grpcTypes.sendUnaryData<Res>;
type EmptyMessage = InstanceType<typeof Empty>;

export function rpcError(code: grpcTypes.status, details: string): grpcTypes.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

/** The URN in a provider reference "<urn>::<id>" (sdk/go/common/resource/providers/reference.go). */
function providerUrn(reference: string): string {
  return reference.slice(0, reference.lastIndexOf("::"));
}

/** urn.New (sdk/go/common/resource/urn): the parent's qualified type prefixes the type. */
function makeUrn(
  stack: string,
  project: string,
  parent: string | undefined,
  type: string,
  name: string,
) {
  const parentType = parent?.split("::")[2];
  const qualified = parentType && parentType !== ROOT_STACK_TYPE ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

export class ResourceMonitorService {
  /** The stack outputs, as `pulumi stack output` shows them (wire-values.ts `present`). */
  stackOutputs: Record<string, unknown> = {};
  private readonly urns = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private stackUrn: string | undefined;
  private shuttingDown = false;

  constructor(
    private readonly run: ProgramRunOptions,
    /** The engine: called for each custom resource, in arrival order. */
    private readonly register: Register,
  ) {}

  // source_eval.go GetDeploymentInfo: what this SDK asks first (an older one, or this one when
  // the method is missing, asks SupportsFeature for each feature instead).
  getDeploymentInfo(_call: Call<EmptyMessage>, callback: Reply<resourcePb.DeploymentInfo>) {
    const info = new resourceProto.DeploymentInfo();
    info.setProject(this.run.project);
    info.setStack(this.run.stack);
    info.setOrganization(LOCAL_ORGANIZATION);
    for (const [k, v] of Object.entries(this.run.config)) info.getConfigMap().set(k, v);
    info.setConfigsecretkeysList(this.run.secretKeys);
    info.setDryrun(this.run.dryRun);
    info.setParallel(this.run.parallel);
    info.setSupportedfeaturesList([...FEATURES.values()]);
    callback(null, info);
  }

  // Older SDKs (and the fallback of newer ones) ask feature by feature.
  supportsFeature(
    call: Call<resourcePb.SupportsFeatureRequest>,
    callback: Reply<resourcePb.SupportsFeatureResponse>,
  ) {
    const resp = new resourceProto.SupportsFeatureResponse();
    resp.setHassupport(FEATURES.has(call.request.getId()));
    callback(null, resp);
  }

  registerResource(
    call: Call<resourcePb.RegisterResourceRequest>,
    callback: Reply<resourcePb.RegisterResourceResponse>,
  ) {
    const req = call.request;
    const type = req.getType();
    const name = req.getName();
    const parent = req.getParent() || undefined;
    if (req.getRemote()) {
      callback(
        rpcError(
          grpc.status.UNIMPLEMENTED,
          `${name} [${type}]: remote components are not supported by the local engine`,
        ),
        null,
      );
      return;
    }
    const urn = makeUrn(this.run.stack, this.run.project, parent, type, name);
    if (this.urns.has(urn)) {
      // step_generator.go generateURN: diag.GetDuplicateResourceURNError.
      callback(
        rpcError(
          grpc.status.INVALID_ARGUMENT,
          `Duplicate resource URN '${urn}'; try giving it a unique name`,
        ),
        null,
      );
      return;
    }
    this.urns.add(urn);
    const resp = new resourceProto.RegisterResourceResponse();
    resp.setUrn(urn);
    if (!req.getCustom()) {
      // The stack and components: no provider involved, nothing to schedule.
      if (type === ROOT_STACK_TYPE && !parent) this.stackUrn = urn;
      resp.setObject(new Struct());
      callback(null, resp);
      return;
    }
    let goal: Goal;
    try {
      const object = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
      const { inputs, secretInputs } = unwrapInputs(object, name);
      goal = {
        urn,
        name,
        type,
        ...(parent ? { parent } : {}),
        inputs,
        ...(secretInputs.length > 0 ? { secretInputs } : {}),
        ...(req.getProvider() ? { provider: providerUrn(req.getProvider()) } : {}),
        options: resourceOptionsOf(req),
        ...sourceOf(req, this.run.dir),
      };
    } catch (error) {
      callback(rpcError(grpc.status.INVALID_ARGUMENT, (error as Error).message), null);
      return;
    }
    const secret = new Set([...(goal.secretInputs ?? []), ...req.getAdditionalsecretoutputsList()]);
    // Called now, in arrival order; the engine decides what runs at once.
    const answered = (async () => {
      try {
        const { id, outputs, failed } = RegisteredAnswer.parse(await this.register(goal));
        resp.setId(id);
        resp.setObject(wireOutputs(outputs, secret));
        if (failed) resp.setResult(resourceProto.Result.FAIL);
        callback(null, resp);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        callback(rpcError(grpc.status.INTERNAL, message), null);
      }
    })();
    this.inFlight.add(answered);
    void answered.then(() => this.inFlight.delete(answered));
  }

  registerResourceOutputs(
    call: Call<resourcePb.RegisterResourceOutputsRequest>,
    callback: Reply<EmptyMessage>,
  ) {
    const urn = call.request.getUrn();
    if (urn === this.stackUrn) {
      const raw = (call.request.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
      this.stackOutputs = present(raw) as Record<string, unknown>;
      transcribe("state", () => JSON.stringify(this.stackOutputs));
    }
    callback(null, new Empty());
  }

  // source_eval.go SignalAndWaitForShutdown: answered once every registration is done.
  signalAndWaitForShutdown(_call: Call<EmptyMessage>, callback: Reply<EmptyMessage>) {
    if (this.shuttingDown) {
      callback(rpcError(grpc.status.UNKNOWN, "Already waiting for shutdown"), null);
      return;
    }
    this.shuttingDown = true;
    void Promise.allSettled([...this.inFlight]).then(() => callback(null, new Empty()));
  }
}

/** The registration's source position and stack trace, as the engine stores them. */
function sourceOf(
  req: resourcePb.RegisterResourceRequest,
  projectRoot: string,
): { source?: RegistrationSource } {
  const raw = (pos: { getUri(): string; getLine(): number; getColumn(): number } | undefined) =>
    pos ? { uri: pos.getUri(), line: pos.getLine(), column: pos.getColumn() } : undefined;
  const frames = req
    .getStacktrace()
    ?.getFramesList()
    .map((frame) => raw(frame.getPc()));
  const source = registrationSource(raw(req.getSourceposition()), frames, projectRoot);
  return source ? { source } : {};
}
