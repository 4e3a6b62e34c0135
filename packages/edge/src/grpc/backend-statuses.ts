/**
 * What both gateways answer on a gRPC call when the backend sends an HTTP status in place of gRPC
 * (a gRPC server answers 200, its status in `grpc-status`): a proxy's or a framework's error page
 * (403, 500 with a stack), a redirect to an internal host. Every final status from 300 to 599 is
 * replaced by the gateway's own gRPC status of that status's category, as the HTTP path answers
 * it: a 4xx as core classifies a foreign 4xx (401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 and
 * 410 NOT_FOUND, …), 501-504 as the gateway's own (UNIMPLEMENTED, UNAVAILABLE, DEADLINE_EXCEEDED),
 * anything else (a 3xx, 500, 505-599) INTERNAL. Neither its body nor its headers reach the client.
 */
import type { Category } from '@faultline/core/adapter';
import { foreign4xxCategories } from '../foreign-4xx.js';
import { GATEWAY_FAILURES, type GatewayFailure } from '../pages.js';
import { type GrpcAnswerOptions, type GrpcGatewayAnswer, grpcCategoryAnswer } from './answers.js';

/** The statuses a backend may send in place of gRPC that get one answer. */
export interface GrpcBackendStatuses {
  readonly statuses: readonly number[];
  readonly answer: GrpcGatewayAnswer;
}

/** The 5xx statuses answered as a gateway failure of their own; any other 5xx is `internal`. */
const SERVER_FAILURES: Readonly<Record<number, GatewayFailure>> = {
  501: 'not_implemented',
  502: 'bad_gateway',
  503: 'unavailable',
  504: 'timeout',
};

/**
 * Every status from 300 to 599, grouped by the answer it gets (see the module): `answers` are the
 * gateway failures' answers; `own` the statuses the gateway raises itself in the same place, whose
 * failure wins (nginx's 494 is `header_fields_too_large`); a category no failure answers (401's
 * `unauthenticated`) gets an answer of its own, named after it.
 */
export function grpcBackendStatuses(
  answers: Readonly<Record<GatewayFailure, GrpcGatewayAnswer>>,
  options: GrpcAnswerOptions = {},
  own: Readonly<Record<number, GatewayFailure>> = {},
): GrpcBackendStatuses[] {
  const failureOf = new Map<Category, GatewayFailure>(
    (Object.keys(GATEWAY_FAILURES) as GatewayFailure[]).map((failure) => [GATEWAY_FAILURES[failure], failure]),
  );
  const foreign = foreign4xxCategories();
  const groups = new Map<string, { statuses: number[]; answer: GrpcGatewayAnswer }>();
  for (let status = 300; status <= 599; status++) {
    const category = status < 500 ? foreign.get(status) : undefined;
    const failure =
      own[status] ??
      (status >= 500
        ? (SERVER_FAILURES[status] ?? 'internal')
        : category === undefined
          ? 'internal'
          : failureOf.get(category));
    const answer = failure === undefined ? grpcCategoryAnswer(category as Category, options) : answers[failure];
    const group = groups.get(answer.failure) ?? { statuses: [], answer };
    group.statuses.push(status);
    groups.set(answer.failure, group);
  }
  return [...groups.values()];
}
