/**
 * Writing a fault on an Express response through Node's own response methods, so none of the
 * application's Express settings (json replacer, etag, jsonp) reshape it: status, the error
 * headers, the pre-serialized body. Headers that described a success body are removed first. A
 * response whose headers already left cannot be answered: it is aborted (the record is logged).
 */
import {
  escapeForLog,
  type Fault,
  localeFor,
  problemHeaders,
  type ResponderOptions,
  recordFault,
  renderBody,
  STALE_REPLY_HEADERS,
  shownFault,
} from '@faultline/core/adapter';
import type { ExpressRequest, ExpressResponse } from './types.js';

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
    const visible = shownFault(fault, options);
    const locale = localeFor(visible, request.headers['accept-language']);
    const body = renderBody(visible, options.format, options.exposeTraceId ? traceId : undefined, locale);
    for (const name of response.getHeaderNames()) {
      if (STALE_REPLY_HEADERS.includes(name)) response.removeHeader(name);
    }
    response.statusCode = visible.status;
    for (const [name, value] of Object.entries(problemHeaders(visible, options.format, options))) {
      response.setHeader(name, value);
    }
    if (locale !== undefined) response.setHeader('content-language', locale);
    response.setHeader('content-length', String(Buffer.byteLength(body)));
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch {
    abort(response);
  }
}
