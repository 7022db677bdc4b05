import { stripVTControlCharacters } from "node:util";
import type { LogSeverity, ProgramLog } from "./model";
import { Empty, type enginePb, engineProto, type grpcTypes } from "./sdk";
import { transcribe } from "./transcript";

/**
 * The `Engine` gRPC service the program calls beside the monitor (pulumi/pulumi
 * proto/pulumi/engine.proto), one method per RPC: its log messages, as `pulumi up` shows them,
 * and the root resource the SDK records there. A method left out answers UNIMPLEMENTED.
 */

const SEVERITIES: Record<number, LogSeverity | "debug"> = {
  [engineProto.LogSeverity.DEBUG]: "debug",
  [engineProto.LogSeverity.INFO]: "info",
  [engineProto.LogSeverity.WARNING]: "warning",
  [engineProto.LogSeverity.ERROR]: "error",
};

type Call<Req> = grpcTypes.ServerUnaryCall<Req, unknown>;
type Reply<Res> = grpcTypes.sendUnaryData<Res>;

export class EngineService {
  /**
   * What the program and the SDK sent to `Engine.Log`: debug messages are left out, as without
   * `--debug` (the SDK's own debug lines print whole RegisterResource answers, secrets in plain
   * text).
   */
  readonly logs: ProgramLog[] = [];
  private rootUrn = "";

  log(call: Call<enginePb.LogRequest>, callback: Reply<InstanceType<typeof Empty>>) {
    const req = call.request;
    const severity = SEVERITIES[req.getSeverity()] ?? "info";
    if (severity !== "debug") {
      const message = stripVTControlCharacters(req.getMessage());
      this.logs.push({ severity, message, ...(req.getUrn() ? { urn: req.getUrn() } : {}) });
      transcribe("output", `${severity}: ${message}`);
    }
    callback(null, new Empty());
  }

  getRootResource(
    _call: Call<enginePb.GetRootResourceRequest>,
    callback: Reply<enginePb.GetRootResourceResponse>,
  ) {
    const resp = new engineProto.GetRootResourceResponse();
    resp.setUrn(this.rootUrn);
    callback(null, resp);
  }

  setRootResource(
    call: Call<enginePb.SetRootResourceRequest>,
    callback: Reply<enginePb.SetRootResourceResponse>,
  ) {
    this.rootUrn = call.request.getUrn();
    callback(null, new engineProto.SetRootResourceResponse());
  }
}
