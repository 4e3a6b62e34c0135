/**
 * Writing a fault on an Express response through Node's own response methods, so none of the
 * application's Express settings (json replacer, etag, jsonp) reshape it: status, the error
 * headers, the pre-serialized body. Headers that described a success body are removed first. A
 * response whose headers already left cannot be answered: it is aborted (the record is logged).
 */
import {
  type BodyFormat,
  buildFault,
  builtinDefinition,
  escapeForLog,
  type Fault,
  type HeaderOptions,
  problemHeaders,
  type Reporter,
  recordFault,
  renderEnvelope,
  renderProblem,
  STALE_REPLY_HEADERS,
} from '@faultline/core';
import type { ExpressRequest, ExpressResponse } from './types.js';

/** How the adapter answers; resolved once from the options. */
export interface ResponderOptions extends HeaderOptions {
  readonly format: BodyFormat;
  readonly concealForbidden: boolean;
  readonly exposeTraceId: boolean;
  readonly reporter: Reporter | undefined;
}

/** The route pattern of the request (never the raw URL with its query), if Express matched one. */
function routeOf(request: ExpressRequest): string | undefined {
  try {
    const path = request.route?.path;
    return typeof path === 'string' ? `${request.baseUrl ?? ''}${path}` : undefined;
  } catch {
    return undefined;
  }
}

/** The incoming `X-Request-ID` when it was refused (not a UUID), escaped for the log. */
function rejectedRequestId(request: ExpressRequest): Readonly<Record<string, unknown>> | undefined {
  const incoming = request.headers['x-request-id'];
  if (incoming === undefined || (typeof incoming === 'string' && incoming.toLowerCase() === request.id))
    return undefined;
  return { rejected_request_id: escapeForLog(incoming) };
}

/** A concealed 403 becomes a plain 404 with the same id. */
function shown(fault: Fault, options: ResponderOptions): Fault {
  if (!options.concealForbidden || fault.category !== 'forbidden') return fault;
  return buildFault({
    id: fault.id,
    definition: builtinDefinition('not_found'),
    fieldViolations: [],
    retryAfter: undefined,
    retryable: false,
    internal: fault.internal,
  });
}

/** Ends a response that can no longer be answered. */
function abort(response: ExpressResponse): void {
  try {
    response.destroy();
  } catch {
    // already gone
  }
}

/** Reports `fault` (span + deferred log) and answers it on `response`. Never throws. */
export function sendFault(
  fault: Fault,
  request: ExpressRequest,
  response: ExpressResponse,
  options: ResponderOptions,
): void {
  const traceId = recordFault(fault, {
    protocol: 'http',
    reporter: options.reporter,
    method: request.method,
    route: routeOf(request),
    attributes: rejectedRequestId(request),
  });
  if (response.headersSent || response.writableEnded) {
    abort(response);
    return;
  }
  try {
    const visible = shown(fault, options);
    const render = { traceId: options.exposeTraceId ? traceId : undefined };
    const body = options.format === 'envelope' ? renderEnvelope(visible, render) : renderProblem(visible, render);
    for (const name of response.getHeaderNames()) {
      if (STALE_REPLY_HEADERS.includes(name)) response.removeHeader(name);
    }
    response.statusCode = visible.status;
    for (const [name, value] of Object.entries(problemHeaders(visible, options.format, options))) {
      response.setHeader(name, value);
    }
    response.setHeader('content-length', String(Buffer.byteLength(body)));
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch {
    abort(response);
  }
}
