/**
 * `@faultline/core/grpc`: the `google.rpc.Status` codec for `grpc-status-details-bin` and the
 * classifier that reads it. Kept out of the main entries because its decoder loads protobuf;
 * `@faultline/client/grpc` imports it. The gRPC adapter encodes through `@faultline/core/adapter`
 * (no protobuf) and loads this reader only when a received status must be read.
 * @packageDocumentation
 */

export { GRPC_DETAILS_KEY } from './classify/grpc-code.js';
export { classifyReceivedStatus, grpcStatusClassifier, type ReceivedStatus } from './grpc/received-status.js';
export { type DecodedStatusDetails, decodeStatusDetails } from './grpc/status-details.js';
export { encodeStatusDetails, fieldPathOf, MAX_DETAILS_BYTES } from './grpc/status-encode.js';
