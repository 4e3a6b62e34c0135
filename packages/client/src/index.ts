/**
 * `@faultline/client`: typed decoding of Faultline faults on the calling side. This entry runs in
 * browsers and Node (no Node-only imports); gRPC decoding is `@faultline/client/grpc` (Node).
 * @packageDocumentation
 */
export { decodeFault, decodeHttpBody, type ResponseLike } from './http.js';
export {
  type BuiltinCode,
  type CatalogLike,
  categoryOfGrpcCode,
  categoryOfHttpStatus,
  type RemoteFault,
  type RemoteFieldViolation,
  retryAfterSeconds,
} from './remote-fault.js';
export { type CloseLike, decodeWsFault } from './ws.js';
