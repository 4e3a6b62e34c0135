/**
 * `@faultline/client/grpc`: decoding grpc-js `ServiceError`s (Node). A status without Faultline's
 * details decodes by its code.
 * @packageDocumentation
 */
export { decodeGrpcFault, type ServiceErrorLike } from './grpc/decode.js';
