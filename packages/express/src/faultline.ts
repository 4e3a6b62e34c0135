/**
 * `faultline(options)`: the three pieces an Express app needs, in Express's order: a first
 * middleware (validated UUID v4 request id on `req.id`, `X-Request-ID` on every response, Express's
 * `X-Powered-By` removed), a not-found handler (never echoes the URL), and the final error
 * middleware (four arguments), which answers every value with problem JSON and is the end of the
 * line: Express's `finalhandler` (HTML with the message or stack outside production) is never
 * reached for errors. From an app's first request on, the first middleware also hands Express
 * Faultline's final handler for what leaves the router unanswered (final-handler.ts), and notes
 * an answer a middleware's own `end` finishes later (ended.ts). An `Expect` other than
 * `100-continue` reaches the app instead of Node's bare 417 (core's answer/expectation.ts): on a
 * server `app.listen` makes for an app prepared before it (`faultline({ app })`), from its first
 * request on; on any other server, from the request after its first (listen.ts). From the first
 * request on, every router of the app's Express ends with an error layer that marks a thrown
 * rejecting promise handled before the router leaves on `setImmediate` (settle.ts), and the `next`
 * its layers and parameter callbacks get marks it handled as it enters the chain, before the
 * router's 101st synchronous step goes on on `setImmediate` (layer-next.ts).
 */
import type { Duplex } from 'node:stream';
import {
  adapterReporter,
  answerClientError,
  checkFormatOptions,
  checkOptions,
  HTTP_RULES,
  type HttpFaultOptions,
  ignoreUnknownExpectations,
  newCorrelationId,
  type OptionRules,
  type Reporter,
  requestIdPolicy,
  resolveCorrelationId,
  resolveResponder,
} from '@faultline/core/adapter';
import { nextValue } from './async-handler.js';
import { endRequested, watchEnd } from './ended.js';
import { warnAboutEarlierErrorHandlers } from './error-handlers.js';
import { type FinalHandler, takeOverFinalHandler } from './final-handler.js';
import { refuseForJsonApi } from './jsonapi.js';
import { expectOnListen } from './listen.js';
import { captureFor, notFoundFault } from './request-fault.js';
import { setRequestId } from './request-id.js';
import { sendFault } from './respond.js';
import { guardResponseListeners, type ListenerFailure } from './response-listeners.js';
import { settleRouterErrors } from './settle.js';
import type { ErrorRequestHandler, ExpressRequest, ExpressResponse, RequestHandler } from './types.js';

/** Options of {@link faultline} (the shared HTTP options, plus where records go). */
export interface FaultlineExpressOptions extends HttpFaultOptions {
  /**
   * Where fault records go. Default: Faultline's default reporter, NDJSON on stdout; `false`
   * records nothing (said once on stderr; spans are still annotated).
   */
  readonly reporter?: Reporter | false;
  /**
   * The app these pieces serve, prepared at once: Express's `X-Powered-By` off, what leaves its
   * router unanswered (a request target Node's URL parser refuses, a top-level `next('router')`)
   * answered as problem JSON from its first request on, and the server `app.listen` makes
   * ignoring an unknown `Expect` from its first request on. Without it, the app is prepared at
   * its first request that reaches `fl.requestId`, and such requests before that one meet
   * Express's own `finalhandler` (HTML, no id) or Node's bare 417.
   */
  readonly app?: unknown;
}

/** The option rules of {@link faultline}: the shared HTTP ones, the reporter's, and `app`. */
const EXPRESS_RULES: OptionRules = { ...HTTP_RULES, app: { kind: 'function' } };

/** What {@link faultline} returns. */
export interface FaultlineExpress {
  /** First middleware: `app.use(fl.requestId)`. */
  readonly requestId: RequestHandler;
  /** After every route: `app.use(fl.notFound)`. */
  readonly notFound: RequestHandler;
  /** Last of all: `app.use(fl.errorHandler)`. */
  readonly errorHandler: ErrorRequestHandler;
  /**
   * Malformed HTTP that Node's parser refuses before Express sees a request (oversized headers or
   * URL, invalid characters, timeouts): `server.on('clientError', fl.clientError)` answers it as
   * problem JSON instead of Node's bare 400/431.
   */
  readonly clientError: (error: Error, socket: Duplex) => void;
  /** The reporter in use (undefined with `reporter: false`); close it on shutdown. */
  readonly reporter: Reporter | undefined;
}

/** The `next` given to the not-found and error middleware when Faultline calls them itself. */
const ignoreNext = (): void => undefined;

/** Incoming ids the middleware refused, escaped for the log, by request. */
const refused = new WeakMap<object, string>();

/** Apps (and the apps they are mounted in) whose `x-powered-by` setting Faultline turned off. */
const quietApps = new WeakSet<object>();

/** Apps whose response `end` is watched and whose final handler is Faultline's (ended.ts, final-handler.ts). */
const preparedApps = new WeakSet<object>();

interface ExpressApp {
  readonly parent?: unknown;
  disable?(setting: string): unknown;
}

