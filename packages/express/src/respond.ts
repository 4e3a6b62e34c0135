/**
 * Writing a fault on an Express response through Node's own response methods, so none of the
 * application's Express settings (json replacer, etag, jsonp) reshape it: status, the error
 * headers, the pre-serialized body. Headers that described a success body are removed first. A
 * response whose headers already left cannot be answered: it is aborted (the record is logged). A
 * response the application already ended was answered: the failure is only recorded.
 */
import { STATUS_CODES } from 'node:http';
import {
  type Fault,
  httpAnswer,
  type ResponderOptions,
  recordFault,
  rememberedSpan,
  SPAN_ONLY,
  STALE_REPLY_HEADERS,
} from '@faultline/core/adapter';
import { endRequested } from './ended.js';
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
 * Removed before an error is answered: the headers that described a success body or its framing
 * (core's list), and the product announcement a mounted sub-app's own `x-powered-by` setting adds
 * (Faultline turns the setting off only on the apps its middleware runs in and above).
 */
const STALE = new Set<string>([...STALE_REPLY_HEADERS, 'x-powered-by']);

/**
 * Whether the request on the wire was HEAD, as Node decided when it made the response (`_hasBody`,
 * false for HEAD). `req.method` may have been rewritten (method-override turns a POST into a
 * HEAD): leaving the body out on its word declares a Content-Length no bytes follow, and on a
 * kept-alive connection the client reads the next answer as this one's body. Writing the body for
 * a real HEAD is no better: a server with `rejectNonStandardBodyWrites` throws.
 */
function headRequest(request: ExpressRequest, response: ExpressResponse): boolean {
  const hasBody = (response as { _hasBody?: unknown })._hasBody;
  return typeof hasBody === 'boolean' ? !hasBody : request.method === 'HEAD';
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
  // The request's own span, remembered as the app got the request (final-handler.ts): the active
  // span, inside a middleware, may be that middleware's own.
  const span = rememberedSpan(request);
  // Without a reporter only the span is annotated: no record fields to gather.
  const traceId = recordFault(
    fault,
    options.reporter === undefined
      ? span === undefined
        ? SPAN_ONLY.http
        : { protocol: 'http', span }
      : { protocol: 'http', reporter: options.reporter, method: request.method, route: routeOf(request), span },
  );
  // Ended by the application (a throw after `res.json` or `res.end`, from post-answer work): that
  // answer stands and may still be on its way out; destroying it would cut it short, and with it
  // any request pipelined behind it on the connection. Through a middleware's own `end`
  // (compression), Node sees the end only later: the application's call was noted.
  if (response.writableEnded || endRequested(response)) return;
  if (response.headersSent) {
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
    // A reason phrase the route or an earlier error middleware set (`res.statusMessage = err.message`)
    // would otherwise go out on the status line; '' lets Node pick its own for unknown codes.
    response.statusMessage = STATUS_CODES[status] ?? '';
    // for-in over the (usually shared) headers object: no entries array per answer.
    for (const name in headers) response.setHeader(name, headers[name] as string);
    response.setHeader('x-request-id', requestId);
    response.setHeader('content-length', String(Buffer.byteLength(body)));
    response.end(headRequest(request, response) ? undefined : body);
  } catch {
    abort(response);
  }
}
