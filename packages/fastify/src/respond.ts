/**
 * Sending a fault on a Fastify reply, and on a raw socket when there is no reply. The body is a
 * pre-serialized string, so response schemas, reply serializers and preSerialization hooks never
 * reshape it. A second attempt on the same reply (an onSend hook or a scope's error handler
 * failed) writes the first response's bytes directly, with no hooks left to fail.
 */
import {
  answerOnRawSocket,
  CONNECTION_HEADERS,
  CONTENT_TYPES,
  FALLBACK_PROBLEM_BODY,
  type Fault,
  type HttpAnswer,
  httpAnswer,
  type RawHttpSocket,
  type ResponderOptions,
  recordFault,
  SPAN_ONLY,
  STALE_REPLY_HEADERS,
} from '@faultline/core/adapter';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { removeReplyHeaders, setReplyHeader, setReplyHeaders } from './reply-headers.js';
import { requestSpanOf } from './request-span.js';

/** An answer; the fallback one (rendering failed) carries no id, as it always did. */
type Attempt = Omit<HttpAnswer, 'requestId'> & { readonly requestId: string | undefined };

/** The first response sent for a reply, kept on the reply itself (a WeakMap churns the GC under load). */
/**
 * Reply property holding the first response: declared with `decorateReply` by the plugin, so
 * Fastify's replies keep one shape (adding a property later changes their hidden class and slows
 * every access Fastify makes to them).
 */
export const ATTEMPT_PROPERTY = 'faultlineAttempt';
type WithAttempt = { [ATTEMPT_PROPERTY]?: Attempt | null };
const STALE = new Set<string>(STALE_REPLY_HEADERS);
const STALE_HTTP2 = new Set<string>([...STALE_REPLY_HEADERS, ...CONNECTION_HEADERS]);

/** Removes headers describing a success body (and, on HTTP/2, connection-specific ones) that the route set. */
function removeStaleHeaders(reply: FastifyReply, http2: boolean): void {
  removeReplyHeaders(reply, http2 ? STALE_HTTP2 : STALE);
}

function isHttp2(request: FastifyRequest): boolean {
  return request.raw.httpVersionMajor === 2;
}

/**
 * Drops a reason phrase the route set (`reply.raw.statusMessage = err.message`): Node would send it
 * on the error answer's status line. HTTP/1 only (HTTP/2 has none, and its response warns when
 * the property is touched).
 */
function clearReasonPhrase(raw: { statusMessage?: string }, http2: boolean): void {
  if (!http2 && raw.statusMessage) raw.statusMessage = undefined as unknown as string;
}

/** Ends a response that can no longer be answered (headers already sent): abort it. */
function abort(reply: FastifyReply): void {
  try {
    reply.raw.destroy();
  } catch {
    // already gone
  }
}

/** Writes `attempt` straight to the socket/stream, bypassing every hook. */
function writeDirect(reply: FastifyReply, attempt: Attempt): void {
  const raw = reply.raw;
  if (raw.headersSent || raw.writableEnded) {
    abort(reply);
    return;
  }
  try {
    reply.hijack();
    clearReasonPhrase(raw, isHttp2(reply.request));
    raw.writeHead(attempt.status, {
      ...attempt.headers,
      ...(attempt.requestId === undefined ? {} : { 'x-request-id': attempt.requestId }),
      'content-length': String(Buffer.byteLength(attempt.body)),
    });
    raw.end(attempt.body);
  } catch {
    abort(reply);
  }
}

/**
 * Records `fault` for `request` (span, and the log when there is a reporter) without answering:
 * for a response that already started or already failed. Returns the active trace id, if any.
 */
export function recordReplyFault(fault: Fault, request: FastifyRequest, options: ResponderOptions): string | undefined {
  // Without a reporter only the span is annotated: no record fields to gather.
  const span = requestSpanOf(request);
  return recordFault(
    fault,
    options.reporter === undefined
      ? span === undefined
        ? SPAN_ONLY.http
        : { protocol: 'http', span }
      : {
          protocol: 'http',
          reporter: options.reporter,
          method: request.method,
          route: request.routeOptions?.url,
          span,
        },
  );
}

/**
 * Answers `reply` with `fault`: reports it (span + deferred log), then sends the pre-serialized
 * body with the error headers. Never throws.
 */
