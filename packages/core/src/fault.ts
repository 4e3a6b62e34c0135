/** `Fault`: the normalised form of any thrown value, split into a public and an internal side. */
import type { CodeDefinition } from './fault-error.js';
import type { FieldViolation } from './field-violation.js';
import { interpolate, NO_PARAMS, type PublicParams } from './public-params.js';
import { type Category, GrpcStatus, type GrpcStatusCode, TAXONOMY } from './taxonomy.js';

/** What only the logs and traces may see. Never rendered into a response. */
export interface FaultInternal {
  /** The value that was thrown, untouched (redact before writing it anywhere). */
  readonly thrown: unknown;
  /** A safe type label of the thrown value (`DatabaseError`, `string`, …). */
  readonly errorType: string;
  /** Which classifier decided (`fault` for a FaultError, `default` when none matched). */
  readonly classifier: string;
  /** The classifier's short reason, e.g. `pg:23505`. */
  readonly reason: string;
  /** Where the adapter caught it (`http.route`, `grpc.unary`, …), if given. */
  readonly source: string | undefined;
  /** A refused incoming correlation id, escaped for the log, if any. */
  readonly rejectedRequestId: string | undefined;
}

/** A normalised error. Everything outside `internal` is safe to send to the client. */
export interface Fault {
  /** Correlation id (UUID), shown to the client and written to logs and spans. */
  readonly id: string;
  /** Taxonomy category. */
  readonly category: Category;
  /** Stable public code. */
  readonly code: string;
  /** HTTP status. */
  readonly status: number;
  /** Short title (HTTP reason phrase). */
  readonly title: string;
  /** Generic public message. */
  readonly message: string;
  /** RFC 9457 `type` URI (`about:blank` when the code has no documentation). */
  readonly type: string;
  /** Public field violations. */
  readonly fieldViolations: readonly FieldViolation[];
  /** Seconds to wait before retrying, if the server says so. */
  readonly retryAfter: number | undefined;
  /** True when the same request may succeed on retry (transaction conflicts, deadlocks). */
  readonly retryable: boolean;
  /** gRPC status code. */
  readonly grpcCode: GrpcStatusCode;
  /** WebSocket close code for a fatal error. */
  readonly wsCloseCode: number;
  /** True for server-side failures (5xx). */
  readonly serverFault: boolean;
  /** The code definition, used to find the pre-serialized templates. */
  readonly definition: CodeDefinition;
  /** Validated public parameters (already in `message`; also sent as `params`). */
  readonly params: PublicParams;
  /** What only the logs may see. */
  readonly internal: FaultInternal;
}

/** The protocol-independent public fields of a fault, as a plain object. */
export interface PublicFaultView {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly message: string;
  readonly type: string;
  readonly requestId: string;
  readonly fieldViolations: readonly FieldViolation[];
  readonly retryAfter: number | undefined;
}

/** Everything a fault may show, and nothing else. */
export function publicView(fault: Fault): PublicFaultView {
  return {
    status: fault.status,
    code: fault.code,
    title: fault.title,
    message: fault.message,
    type: fault.type,
    requestId: fault.id,
    fieldViolations: fault.fieldViolations,
    retryAfter: fault.retryAfter,
  };
}

/** Input of {@link buildFault}. */
export interface FaultParts {
  readonly id: string;
  readonly definition: CodeDefinition;
  readonly fieldViolations: readonly FieldViolation[];
  readonly retryAfter: number | undefined;
  readonly retryable: boolean;
  /** Validated public parameters (default none). */
  readonly params?: PublicParams;
  readonly internal: FaultInternal;
}

/**
 * Assembles a Fault, deriving every protocol code from the taxonomy. Not frozen at run time
 * (freezing costs more than the rest of the response path); the type is read-only throughout.
 */
export function buildFault(parts: FaultParts): Fault {
  const { definition } = parts;
  const spec = TAXONOMY[definition.category];
  const grpcCode = definition.category === 'conflict' && parts.retryable ? GrpcStatus.ABORTED : spec.grpc;
  return {
    id: parts.id,
    category: definition.category,
    code: definition.code,
    status: spec.http,
    title: spec.title,
    // A code that declares parameters is always interpolated (an absent value shows as `…`).
    message:
      definition.params === undefined ? definition.message : interpolate(definition.message, parts.params ?? NO_PARAMS),
    type: definition.type,
    fieldViolations: parts.fieldViolations,
    retryAfter: parts.retryAfter,
    retryable: parts.retryable,
    grpcCode,
    wsCloseCode: spec.wsClose,
    serverFault: spec.serverFault,
    definition,
    params: parts.params ?? NO_PARAMS,
    internal: parts.internal,
  };
}
