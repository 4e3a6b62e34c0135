/**
 * The Fastify plugin: every error path of a Fastify 5 server answers with RFC 9457 problem JSON
 * (or the envelope format), a stable code, a generic message and the request's correlation id;
 * the detail goes to the reporter (pino, asynchronously) and the active span.
 */

import {
  adapterReporter,
  type Classifier,
  createReporter,
  loadTelemetry,
  type ResponderOptions,
  resolveResponder,
} from '@faultline/core/adapter';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  onSendHookHandler,
} from 'fastify';
import fp from 'fastify-plugin';
import type { FaultAnswer } from './default-error-handler.js';
import { guardEarlyErrorHandlers } from './early-error-handlers.js';
import { adoptEarlyHandlers } from './early-handlers.js';
import { guardEarlyRegistrations } from './early-registrations.js';
import { coverEarlyRoutes } from './early-routes.js';
import { doubleErrorHandler } from './error-chain.js';
import { watchErrorHandlers } from './error-handlers.js';
import { fastifyClassifier } from './fastify-classifier.js';
import { guardSchemaErrorFormatters } from './formatter-guard.js';
import { guardHandler } from './handler-guard.js';
import { closeHijackWatch, type HijackedFault, watchHijacks } from './hijack-watch.js';
import { guardAddedHooks, guardRouteHooks, ownHook } from './hook-guards.js';
import { jsonApiGuard, parseJsonApiBodies } from './jsonapi.js';
import { catchLateRejectionLine } from './late-log.js';
import { MethodRouter, pathOf } from './method-router.js';
import { guardFieldWrites } from './mutation-guard.js';
import { guardAddedParsers } from './parser-guard.js';
import { checkPluginOptions, type FaultlineFastifyOptions } from './plugin-options.js';
import { adapterFaultFor, captureFor } from './request-fault.js';
import { stampRequestId } from './request-id.js';
import { ATTEMPT_PROPERTY, answerHijacked, lateRejectionRecorder, recordReplyFault, sendFault } from './respond.js';
import { guardErrorHandler, guardScopeErrorHandlers } from './scope-error-handlers.js';
import { coverAllServers } from './server-bindings.js';
import {
  guardReplyStream,
  guardResponse,
  guardWebStream,
  isFetchResponse,
  isNodeStream,
  isWebStream,
} from './stream-guard.js';

/** Per-server state, shared with the server options (`frameworkErrors`, `clientErrorHandler`). */
export interface PluginState {
  readonly responder: ResponderOptions;
  readonly classifiers: readonly Classifier[];
  /** The plugin's error handler, which also answers for Fastify's default one (default-error-handler.ts). */
  readonly answer: FaultAnswer;
  closing: boolean;
}

const states = new WeakMap<object, PluginState>();

/** The plugin state of `server` (or of the root it belongs to), if the plugin is registered. */
export function stateOf(server: object | undefined): PluginState | undefined {
  let current: object | null | undefined = server;
  while (current !== null && current !== undefined) {
    const state = states.get(current);
    if (state !== undefined) return state;
    current = Object.getPrototypeOf(current) as object | null;
  }
  return undefined;
}

/** Default responder when a server-option hook runs before the plugin is registered. */
export const DEFAULT_RESPONDER: ResponderOptions = {
  format: 'problem',
  concealForbidden: false,
  exposeTraceId: true,
  reporter: undefined,
};