export function sendFault(
  fault: Fault,
  request: FastifyRequest,
  reply: FastifyReply,
  options: ResponderOptions,
  allow?: string,
): void {
  const previous = (reply as WithAttempt)[ATTEMPT_PROPERTY];
  if (previous !== undefined && previous !== null) {
    // Our first response failed on its way out: log the new failure under the same id, then
    // send the first response's bytes without hooks.
    recordReplyFault(fault, request, options);
    writeDirect(reply, previous);
    return;
  }
  const traceId = recordReplyFault(fault, request, options);
  if (reply.sent || reply.raw.headersSent) {
    // Headers already left (a stream failed mid-way): nothing valid can be sent. Abort.
    abort(reply);
    return;
  }
  const attempt = attemptFor(fault, request, options, traceId, allow);
  (reply as WithAttempt)[ATTEMPT_PROPERTY] = attempt;
  if (bodyStillArriving(request)) afterBodyDrained(request, () => sendAttempt(reply, attempt, true));
  else sendAttempt(reply, attempt, isHttp2(request));
}

/**
 * Answers `fault` on a hijacked reply, which Fastify no longer sends (hijack-watch.ts): records
 * it, then writes the answer straight to the raw response while its head has not left, or
 * destroys the response when it has (the client must not wait for an answer that cannot come).
 * A response the handler already ended is left as it is. Never throws.
 */
export function answerHijacked(fault: Fault, request: FastifyRequest, reply: FastifyReply, options: ResponderOptions) {
  const traceId = recordReplyFault(fault, request, options);
  const raw = reply.raw;
  if (raw.writableEnded) return;
  if (raw.headersSent) {
    abort(reply);
    return;
  }
  const attempt = attemptFor(fault, request, options, traceId);
  (reply as WithAttempt)[ATTEMPT_PROPERTY] = attempt;
  const http2 = isHttp2(request);
  // Headers the handler set on the raw response for its own body go, as on any error answer.
  const write = () => {
    try {
      removeStaleHeaders(reply, http2);
    } catch {}
    writeDirect(reply, attempt);
  };
  if (bodyStillArriving(request)) afterBodyDrained(request, write);
  else write();
}

/** The answer to `fault`, or the fallback one (without an id) when rendering it failed. */
function attemptFor(
  fault: Fault,
  request: FastifyRequest,
  options: ResponderOptions,
  traceId: string | undefined,
  allow?: string,
): Attempt {
  try {
    return httpAnswer(fault, options, traceId, request.headers, allow);
  } catch {
    return {
      status: 500,
      headers: {
        'content-type': CONTENT_TYPES.problem,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
      requestId: undefined,
      body: FALLBACK_PROBLEM_BODY,
      fault,
    };
  }
}

/** The body is already serialized. */
const asIs = (payload: unknown): string => payload as string;

/** Sends the first attempt through Fastify (its onSend hooks run); falls back to a direct write. */
function sendAttempt(reply: FastifyReply, attempt: Attempt, http2: boolean): void {
  try {
    removeStaleHeaders(reply, http2);
    clearReasonPhrase(reply.raw, http2);
    // A per-reply serializer set by the route before it threw would apply even to a string body;
    // an identity one also keeps Fastify from appending a charset to JSON:API's parameterless type.
    reply.serializer(asIs);
    reply.code(attempt.status);
    setReplyHeaders(reply, attempt.headers);
    if (attempt.requestId !== undefined) setReplyHeader(reply, 'x-request-id', attempt.requestId);
    reply.send(attempt.body);
  } catch {
    writeDirect(reply, attempt);
  }
}

/** True while an HTTP/2 client is still uploading the request's body (see {@link afterBodyDrained}). */
function bodyStillArriving(request: FastifyRequest): boolean {
  return isHttp2(request) && (request.raw as { complete?: boolean }).complete === false;
}

/** Longest wait for the rest of an HTTP/2 request body before answering anyway. */
const DRAIN_LIMIT_MS = 1000;

/**
 * On HTTP/2, an answer sent while the client is still uploading ends the stream under it (the
 * server resets it, and clients such as curl report a framing error instead of the answer, about
 * 4% of the time for a 415, measured with 300 curl requests). The rest of the body is read and
 * discarded (never buffered) first, for at most {@link DRAIN_LIMIT_MS}; then the answer goes out anyway.
 */
function afterBodyDrained(request: FastifyRequest, send: () => void): void {
  const raw = request.raw as unknown as NodeJS.EventEmitter & { resume(): void };
  let done = false;
  const go = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    send();
  };
  const timer = setTimeout(go, DRAIN_LIMIT_MS);
  timer.unref();
  try {
    raw.once('end', go);
    raw.once('close', go);
    raw.once('error', go);
    raw.resume();
  } catch {
    go();
  }
}

/**
 * Answers a raw HTTP/1.1 socket (malformed request: there is no request object) with the problem
 * body, then closes it. Never throws.
 */
export function writeSocketFault(socket: RawHttpSocket, fault: Fault, options: ResponderOptions): void {
  answerOnRawSocket(socket, fault, options, options, options.reporter);
}
