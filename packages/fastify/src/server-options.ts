/**
 * Server options for the paths a plugin cannot reach: request ids (`genReqId`), framework
 * errors raised before routing (`frameworkErrors`), malformed HTTP (`clientErrorHandler`) and
 * the 503 answered while closing (`return503OnClosing: false`, handled by the plugin instead).
 */
import type { Socket } from 'node:net';
import {
  answerClientError,
  checkOptions,
  ID_RULES,
  type RequestIdOptions,
  requestIdPolicy,
} from '@faultline/core/adapter';
import fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  type RawServerBase,
  type RawServerDefault,
} from 'fastify';
import { DEFAULT_RESPONDER, stateOf } from './plugin.js';
import { captureFor } from './request-fault.js';
import { requestIdGenerator } from './request-id.js';
import { sendFault } from './respond.js';

/** Fastify's `frameworkErrors`: bad URLs, oversized params and constraint errors, as problem JSON. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const state = stateOf(request.server);
  const classifiers = state?.classifiers ?? [];
  sendFault(captureFor(error, request, classifiers), request, reply, state?.responder ?? DEFAULT_RESPONDER);
}

/** Fastify's `clientErrorHandler`: malformed HTTP on the raw socket, answered as problem JSON. */
export function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  const responder = stateOf(this)?.responder ?? DEFAULT_RESPONDER;
  answerClientError(error, socket, responder, responder, responder.reporter);
}

/** Fastify's LogController (5.12 and later), through which the request-id log label is set. */
const LogController = (
  fastify as unknown as { LogController?: new (options: object) => NonNullable<FastifyServerOptions['logController']> }
).LogController;

/**
 * Fastify's request log lines label the id `request_id`, as Faultline's records do: through a
 * LogController where Fastify has one (its top-level `requestIdLogLabel` is deprecated there),
 * else through `requestIdLogLabel`.
 */
function requestIdLabel(): Pick<FastifyServerOptions, 'requestIdLogLabel' | 'logController'> {
  return LogController === undefined
    ? { requestIdLogLabel: 'request_id' }
    : { logController: new LogController({ requestIdLogLabel: 'request_id' }) };
}

/** The server options Faultline needs, typed for the server kind (`http`, `http2`, `https`). */
export type FaultlineServerOptions<S extends RawServerBase = RawServerDefault> = Required<
  Pick<
    FastifyServerOptions<S>,
    'genReqId' | 'requestIdHeader' | 'frameworkErrors' | 'clientErrorHandler' | 'return503OnClosing'
  >
> &
  Pick<FastifyServerOptions<S>, 'requestIdLogLabel' | 'logController'>;

/**
 * Options to spread into `fastify({...})` next to your own. The handlers only use what every
 * server kind has, so one implementation serves HTTP/1.1, HTTPS and HTTP/2. Request ids: an
 * incoming `X-Request-ID` is kept when it is a UUID v4 (`acceptIdVersions` admits others), from
 * any peer unless `trustedProxies` lists the gateways it may come from; Fastify's request log
 * lines label it `request_id`, as Faultline's records do.
 *
 * @example
 * const app = fastify({ ...faultlineServerOptions(), logger: true });
 * const h2 = fastify({ ...faultlineServerOptions<Http2Server>({ trustedProxies: ['10.0.0.0/8'] }), http2: true });
 */
export function faultlineServerOptions<S extends RawServerBase = RawServerDefault>(
  options: RequestIdOptions = {},
): FaultlineServerOptions<S> {
  checkOptions('@faultline/fastify faultlineServerOptions', options, ID_RULES);
  return {
    genReqId: requestIdGenerator(requestIdPolicy(options, '@faultline/fastify faultlineServerOptions')),
    requestIdHeader: false,
    ...requestIdLabel(),
    frameworkErrors: frameworkErrors as unknown as FaultlineServerOptions<S>['frameworkErrors'],
    clientErrorHandler: clientErrorHandler as unknown as FaultlineServerOptions<S>['clientErrorHandler'],
    return503OnClosing: false,
  } as FaultlineServerOptions<S>;
}
