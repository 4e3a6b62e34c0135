/**
 * Writing a fault on an Express response through Node's own response methods, so none of the
 * application's Express settings (json replacer, etag, jsonp) reshape it: status, the error
 * headers, the pre-serialized body. Headers that described a success body are removed first. A
 * response whose headers already left cannot be answered: it is aborted (the record is logged).
 */
import {
  type Fault,
  httpAnswer,
  type ResponderOptions,
  recordFault,
  STALE_REPLY_HEADERS,
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
  });
  if (response.headersSent || response.writableEnded) {
    abort(response);
    return;
  }
  try {
    const { status, headers, body } = httpAnswer(fault, options, traceId, request.headers);
    for (const name of response.getHeaderNames()) {
      if (STALE_REPLY_HEADERS.includes(name)) response.removeHeader(name);
    }
    response.statusCode = status;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.setHeader('content-length', String(Buffer.byteLength(body)));
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch {
    abort(response);
  }
}
