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
  SPAN_ONLY,
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

/**
 * Removed before an error is answered: the headers that described a success body, and the product
 * announcement a mounted sub-app's own `x-powered-by` setting adds (Faultline turns the setting off
 * only on the apps its middleware runs in and above).
 */
const STALE = new Set<string>([...STALE_REPLY_HEADERS, 'x-powered-by']);

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
  // Without a reporter only the span is annotated: no record fields to gather.
  const traceId = recordFault(
    fault,
    options.reporter === undefined
      ? SPAN_ONLY.http
      : { protocol: 'http', reporter: options.reporter, method: request.method, route: routeOf(request) },
  );
  if (response.headersSent || response.writableEnded) {
    abort(response);
    return;
  }
  try {
    const { status, headers, requestId, body } = httpAnswer(fault, options, traceId, request.headers);
    // Names are already lower case (asking hasHeader for each stale one would copy each name).
    const present = response.getHeaderNames();
    for (let i = 0; i < present.length; i += 1) {
      const name = present[i] as string;
      if (STALE.has(name)) response.removeHeader(name);
    }
    response.statusCode = status;
    // for-in over the (usually shared) headers object: no entries array per answer.
    for (const name in headers) response.setHeader(name, headers[name] as string);
    response.setHeader('x-request-id', requestId);
    response.setHeader('content-length', String(Buffer.byteLength(body)));
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch {
    abort(response);
  }
}
