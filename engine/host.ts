import type { ChildProcess } from "node:child_process";
import { type HostProcessOptions, readPeakRssMb, spawnHost } from "./host-process";
import type { OutputLine, Props } from "./model";
import {
  grpc,
  type grpcTypes,
  providerProto as pb,
  type providerGrpc,
  type providerPb,
  providerRpc as rpc,
  Struct,
} from "./sdk";
import { transcribe } from "./transcript";

/**
 * Drives the dynamic-provider host that ships in @pulumi/pulumi, over gRPC, the way the Pulumi
 * engine does: the same process, the same protocol, the same serialized `__provider`.
 *
 * The stubs and the Struct class come from the SDK's own dependency tree (./sdk.ts), because the
 * generated stubs check messages with instanceof.
 */

export interface HostOptions extends HostProcessOptions {
  /** Where each provider call is recorded as it starts and ends (default: a list of its own). */
  calls?: CallRecord[];
}

/**
 * Starts a provider process and configures it: with the stack config for the default provider,
 * with `instance` (an explicit provider's inputs) otherwise.
 */
export type HostStarter = (instance?: Props) => Promise<ProviderHost>;

/** One gRPC call to the provider: what the scheduling tests look at. */
export interface CallRecord {
  method: string;
  urn: string;
  /** performance.now() when the call was sent and when its answer came back. */
  start: number;
  end?: number;
}

export interface CheckResponse {
  inputs: Props;
  failures: { property: string; reason: string }[];
}

export interface DiffResponse {
  changes: "some" | "none" | "unknown";
  replaces: string[];
  /** Keys the provider reported as changed (`diffs`). */
  changed: string[];
  deleteBeforeReplace: boolean;
}

/** A gRPC error from the host: what the engine would show the user. */
export class HostCallError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
  ) {
    super(details);
    this.name = "HostCallError";
  }
}

/** Props as the protobuf Struct the provider protocol carries. */
function toStruct(props: Props) {
  return Struct.fromJavaScript(props as never);
}

/** A Struct the provider answered, as props ({} when absent). */
function fromStruct(struct: { toJavaScript(): unknown } | undefined): Props {
  return (struct?.toJavaScript() ?? {}) as Props;
}

/** A request about one existing resource: its URN and id. */
function addressed<R extends { setUrn(urn: string): unknown; setId(id: string): unknown }>(
  req: R,
  urn: string,
  id: string,
): R {
  req.setUrn(urn);
  req.setId(id);
  return req;
}
export class ProviderHost {
  /** Set once the process has exited and its output pipes are drained: every line is in `output`. */
  private closed = false;
  private readonly whenClosed: Promise<void>;

  private constructor(
    /** Every line the host printed after its port, in order. */
    readonly output: OutputLine[],
    /** Every call sent to the provider, in the order sent. */
    readonly calls: CallRecord[],
    private readonly child: ChildProcess,
    private readonly client: providerGrpc.ResourceProviderClient,
    readonly startMs: number,
  ) {
    this.whenClosed = new Promise((resolve) =>
      child.once("close", () => {
        this.closed = true;
        resolve();
      }),
    );
  }

  /** Spawns the host as the engine does (`node <sdk>/cmd/dynamic-provider <engine>`) and connects. */
  static async start(options: HostOptions): Promise<ProviderHost> {
    const started = performance.now();
    const { child, port, lines } = await spawnHost(options);
    const client = new rpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    const calls = options.calls ?? [];
    return new ProviderHost(lines, calls, child, client, performance.now() - started);
  }

