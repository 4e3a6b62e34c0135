/**
 * The taxonomy table: each category mapped once to its HTTP status, gRPC code, WebSocket close
 * code, public text and default code, and the reverse look-up from a default code.
 *
 * @module
 */

import { CATEGORIES, type Category } from './categories.js';
import { GrpcStatus, type GrpcStatusCode } from './grpc-status.js';

/** Everything the protocols need to know about one category. */
export interface CategorySpec {
  /** HTTP status code. */
  readonly http: number;
  /** gRPC status code. */
  readonly grpc: GrpcStatusCode;
  /** WebSocket close code used when the error is fatal to the connection. */
  readonly wsClose: number;
  /** Short title (the HTTP reason phrase), used as the RFC 9457 `title`. */
  readonly title: string;
  /** Generic public message: says what kind of problem it is, never what went wrong inside. */
  readonly message: string;
  /** The stable public code used when no catalog code applies. */
  readonly code: string;
  /** True when the failure is on the server side (5xx, span status ERROR, full log record). */
  readonly serverFault: boolean;
  /**
   * True when the same (idempotent) request may succeed if sent again later: the client should
   * retry with backoff, honouring `Retry-After` / `RetryInfo` when given.
   */
  readonly retryable: boolean;
}

/** The taxonomy table. Exhaustive by type: the compiler rejects a category without a mapping. */
export const TAXONOMY: Readonly<Record<Category, CategorySpec>> = Object.freeze({
  validation: {
    http: 400,
    grpc: GrpcStatus.INVALID_ARGUMENT,
    wsClose: 4400,
    title: 'Bad Request',
    message: 'The request is invalid.',
    code: 'VALIDATION_FAILED',
    serverFault: false,
    retryable: false,
  },
  unauthenticated: {
    http: 401,
    grpc: GrpcStatus.UNAUTHENTICATED,
    wsClose: 4401,
    title: 'Unauthorized',
    message: 'Authentication is required.',
    code: 'UNAUTHENTICATED',
    serverFault: false,
    retryable: false,
  },
  forbidden: {
    http: 403,
    grpc: GrpcStatus.PERMISSION_DENIED,
    wsClose: 4403,
    title: 'Forbidden',
    message: 'You do not have permission to perform this action.',
    code: 'FORBIDDEN',
    serverFault: false,
    retryable: false,
  },
  not_found: {
    http: 404,
    grpc: GrpcStatus.NOT_FOUND,
    wsClose: 4404,
    title: 'Not Found',
    message: 'The requested resource was not found.',
    code: 'NOT_FOUND',
    serverFault: false,
    retryable: false,
  },
  method_not_allowed: {
    http: 405,
    grpc: GrpcStatus.UNIMPLEMENTED,
    wsClose: 4405,
    title: 'Method Not Allowed',
    message: 'The method is not allowed for this resource.',
    code: 'METHOD_NOT_ALLOWED',
    serverFault: false,
    retryable: false,
  },
  not_acceptable: {
    http: 406,
    grpc: GrpcStatus.INVALID_ARGUMENT,
    wsClose: 4406,
    title: 'Not Acceptable',
    message: 'None of the media types the request accepts can be sent.',
    code: 'NOT_ACCEPTABLE',
    serverFault: false,
    retryable: false,
  },
  conflict: {
    http: 409,
    grpc: GrpcStatus.ALREADY_EXISTS,
    wsClose: 4409,
    title: 'Conflict',
    message: 'The request conflicts with the current state of the resource.',
    code: 'CONFLICT',
    serverFault: false,
    retryable: false,
  },
  precondition_failed: {
    http: 412,
    grpc: GrpcStatus.FAILED_PRECONDITION,
    wsClose: 4412,
    title: 'Precondition Failed',
    message: 'A precondition of the request was not met.',
    code: 'PRECONDITION_FAILED',
    serverFault: false,
    retryable: false,
  },
  payload_too_large: {
    http: 413,
    grpc: GrpcStatus.RESOURCE_EXHAUSTED,
    wsClose: 1009,
    title: 'Content Too Large',
    message: 'The request body is too large.',
    code: 'PAYLOAD_TOO_LARGE',
    serverFault: false,
    retryable: false,
  },
  unsupported_media_type: {
    http: 415,
    grpc: GrpcStatus.INVALID_ARGUMENT,
    wsClose: 1003,
    title: 'Unsupported Media Type',
    message: 'The request content type is not supported.',
    code: 'UNSUPPORTED_MEDIA_TYPE',
    serverFault: false,
    retryable: false,
  },
  request_timeout: {
    http: 408,
    grpc: GrpcStatus.DEADLINE_EXCEEDED,
    wsClose: 4408,
    title: 'Request Timeout',
    message: 'The request was not received in time.',
    code: 'REQUEST_TIMEOUT',
    serverFault: false,
    retryable: true,
  },
  uri_too_long: {
    http: 414,
    grpc: GrpcStatus.INVALID_ARGUMENT,
    wsClose: 4414,
    title: 'URI Too Long',
    message: 'The request URI is too long.',
    code: 'URI_TOO_LONG',
    serverFault: false,
    retryable: false,
  },
  header_fields_too_large: {
    http: 431,
    grpc: GrpcStatus.RESOURCE_EXHAUSTED,
    wsClose: 4431,
    title: 'Request Header Fields Too Large',
    message: 'The request headers are too large.',
    code: 'HEADER_FIELDS_TOO_LARGE',
    serverFault: false,
    retryable: false,
  },
  rate_limited: {
    http: 429,
    grpc: GrpcStatus.RESOURCE_EXHAUSTED,
    wsClose: 4429,
    title: 'Too Many Requests',
    message: 'Too many requests. Retry later.',
    code: 'RATE_LIMITED',
    serverFault: false,
    retryable: true,
  },
  cancelled: {
    http: 499,
    grpc: GrpcStatus.CANCELLED,
    wsClose: 1001,
    title: 'Client Closed Request',
    message: 'The request was cancelled.',
    code: 'CANCELLED',
    serverFault: false,
    retryable: false,
  },
  internal: {
    http: 500,
    grpc: GrpcStatus.INTERNAL,
    wsClose: 1011,
    title: 'Internal Server Error',
    message: 'An internal error occurred.',
    code: 'INTERNAL',
    serverFault: true,
    retryable: false,
  },
  not_implemented: {
    http: 501,
    grpc: GrpcStatus.UNIMPLEMENTED,
    wsClose: 4501,
    title: 'Not Implemented',
    message: 'This operation is not implemented.',
    code: 'NOT_IMPLEMENTED',
    serverFault: true,
    retryable: false,
  },
  bad_gateway: {
    http: 502,
    grpc: GrpcStatus.UNAVAILABLE,
    wsClose: 1014,
    title: 'Bad Gateway',
    message: 'An upstream service failed.',
    code: 'BAD_GATEWAY',
    serverFault: true,
    retryable: true,
  },
  unavailable: {
    http: 503,
    grpc: GrpcStatus.UNAVAILABLE,
    wsClose: 1013,
    title: 'Service Unavailable',
    message: 'The service is temporarily unavailable. Retry later.',
    code: 'UNAVAILABLE',
    serverFault: true,
    retryable: true,
  },
  timeout: {
    http: 504,
    grpc: GrpcStatus.DEADLINE_EXCEEDED,
    wsClose: 4504,
    title: 'Gateway Timeout',
    message: 'The operation timed out.',
    code: 'TIMEOUT',
    serverFault: true,
    retryable: true,
  },
} satisfies Record<Category, CategorySpec>);

/** The category whose default public code is `code`, if any (e.g. `NOT_FOUND` -> `not_found`). */
export function categoryOfBuiltinCode(code: string): Category | undefined {
  for (const category of CATEGORIES) {
    if (TAXONOMY[category].code === code) return category;
  }
  return undefined;
}
