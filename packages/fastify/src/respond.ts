/**
 * Sending a fault on a Fastify reply, and on a raw socket when there is no reply. The body is a
 * pre-serialized string, so response schemas, reply serializers and preSerialization hooks never
 * reshape it. A second attempt on the same reply (an onSend hook or a scope's error handler
 * failed) writes the first response's bytes directly, with no hooks left to fail.
 */
import {
  answerOnRawSocket,
  type Classifier,
  CONTENT_TYPES,
  FALLBACK_PROBLEM_BODY,
  type Fault,
  httpAnswer,
  type RawHttpSocket,
  type ResponderOptions,
  recordFault,
  SPAN_ONLY,
} from '@faultline/core/adapter';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LateRejection } from './late-log.js';
import {
  type Attempt,
  abort,
  afterBodyDrained,
  bodyStillArriving,
  clearReasonPhrase,
  isHttp2,
  removeStaleHeaders,
  writeDirect,
  writeHijacked,
} from './raw-answer.js';
import { setReplyHeader, setReplyHeaders } from './reply-headers.js';
import { captureForId } from './request-fault.js';
import { requestSpanOf } from './request-span.js';

/**
 * Reply property holding the first response: declared with `decorateReply` by the plugin, so
 * Fastify's replies keep one shape (adding a property later changes their hidden class and slows
 * every access Fastify makes to them).
 */
export const ATTEMPT_PROPERTY = 'faultlineAttempt';
type WithAttempt = { [ATTEMPT_PROPERTY]?: Attempt | null };

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

/** What replaces Fastify's raw "Promise errored" line, when a line does. */
const LATE_LINE = 'Promise errored, but reply.sent = true was set: recorded by Faultline';

/**
 * What takes Fastify's "Promise errored" line (late-log.ts): the rejection recorded under the id
 * Fastify bound to the request's logger. With `writeLine` (records go elsewhere than the server's
 * logger), the server's log gets a line without the error in place of Fastify's: the fault's code
 * and the id it was recorded under.
 */
export function lateRejectionRecorder(
  classifiers: readonly Classifier[],
  options: ResponderOptions,
  writeLine: boolean,
): LateRejection {
  return (error, requestId, write) => {
    const fault = captureForId(error, requestId, classifiers);
    recordFault(
      fault,
      options.reporter === undefined ? SPAN_ONLY.http : { protocol: 'http', reporter: options.reporter },
    );
    if (writeLine) write({ faultline: { code: fault.code, request_id: fault.id } }, LATE_LINE);
  };
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
  const raw = reply.raw;
  if (raw.headersSent) {
    // Headers already left (a stream failed mid-way): nothing valid can be sent. Abort.
    abort(reply);
    return;
  }
  if (reply.sent) {
    // Hijacked (an onSend, preSerialization or onError hook hijacked, then failed): Fastify sends
    // nothing more, and no byte has left. Answered on the raw response; one ended stays as it is.
    if (raw.writableEnded) return;
    const attempt = attemptFor(fault, request, options, traceId, allow);
    (reply as WithAttempt)[ATTEMPT_PROPERTY] = attempt;
    writeHijacked(request, reply, attempt);
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
  writeHijacked(request, reply, attempt);
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

/**
 * Answers a raw HTTP/1.1 socket (malformed request: there is no request object) with the problem
 * body, then closes it. Never throws.
 */
export function writeSocketFault(socket: RawHttpSocket, fault: Fault, options: ResponderOptions): void {
  answerOnRawSocket(socket, fault, options, options, options.reporter);
}
