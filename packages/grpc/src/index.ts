/**
 * `@faultline/grpc`: sanitized statuses and `google.rpc.Status` details for @grpc/grpc-js. It loads
 * no protobuf: decoding a received rich status is `@faultline/grpc/rich-status`.
 * @packageDocumentation
 */

export { encodeStatusDetails, fieldPathOf, MAX_DETAILS_BYTES } from '@faultline/core/adapter';
export { faultForCall, type GrpcFaultOptions, incomingRequestId } from './call-fault.js';
export { DestroyedWithoutStatus, isFaultlineStatus } from './call-guard.js';
export {
  type ClientInterceptorOptions,
  createClientInterceptor,
  grpcClassifier,
  loadGrpcStatusReader,
} from './client.js';
export { guardInterceptor, InterceptorReturnedNoCall } from './interceptor-guard.js';
export {
  guardDefinition,
  isDecodeFailure,
  RequestDecodeFailure,
  type RequestGuardOptions,
} from './request-guard.js';
export { categoryOfForeignStatus, createServerInterceptor, ForeignStatusError } from './server-interceptor.js';
export { type ShutdownOptions, shutdownGracefully } from './shutdown.js';
export { DETAILS_KEY, faultStatus, isFaultlineTrailer, REQUEST_ID_KEY } from './trailers.js';
export { answerUnknownMethods } from './unknown-method.js';
export { addFaultlineService, wrapService } from './wrap-service.js';
