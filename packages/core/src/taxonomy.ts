/**
 * `@faultline/core/taxonomy`: the error taxonomy of `@faultline/taxonomy` (categories and their
 * HTTP status, gRPC code and WebSocket close code), under core's name.
 * @packageDocumentation
 */

export {
  CATEGORIES,
  type Category,
  type CategorySpec,
  categoryOfBuiltinCode,
  GrpcStatus,
  type GrpcStatusCode,
  isCategory,
  TAXONOMY,
} from '@faultline/taxonomy';
