/**
 * The njs function behind `$faultline_grpc_details`: the gateway's `grpc-status-details-bin` with
 * the request's id in it. nginx evaluates that variable only in the locations answering the
 * gateway's own gRPC statuses (`grpc.ts`), so a call the backend answers never runs it.
 */
import type { GrpcGatewayAnswer } from '../grpc/answers.js';
import type { GatewayFailure } from '../pages.js';

/** The name the njs module exports the function under (`faultline.grpcDetails`). */
export const GRPC_DETAILS_EXPORT = 'grpcDetails';

/**
 * The njs source (ES5, as njs 0.7 runs it) of `grpcDetails(r)`: the details of the failure named
 * by `$faultline_grpc_failure` (set by the answering location), their parts joined by the
 * request's id, in base64; empty (no header) for an unknown failure or an id that is not a UUID.
 * The table is written inside the function: requests that never call it never parse it.
 */
export function njsGrpcDetails(
  answers: Readonly<Record<GatewayFailure, GrpcGatewayAnswer>> | readonly GrpcGatewayAnswer[],
): string {
  const table = Object.fromEntries(
    Object.values(answers).map((answer) => [
      answer.failure,
      answer.details.map((part) => Buffer.from(part).toString('base64')),
    ]),
  );
  return `/**
 * grpc-status-details-bin of the gateway's own gRPC status (google.rpc.Status, encoded by core
 * with a placeholder id): its parts joined by the request's id, base64.
 */
function ${GRPC_DETAILS_EXPORT}(r) {
  var PARTS = ${JSON.stringify(table)};
  var parts = PARTS[r.variables.faultline_grpc_failure];
  var id = r.variables.faultline_request_id;
  if (parts === undefined || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return '';
  var chunks = [];
  for (var i = 0; i < parts.length; i++) {
    if (i > 0) chunks.push(Buffer.from(id));
    chunks.push(Buffer.from(parts[i], 'base64'));
  }
  return Buffer.concat(chunks).toString('base64');
}`;
}
