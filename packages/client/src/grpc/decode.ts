/**
 * Decoding a grpc-js `ServiceError` into a {@link RemoteFault}: the status code,
 * `grpc-status-details-bin` (ErrorInfo reason, params and request id, BadRequest field
 * violations, RetryInfo) and `x-request-id`, from any server, as untrusted.
 */
import { decodeStatusDetails } from '@faultline/core/grpc';
import { catalogParams, paramsOf } from '../params.js';
import {
  type CatalogLike,
  categoryOfCode,
  categoryOfGrpcCode,
  type RemoteFault,
  type RemoteFieldViolation,
  remoteFault,
} from '../remote-fault.js';
import {
  boundedMessage,
  boundedRetryAfter,
  boundedText,
  conformingCode,
  DECODE_LIMITS,
  uuidOrUndefined,
} from '../untrusted.js';
import { firstViolations, namesPrototype } from '../violations.js';
import { isSingleStatus } from './single-status.js';

/** The part of a grpc-js `ServiceError` the decoder reads. */
export interface ServiceErrorLike {
  /** The gRPC status code. */
  readonly code: number;
  /** The status message (never read: the message comes from the details). */
  readonly details?: string;
  /** Trailers: `x-request-id` and `grpc-status-details-bin` are read. */
  readonly metadata?:
    | {
        /** The values of one key (grpc-js `Metadata#get`). */
        get(key: string): unknown[];
      }
    | undefined;
}

/** `items[0].qty` -> `/items/0/qty`, escaped as RFC 6901 says. */
function pointerOf(field: string): string {
  const segments = field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s !== '')
    .map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1'));
  return segments.length === 0 ? '' : `/${segments.join('/')}`;
}

/** A BadRequest field violation, when its field path and description are bounded and the path does not name the prototype. */
function violationOf(v: { readonly field: string; readonly description: string }): RemoteFieldViolation | undefined {
  const field = boundedText(v.field, true);
  const detail = boundedText(v.description);
  const pointer = field === undefined || namesPrototype(field) ? undefined : pointerOf(field);
  return pointer !== undefined && detail !== undefined && pointer.length <= DECODE_LIMITS.violationText
    ? { pointer, detail }
    : undefined;
}

/** The first value of a trailer, or undefined when the metadata cannot be read. */
function trailer(error: ServiceErrorLike, key: string): unknown {
  try {
    const values = error.metadata?.get(key);
    return Array.isArray(values) ? values[0] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decodes a failed call. The details count only when their status code is the call's, they are
 * at most `DECODE_LIMITS.statusDetails` (256 KiB) and they are one status (a
 * `grpc-status-details-bin` sent twice reaches grpc-js's metadata as both run together, which
 * protobuf would merge: like a repeated header, it counts as absent); the reason must follow the
 * code rule (UPPER_SNAKE, at most 64 characters) for the fault to be conforming, and message, id,
 * violations, params and retry delay follow `DECODE_LIMITS`. Without a conforming reason the
 * fault comes from the status code (and the details' retry delay: a `RESOURCE_EXHAUSTED` with
 * one is `rate_limited`). Never throws.
 *
 * @example
 * client.getOrder({ id: '42' }, (error, order) => {
 *   if (error) return show(decodeGrpcFault(error, errors));
 * });
 */
export function decodeGrpcFault<Code extends string = never>(
  error: ServiceErrorLike,
  catalog?: CatalogLike<Code>,
): RemoteFault<Code> {
  try {
    const code = typeof error.code === 'number' ? error.code : -1;
    const blob = trailer(error, 'grpc-status-details-bin');
    const header = uuidOrUndefined(trailer(error, 'x-request-id'));
    const details =
      blob instanceof Uint8Array && blob.byteLength <= DECODE_LIMITS.statusDetails && isSingleStatus(blob)
        ? decodeStatusDetails(blob)
        : undefined;
    const decoded = details?.code === code ? details : undefined;
    const retryAfter = boundedRetryAfter(decoded?.retryDelaySeconds);
    const fallback = categoryOfGrpcCode(code, retryAfter);
    const reason = conformingCode(decoded?.reason);
    if (decoded === undefined || reason === undefined) {
      return remoteFault({ protocol: 'grpc', format: 'unknown', category: fallback, requestId: header, retryAfter });
    }
    return remoteFault({
      protocol: 'grpc',
      format: 'status-details',
      category: categoryOfCode(reason, fallback, catalog),
      code: reason,
      message: boundedMessage(decoded.message),
      requestId: uuidOrUndefined(decoded.requestId) ?? header,
      retryAfter,
      fieldViolations: firstViolations(decoded.fieldViolations, violationOf),
      params: catalogParams(paramsOf(decoded.params), reason, catalog),
    });
  } catch {
    return remoteFault({ protocol: 'grpc', format: 'unknown', category: 'internal' });
  }
}
