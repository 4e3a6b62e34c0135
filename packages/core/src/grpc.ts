/**
 * `@faultline/core/grpc`: the `google.rpc.Status` codec for `grpc-status-details-bin` and the
 * classifier that reads it. Kept out of the main entries because it loads protobuf; the gRPC
 * adapter and `@faultline/client/grpc` import it.
 * @packageDocumentation
 */

export { GRPC_DETAILS_KEY } from './classify/grpc-code.js';
export { classifyReceivedStatus, grpcStatusClassifier, type ReceivedStatus } from './grpc/received-status.js';
export {
  type DecodedStatusDetails,
  decodeStatusDetails,
  encodeStatusDetails,
  fieldPathOf,
  MAX_DETAILS_BYTES,
} from './grpc/status-details.js';
