/**
 * The gateway's own answers to a gRPC call, one per gateway failure, exactly as `@faultline/grpc`
 * answers the same taxonomy category: trailers-only (HTTP 200, `content-type: application/grpc`),
 * `grpc-status` the category's gRPC code, `grpc-message` the catalog's generic message
 * (percent-encoded as grpc-js encodes it), `x-request-id`, and `grpc-status-details-bin` the
 * `google.rpc.Status` core encodes for the fault (ErrorInfo reason and domain, RequestInfo), given
 * here as its bytes around the request id, for the gateway to put the request's id in.
 */
import { type Category, encodeStatusDetails, faultOf, TAXONOMY } from '@faultline/core/adapter';
import { GATEWAY_FAILURES, type GatewayFailure, ID_PLACEHOLDER } from '../pages.js';
import { DEFAULT_GRPC_DOMAIN } from './options.js';

/** One gateway failure answered as a gRPC status. */
export interface GrpcGatewayAnswer {
  /** The gateway failure answered; for a backend's HTTP status no failure answers (401, 403, …), its category. */
  readonly failure: GatewayFailure | Category;
  /** `grpc-status`: the category's gRPC code. */
  readonly code: number;
  /** The generic message (the status's and the details' message). */
  readonly message: string;
  /** `grpc-message` as sent: the message percent-encoded (as grpc-js sends it: `encodeURI`). */
  readonly grpcMessage: string;
  /**
   * The bytes of `grpc-status-details-bin` (before base64) around the request id: the details are
   * these parts joined by the id (a UUID, 36 ASCII bytes), in order.
   */
  readonly details: readonly Uint8Array[];
}

/**
 * `grpc-message` as gRPC requires it (printable ASCII, `%` escaped), written as grpc-js writes a
 * status's details (`encodeURI`, spaces as `%20`), so the gateway's header is the application's.
 */
export function grpcMessageOf(message: string): string {
  return encodeURI(message);
}

/** Splits `bytes` around every occurrence of the ASCII text `marker`. */
function splitAround(bytes: Uint8Array, marker: string): Uint8Array[] {
  const buffer = Buffer.from(bytes);
  const mark = Buffer.from(marker, 'latin1');
  const parts: Uint8Array[] = [];
  let from = 0;
  for (let at = buffer.indexOf(mark); at !== -1; at = buffer.indexOf(mark, from)) {
    parts.push(Uint8Array.from(buffer.subarray(from, at)));
    from = at + mark.length;
  }
  parts.push(Uint8Array.from(buffer.subarray(from)));
  return parts;
}

/** Options of {@link grpcGatewayAnswers}. */
export interface GrpcAnswerOptions {
  /** ErrorInfo.domain (default `faultline`, as the gRPC adapter's). */
  readonly domain?: string | undefined;
}

/** The answer of taxonomy `category`, named `failure`. */
function answerOf(failure: GatewayFailure | Category, category: Category, domain: string): GrpcGatewayAnswer {
  const fault = faultOf(category, { requestId: ID_PLACEHOLDER, requestIdTrusted: true });
  const details = splitAround(encodeStatusDetails(fault, domain), ID_PLACEHOLDER);
  if (details.length < 2) throw new Error(`faultline-edge: the ${failure} status details carry no request id`);
  return {
    failure,
    code: TAXONOMY[category].grpc,
    message: fault.message,
    grpcMessage: grpcMessageOf(fault.message),
    details,
  };
}

/** The gRPC answer of every gateway failure (one per {@link GatewayFailure}). */
export function grpcGatewayAnswers(
  options: GrpcAnswerOptions = {},
): Readonly<Record<GatewayFailure, GrpcGatewayAnswer>> {
  const domain = options.domain ?? DEFAULT_GRPC_DOMAIN;
  const answers = {} as Record<GatewayFailure, GrpcGatewayAnswer>;
  for (const failure of Object.keys(GATEWAY_FAILURES) as GatewayFailure[])
    answers[failure] = answerOf(failure, GATEWAY_FAILURES[failure], domain);
  return answers;
}

/** The gRPC answer of taxonomy `category` (named after it), as {@link grpcGatewayAnswers} builds a failure's. */
export function grpcCategoryAnswer(category: Category, options: GrpcAnswerOptions = {}): GrpcGatewayAnswer {
  return answerOf(category, category, options.domain ?? DEFAULT_GRPC_DOMAIN);
}
