/**
 * The gRPC status codes as plain numbers: the values of the taxonomy's gRPC column.
 *
 * @module
 */

/** gRPC status codes (google/rpc/code.proto), so core and adapters never depend on grpc-js for numbers. */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** A numeric gRPC status code. */
export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];
