import { createRequire } from "node:module";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as engineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import type * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import type * as resourceGrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import type * as resourcePb from "@pulumi/pulumi/proto/resource_pb";
import type * as rpcTypes from "@pulumi/pulumi/runtime/rpc";
import type * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import type * as structPb from "google-protobuf/google/protobuf/struct_pb";

/**
 * The parts of @pulumi/pulumi the local engine speaks with: its gRPC library, its generated
 * stubs and messages, and its protobuf runtime, all loaded from the SDK's own dependency tree.
 * The generated stubs check messages with instanceof, so a second copy of google-protobuf or
 * grpc-js (ours, hoisted differently) would make every call fail.
 */

export const SDK_ROOT = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const sdkRequire = createRequire(path.join(SDK_ROOT, "package.json"));

export const grpc = sdkRequire("@grpc/grpc-js") as typeof grpcTypes;
export const providerRpc = sdkRequire("./proto/provider_grpc_pb") as typeof providerGrpc;
export const providerProto = sdkRequire("./proto/provider_pb") as typeof providerPb;
export const resourceRpc = sdkRequire("./proto/resource_grpc_pb") as typeof resourceGrpc;
export const resourceProto = sdkRequire("./proto/resource_pb") as typeof resourcePb;
export const engineRpc = sdkRequire("./proto/engine_grpc_pb") as typeof engineGrpc;
export const engineProto = sdkRequire("./proto/engine_pb") as typeof enginePb;
export const { Struct } = sdkRequire(
  "google-protobuf/google/protobuf/struct_pb",
) as typeof structPb;
export const { Empty } = sdkRequire("google-protobuf/google/protobuf/empty_pb") as typeof emptyPb;

/** The SDK's wire markers: secrets, unknowns and resource references inside a Struct. */
export const { specialSigKey, specialSecretSig, specialResourceSig, unknownValue } = sdkRequire(
  "./runtime/rpc",
) as typeof rpcTypes;

export type { enginePb, grpcTypes, providerGrpc, providerPb, resourcePb };