/**
 * Turns off Express's `x-powered-by` setting on the request's app and the apps it is mounted in,
 * once per app: Express then never sets the header, instead of setting it on every response for
 * the middleware to remove (a header set and removed costs a few hundred bytes per request).
 */
function quietPoweredBy(app: unknown): void {
  let current: unknown = app;
  for (let depth = 0; depth < 8 && typeof current === 'function' && !quietApps.has(current); depth += 1) {
    quietApps.add(current);
    const express = current as ExpressApp;
    try {
      express.disable?.('x-powered-by');
    } catch {
      // Not an Express app after all: the per-response removal still applies.
    }
    current = express.parent;
  }
}

/**
 * Creates the Express pieces.
 *
 * @example
 * const fl = faultline();
 * app.use(fl.requestId);
 * app.use(express.json());
 * app.get('/orders/:id', getOrder); // Express 5: async throws reach the error middleware
 * app.use(fl.notFound);
 * app.use(fl.errorHandler);
 * app.listen(3000).on('clientError', fl.clientError);
 */
export function faultline(options: FaultlineExpressOptions = {}): FaultlineExpress {
  checkOptions('@faultline/express', options, EXPRESS_RULES);
  checkFormatOptions('@faultline/express', options);
  const policy = requestIdPolicy(options, '@faultline/express');
  const reporter = adapterReporter('@faultline/express', options.reporter);
  const responder = resolveResponder(options, reporter);
  const classifiers = options.classifiers ?? [];
  let checkedStack = false;
  /** The server of the last request (held until one from another server comes), see core's answer/expectation.ts. */
  let lastServer: unknown;

  const requestId: RequestHandler = (request, response, next) => {
    if (!checkedStack) {
      checkedStack = true;
      warnAboutEarlierErrorHandlers(request, errorHandler);
      // A thrown rejecting promise leaving a router must not end the process (settle.ts).
      settleRouterErrors((request as { app?: unknown }).app);
    }
    // One comparison a request; the listener is added once per server (core's answer/expectation.ts).
    const server = (request.socket as { server?: unknown } | undefined)?.server;
    if (server !== lastServer) {
      lastServer = server;
      ignoreUnknownExpectations(server);
    }
    const incoming = request.headers['x-request-id'];
    let id: string;
    if (incoming === undefined) {
      // No incoming id (most requests): a new one, without the resolution's result object.
      id = newCorrelationId();
    } else {
      const resolved = resolveCorrelationId(incoming, policy, request.socket?.remoteAddress);
      if (resolved.rejected !== undefined) refused.set(request, resolved.rejected);
      id = resolved.id;
    }
    setRequestId(request, id);
    // Express announces the product on every response (set before this middleware runs): off for
    // the app from now on, and removed from this response.
    const app = (request as { app?: { response?: unknown } }).app;
    // Once per app, at its first request (one lookup a request after that).
    if (app !== undefined && !preparedApps.has(app)) prepare(app, response);
    // getHeader answers without copying the name when no header is set (removeHeader copies it).
    if (response.getHeader('x-powered-by') !== undefined) response.removeHeader('x-powered-by');
    response.setHeader('x-request-id', id);
    if (responder.strictJsonApi === true && refuseForJsonApi(request, response, responder, refused.get(request)))
      return;
    next();
  };

  const notFound: RequestHandler = (request, response) => {
    sendFault(notFoundFault(request, policy, refused.get(request)), request, response, responder);
  };

  const errorHandler: ErrorRequestHandler = (error, request, response, _next) => {
    sendFault(captureFor(error, request, classifiers, policy, refused.get(request)), request, response, responder);
  };

  const final: FinalHandler = (error, request, response) => {
    try {
      if (error !== undefined && error !== null) errorHandler(error, request, response, ignoreNext);
      // Left the router after answering (finalhandler ignores that too): nothing failed.
      else if (!response.headersSent && !endRequested(response)) notFound(request, response, ignoreNext);
    } catch {
      response.destroy();
    }
  };

  /** A response listener's failure, after the answer: recorded under the request's id (sendFault answers no more). */
  const listenerFailed: ListenerFailure = (error, response) => {
    const request = (response as { req?: ExpressRequest }).req;
    if (request !== undefined) final(nextValue(error), request, response as ExpressResponse);
  };

  /** Readies `app` once (see the `app` option); `response`, the request's answer when there is one. */
  function prepare(app: { response?: unknown }, response?: object): void {
    preparedApps.add(app);
    quietPoweredBy(app);
    // A middleware's `end` (compression) finishes later: note when the application calls it.
    watchEnd(app.response, response);
    // What the application's own 'finish' and 'close' listeners throw is recorded, not a crash.
    guardResponseListeners(app.response, listenerFailed);
    // What leaves the app's router unanswered (`next('router')`, a target Express cannot parse).
    takeOverFinalHandler(app, final);
    // The server `app.listen` makes ignores an unknown `Expect` from its first request on.
    expectOnListen(app);
  }
  if (options.app !== undefined && !preparedApps.has(options.app as object))
    prepare(options.app as { response?: unknown });

  const clientError = (error: Error, socket: Duplex) =>
    answerClientError(error, socket, responder, responder, reporter);

  return { requestId, notFound, errorHandler, clientError, reporter };
}
