/**
 * `@faultline/grpc/rich-status`: reading a received `grpc-status-details-bin` synchronously. It
 * loads protobuf on import (about +6 MB RSS), which is why it is not in the main entry: a server
 * built with `@faultline/grpc` encodes its statuses without protobuf and loads the reader only
 * when a downstream's rich status must be read.
 * @packageDocumentation
 */
export {
  classifyReceivedStatus,
  type DecodedStatusDetails,
  decodeStatusDetails,
  grpcStatusClassifier,
  type ReceivedStatus,
} from '@faultline/core/grpc';
