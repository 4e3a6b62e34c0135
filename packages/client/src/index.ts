/**
 * `@faultline/client`: typed decoding of faults on the calling side, treating every server as
 * untrusted. This entry runs in browsers and Node (no Node-only imports); gRPC decoding is
 * `@faultline/client/grpc` (Node).
 * @packageDocumentation
 */

export type { BodyStreamLike } from './http/body-source.js';
export {
  type DecodeFaultOptions,
  decodeFault,
  decodeHttpBody,
  type IncomingMessageLike,
  type ResponseLike,
} from './http/decode.js';
export { retryAfterSeconds } from './http/retry-after.js';
export {
  type BuiltinCode,
  type CatalogLike,
  categoryOfGrpcCode,
  categoryOfHttpStatus,
  type RemoteFault,
  type RemoteFieldViolation,
  type RemoteFormat,
} from './remote-fault.js';
export { DECODE_LIMITS } from './untrusted.js';
export { type CloseLike, decodeWsFault } from './ws/decode.js';
export type { WsData } from './ws/text.js';