  /**
   * What the engine does for each deployment: start a host in the program directory and send it
   * Configure with the stack config.
   */
  static starter(options: HostOptions & { config: Props }): HostStarter {
    return async (instance) => {
      const host = await ProviderHost.start(options);
      await host.configure(instance ?? options.config);
      return host;
    };
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The provider's console lines (stdout), without the port line. */
  get consoleLines(): string[] {
    return this.output.filter((o) => o.stream === "stdout").map((o) => o.line);
  }

  /**
   * Configure carries, for the default provider, the whole stack config (namespaced keys,
   * secrets decrypted); for an explicit provider instance, the instance's own inputs as the
   * program gave them (pkg/resource/deploy/providers/registry.go).
   */
  async configure(config: Props): Promise<void> {
    for (const [key, value] of Object.entries(config)) {
      if (/secret/i.test(key) && typeof value === "string") transcribe("secret", value);
    }
    // The Basic-auth form of the credentials is a secret too (base64 of "clientId:secret").
    const { "acronis:clientId": id, "acronis:clientSecret": secret } = config;
    if (typeof id === "string" && typeof secret === "string") {
      transcribe("secret", Buffer.from(`${id}:${secret}`).toString("base64"));
    }
    const req = new pb.ConfigureRequest();
    req.setArgs(toStruct(config as never));
    for (const [k, v] of Object.entries(config)) {
      req.getVariablesMap().set(k, typeof v === "string" ? v : JSON.stringify(v));
    }
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    await this.call("configure", req);
  }

  async check(urn: string, olds: Props, news: Props): Promise<CheckResponse> {
    const req = new pb.CheckRequest();
    req.setUrn(urn);
    req.setOlds(toStruct(olds as never));
    req.setNews(toStruct(news as never));
    const resp = (await this.call("check", req)) as providerPb.CheckResponse;
    return {
      inputs: fromStruct(resp.getInputs()),
      failures: resp
        .getFailuresList()
        .map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /** `olds` are the old outputs; `oldInputs` and `ignoreChanges` go along as the engine sends them. */
  async diff(
    urn: string,
    id: string,
    olds: Props,
    news: Props,
    ignoreChanges: readonly string[] = [],
    oldInputs?: Props,
  ): Promise<DiffResponse> {
    const req = addressed(new pb.DiffRequest(), urn, id);
    req.setOlds(toStruct(olds as never));
    req.setNews(toStruct(news as never));
    if (oldInputs) req.setOldInputs(toStruct(oldInputs as never));
    req.setIgnorechangesList([...ignoreChanges]);
    const resp = (await this.call("diff", req)) as providerPb.DiffResponse;
    const kinds = pb.DiffResponse.DiffChanges;
    const changes = resp.getChanges();
    return {
      changes:
        changes === kinds.DIFF_SOME ? "some" : changes === kinds.DIFF_NONE ? "none" : "unknown",
      replaces: resp.getReplacesList(),
      changed: resp.getDiffsList(),
      deleteBeforeReplace: resp.getDeletebeforereplace(),
    };
  }

  async create(urn: string, props: Props): Promise<{ id: string; properties: Props }> {
    const req = new pb.CreateRequest();
    req.setUrn(urn);
    req.setProperties(toStruct(props as never));
    const resp = (await this.call("create", req)) as providerPb.CreateResponse;
    return { id: resp.getId(), properties: fromStruct(resp.getProperties()) };
  }

  async read(
    urn: string,
    id: string,
    props: Props,
    inputs: Props,
  ): Promise<{ id: string; properties: Props; inputs: Props | undefined }> {
    const req = addressed(new pb.ReadRequest(), urn, id);
    req.setProperties(toStruct(props as never));
    req.setInputs(toStruct(inputs as never));
    const resp = (await this.call("read", req)) as providerPb.ReadResponse;
    return {
      id: resp.getId(),
      properties: fromStruct(resp.getProperties()),
      inputs: resp.getInputs()?.toJavaScript() as Props | undefined,
    };
  }

  async update(urn: string, id: string, olds: Props, news: Props): Promise<{ properties: Props }> {
    const req = addressed(new pb.UpdateRequest(), urn, id);
    req.setOlds(toStruct(olds as never));
    req.setNews(toStruct(news as never));
    const resp = (await this.call("update", req)) as providerPb.UpdateResponse;
    return { properties: fromStruct(resp.getProperties()) };
  }

  async delete(urn: string, id: string, props: Props): Promise<void> {
    const req = addressed(new pb.DeleteRequest(), urn, id);
    req.setProperties(toStruct(props as never));
    await this.call("delete", req);
  }

  /**
   * Ends the host as the engine does at the end of a run: SIGINT to the plugin's process group
   * (sdk/go/common/resource/plugin/plugin.go, `kill`: InterruptChildren, SIGKILL only after 5 s).
   * The dynamic-provider host has no handler for it, so it dies without a clean exit.
   */
  stop(): Promise<void> {
    return this.end("SIGINT");
  }

  /** Kills the host without warning, as a crash or a cancelled CI job would. */
  kill(): Promise<void> {
    return this.end("SIGKILL");
  }

  /** The process's peak resident set in MB, read as it is stopped (Linux; NaN elsewhere). */
  peakRssMb = Number.NaN;

  private async end(signal: NodeJS.Signals): Promise<void> {
    this.client.close();
    if (this.closed) return;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.peakRssMb = readPeakRssMb(this.child.pid);
      this.child.kill(signal);
    }
    // "close", not "exit": the host's last console lines are read before the caller looks.
    await this.whenClosed;
  }

  private call(method: string, req: unknown): Promise<unknown> {
    const urn = (req as { getUrn?: () => string }).getUrn?.() ?? "";
    const record: CallRecord = { method, urn, start: performance.now() };
    this.calls.push(record);
    return new Promise((resolve, reject) => {
      type Unary = (
        req: unknown,
        callback: (err: grpcTypes.ServiceError | null, resp: unknown) => void,
      ) => void;
      const fn = (this.client as unknown as Record<string, Unary>)[method] as Unary;
      fn.call(this.client, req, (err, resp) => {
        record.end = performance.now();
        if (err) reject(new HostCallError(method, err.code, err.details || err.message));
        else resolve(resp);
      });
    });
  }
}