async function faultlinePlugin(app: FastifyInstance, options: FaultlineFastifyOptions): Promise<void> {
  checkPluginOptions(options);
  // The OpenTelemetry API, if an SDK is registered: imported before the server takes requests.
  const telemetry = loadTelemetry();
  if (telemetry !== undefined) await telemetry;
  const first = stateOf(app) === undefined; // else what came before went through the guards already
  // With `logger: false` (Fastify's default) app.log is a no-op object: faults then go to the default reporter.
  const serverLogs = typeof (app.log as { isLevelEnabled?: unknown }).isLevelEnabled === 'function';
  const ownReporter =
    options.reporter === undefined && serverLogs ? createReporter({ logger: app.log, flushOnExit: true }) : undefined;
  const reporter = ownReporter ?? adapterReporter('@faultline/fastify', options.reporter);
  const responder = resolveResponder(options, reporter);
  const classifiers = [...(options.classifiers ?? []), fastifyClassifier];
  const state: PluginState = { responder, classifiers, answer: faultlineErrorHandler, closing: false };
  states.set(app, state);
  // Declared up front so Fastify's reply objects keep a single shape.
  if (!app.hasReplyDecorator(ATTEMPT_PROPERTY)) app.decorateReply(ATTEMPT_PROPERTY, null);
  // `Expect: foo` and malformed HTTP answered alike on every server `listen` makes (server-bindings.ts).
  coverAllServers(app);

  function faultlineErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    closeHijackWatch(reply);
    sendFault(captureFor(error, request, classifiers), request, reply, responder);
  }

  // Root scope handler: catches what route-level handlers and scope handlers let through.
  app.setErrorHandler(faultlineErrorHandler);
  // Faultline's handler twice at the bottom of every scope's chain (error-chain.ts).
  const doubled = doubleErrorHandler(app);
  const rootHandler = app.errorHandler;
  // Before the watch: under `strictErrorHandlers` its refusing `setErrorHandler` must win.
  guardScopeErrorHandlers(app);
  guardSchemaErrorFormatters(app);
  guardFieldWrites(app);
  const methods = new MethodRouter(app.initialConfig);
  // Routes registered before the plugin loaded: answered through Fastify's default handler (early-routes.ts),
  // their own error handlers guarded and named once every route is built (early-error-handlers.ts).
  const early = coverEarlyRoutes(app, (server) => stateOf(server)?.answer, methods);
  const ours = [rootHandler, faultlineErrorHandler];
  const earlyHandlers = first && early ? () => guardEarlyErrorHandlers(app, ours) : undefined;
  const handlers = watchErrorHandlers(app, ours, options.strictErrorHandlers === true, earlyHandlers);

  // What fails where no error handler would see it (a hook of late-hooks.ts, a reply stream once
  // its headers left) is recorded under the request's id.
  const recordLateFault = (error: unknown, request: FastifyRequest) => {
    recordReplyFault(captureFor(error, request, classifiers), request, responder);
  };
  // A handler or hook failing after `reply.hijack()` (Fastify answers nothing then): answered on the raw response.
  const answerHijackedFault: HijackedFault = (error, request, reply) => {
    answerHijacked(captureFor(error, request, classifiers), request, reply, responder);
  };
  const sinks = { record: recordLateFault, hijacked: answerHijackedFault };
  if (first) guardEarlyRegistrations(app, sinks); // hooks and parsers registered before the plugin
  // A handler that rejects once its reply was sent, which Fastify logs raw (late-log.ts): recorded,
  // and a line without the error in place of Fastify's when records do not go to the server's log.
  catchLateRejectionLine(app, lateRejectionRecorder(classifiers, responder, ownReporter === undefined));
  // Their handlers, at each route's first request (early-handlers.ts): the closing 503 and the guard below.
  if (first && early) adoptEarlyHandlers(app, (handler) => guardHandler(handler, answeredClosing, answerHijackedFault));
  watchHijacks(app, answerHijackedFault);

  app.addHook('onRoute', function onRoute(routeOptions) {
    methods.add(routeOptions.method, routeOptions.url ?? routeOptions.path);
    handlers.route(this, routeOptions);
    if (routeOptions.errorHandler !== undefined)
      routeOptions.errorHandler = guardErrorHandler(routeOptions.errorHandler);
    // What the handler and its preHandler hooks throw reaches Fastify as a value it reads safely.
    routeOptions.handler = guardHandler(routeOptions.handler, answeredClosing, answerHijackedFault);
    guardRouteHooks(routeOptions, sinks);
    // Only where the chain could not be doubled: a route-level handler in front of the scope's, so
    // that if our response fails in an onSend hook, Fastify falls back to ours again.
    if (!doubled && routeOptions.errorHandler === undefined && this.errorHandler === rootHandler) {
      routeOptions.errorHandler = faultlineErrorHandler;
    }
  });

  if (responder.strictJsonApi === true) parseJsonApiBodies(app);

  // Every answer gets the request's id (an error answer has set it already); only stream
  // payloads are guarded, any other payload passes with two cheap tests. (The plugin's own hooks
  // are not wrapped by its guards: `ownHook`.)
  app.addHook(
    'onSend',
    ownHook<onSendHookHandler>((request, reply, payload, done) => {
      stampRequestId(request, reply);
      if (typeof payload !== 'object' || payload === null) done(null, payload);
      else if (isNodeStream(payload)) done(null, guardReplyStream(payload, request, reply, recordLateFault));
      else if (isWebStream(payload)) done(null, guardWebStream(payload, request, reply, recordLateFault));
      else if (isFetchResponse(payload)) done(null, guardResponse(payload, request, reply, recordLateFault));
      else done(null, payload);
    }),
  );

  /** A closing server's 503 in place of the handler (true when it answered). */
  function answeredClosing(request: FastifyRequest, reply: FastifyReply): boolean {
    if (!state.closing) return false;
    if (request.raw.httpVersionMajor !== 2) reply.header('connection', 'close');
    sendFault(adapterFaultFor('unavailable', request, 'http.closing', 'server closing'), request, reply, responder);
    return true;
  }

  // No onRequest hook by default: with one, Fastify runs the whole request inside its hook runner,
  // and the error route cost 14k more instructions per answer (callgrind, about 8%). A closing
  // server answers 503 in place of each route's handler (and of the 404 handler) instead.
  if (responder.strictJsonApi === true) {
    app.addHook(
      'onRequest',
      ownHook<onRequestHookHandler>((request, reply, done) => {
        if (answeredClosing(request, reply) || jsonApiGuard(request, reply, responder)) return;
        done();
      }),
    );
  }

  app.addHook('preClose', (done) => {
    state.closing = true;
    done();
  });
  app.addHook('onClose', async () => {
    // A reporter the plugin created is closed with the server (it leaves the exit-hook registry);
    // one the application passed in is only flushed: the application owns it.
    if (ownReporter !== undefined) await ownReporter.close();
    else await reporter?.flush();
  });
  guardAddedHooks(app, sinks); // the application's hooks from here on, not the plugin's own above
  guardAddedParsers(app); // and its content-type parsers (parser-guard.ts)

  if (options.notFound !== false) {
    const detect405 = options.methodNotAllowed !== false;
    // `errorHandler` is a supported not-found option (lib/four-oh-four.js) missing from Fastify's types.
    const notFoundOptions = { errorHandler: faultlineErrorHandler } as Parameters<
      FastifyInstance['setNotFoundHandler']
    >[0];
    app.setNotFoundHandler(notFoundOptions, (request: FastifyRequest, reply: FastifyReply) => {
      if (answeredClosing(request, reply)) return;
      const path = pathOf(request.raw.url);
      const allow = detect405 ? methods.allowedMethods(path, request.method) : undefined;
      const fault =
        allow === undefined
          ? adapterFaultFor('not_found', request, 'http.not_found', 'no route')
          : adapterFaultFor('method_not_allowed', request, 'http.not_found', 'method not allowed');
      sendFault(fault, request, reply, responder, allow);
    });
  }
}

/**
 * The Faultline plugin for Fastify 5. Register it before your routes, and create the server with
 * {@link faultlineServerOptions} so paths outside the plugin's reach (bad URLs, malformed HTTP,
 * shutdown, request ids) are covered too.
 *
 * @example
 * const app = fastify({ ...faultlineServerOptions(), logger: true });
 * await app.register(faultline, { concealForbidden: true });
 */
export const faultline = fp(faultlinePlugin, { fastify: '5.x', name: '@faultline/fastify' });
