/**
 * Reply streams that fail once the response has started. Fastify pipes a stream payload to the
 * response; when it fails before the headers left, the error reaches the error handler (and
 * Faultline answers it); when it fails after, Fastify only logs the raw error (unredacted, with
 * whatever the stream was destroyed with) and aborts the response, and no fault is recorded.
 *
 * The plugin's `onSend` hook therefore hands Fastify a `PassThrough` in front of a stream payload
 * (and only of a stream payload: any other payload costs one `typeof` test). The source is piped
 * into it; when the source fails:
 * - before the headers left, the pass-through fails with the source's own error, and Fastify's
 *   error handler (Faultline's) answers it as before, with its full classification;
 * - after they left (or once the client is gone), the fault is recorded under the request's id
 *   with the source's error, and the pass-through fails with a safe error carrying only the
 *   request id and a stable code, so Fastify's own log line (any version, logger or log
 *   controller) never sees the thrown value.
 * A pass-through destroyed by Fastify (the client went away) destroys the source. A web
 * `ReadableStream` payload is guarded the same way, by a `ReadableStream` reading from it.
 */

import { finished, PassThrough, type Readable } from 'node:stream';
// Types only: importing `node:stream/web` loads Node's web streams at start-up (about 0.5 MB of
// heap and up to 3 MB of RSS); the global constructor is read only when a web stream is sent.
import type { ReadableStream, ReadableStreamReadResult } from 'node:stream/web';
import { carryThrown } from '@faultline/core/adapter';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Code of the error Fastify sees in place of a reply stream's own error once headers are sent. */
export const STREAM_FAILED_CODE = 'FAULTLINE_REPLY_STREAM_FAILED';

/** What the guard calls with a reply stream's error once the response has started. */
export type StreamFaultRecorder = (error: unknown, request: FastifyRequest, reply: FastifyReply) => void;

/** True when `payload` is a Node stream Fastify would pipe (its own test, `typeof payload.pipe`). */
export function isNodeStream(payload: unknown): payload is Readable {
  return typeof payload === 'object' && payload !== null && typeof (payload as { pipe?: unknown }).pipe === 'function';
}

/**
 * The error Fastify gets instead of the source's: a fixed message, the request id, a stable code
 * and no stack frames (nothing of the thrown value; the detail is in the fault record).
 */
function safeStreamError(requestId: string): Error {
  const error = new Error(
    `reply stream failed after the response started (request ${requestId}; see its fault record)`,
  );
  error.stack = `Error: ${error.message}`;
  return Object.assign(error, { code: STREAM_FAILED_CODE, request_id: requestId });
}

/** True once the response can no longer carry an answer (Fastify's own test for that case). */
function responseStarted(request: FastifyRequest, reply: FastifyReply): boolean {
  return reply.raw.headersSent || (request.raw as { aborted?: boolean }).aborted === true;
}

/** Destroys `stream`, ignoring a stream that throws from `destroy` or has none. */
function destroyQuietly(stream: Readable): void {
  try {
    if (typeof stream.destroy === 'function') stream.destroy();
  } catch {
    // a hostile or half-implemented stream: nothing more can be done for it
  }
}

/**
 * Destroys `guard` with `error`. Node's `destroy` reads `error.stack` first and throws when that
 * read throws (a Proxy, a throwing getter), leaving the stream open: such a value goes inside a
 * carrier instead (thrown-carrier.ts), so the guard always fails, the request is answered, and
 * `captureFor` still captures the value itself.
 */
function failGuard(guard: PassThrough, error: unknown): void {
  try {
    guard.destroy(error as Error);
  } catch {
    guard.destroy(carryThrown(error, 'Fastify'));
  }
}

/**
 * Returns the payload Fastify should send in place of the stream `source`: a pass-through fed by
 * it, which fails with the source's error before the headers left, and with a safe error (after
 * `record` got the source's error) once they did.
 */
export function guardReplyStream(
  source: Readable,
  request: FastifyRequest,
  reply: FastifyReply,
  record: StreamFaultRecorder,
): Readable {
  const guard = new PassThrough();
  let settled = false;
  let cleanup: (() => void) | undefined;
  try {
    cleanup = finished(source, { readable: true, writable: false }, (error) => {
      settled = true;
      cleanup?.();
      if (error === undefined || error === null) return; // ended: the pipe ends the guard
      // A source that only emitted 'error' (not destroyed) is closed like `pipeline` would.
      destroyQuietly(source);
      if (guard.destroyed) return;
      if (!responseStarted(request, reply)) {
        // Fastify's error handler (Faultline's) answers it, with the thrown value itself.
        failGuard(guard, error);
        return;
      }
      try {
        record(error, request, reply);
      } finally {
        guard.destroy(safeStreamError(String(request.id)));
      }
    });
    finished(guard, (error) => {
      // Fastify destroyed the guard (the client went away): the source must not stay open.
      if (error !== undefined && error !== null && !settled) destroyQuietly(source);
    });
    source.pipe(guard);
  } catch (error) {
    // A stream `finished` or `pipe` refuses: Fastify's error handler answers it, as before.
    cleanup?.();
    destroyQuietly(source);
    failGuard(guard, error);
  }
  return guard;
}

/** True when `payload` is a web `ReadableStream` Fastify would read (its own test, `getReader`). */
export function isWebStream(payload: unknown): payload is ReadableStream<unknown> {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    typeof (payload as { getReader?: unknown }).getReader === 'function'
  );
}

/** True for a fetch `Response` payload (Fastify sends its status, its headers and its body). */
export function isFetchResponse(payload: object): payload is Response {
  return Object.prototype.toString.call(payload) === '[object Response]';
}

/**
 * Returns the payload Fastify should send in place of `response`: the same status, status text and
 * headers, with the body guarded as {@link guardWebStream} guards a web stream. A response without
 * a body, or whose body was read already (Fastify refuses it), is returned as is.
 */
export function guardResponse(
  response: Response,
  request: FastifyRequest,
  reply: FastifyReply,
  record: StreamFaultRecorder,
): Response {
  const body = response.body;
  if (body === null || response.bodyUsed) return response;
  // The global is read here, not at start-up: an application sending a Response has loaded it.
  const FetchResponse = globalThis.Response;
  const guarded = guardWebStream(body, request, reply, record) as unknown as ConstructorParameters<typeof Response>[0];
  return new FetchResponse(guarded, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/**
 * Returns the payload Fastify should send in place of the web stream `source`: a stream reading
 * from it, which errors with the source's error before the headers left, and with a safe error
 * (after `record` got the source's error) once they did. A locked source is returned as is
 * (Fastify refuses it with its own error).
 */
export function guardWebStream(
  source: ReadableStream<unknown>,
  request: FastifyRequest,
  reply: FastifyReply,
  record: StreamFaultRecorder,
): ReadableStream<unknown> {
  if (source.locked) return source;
  const reader = source.getReader();
  const WebReadableStream = globalThis.ReadableStream as unknown as typeof ReadableStream;
  return new WebReadableStream<unknown>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<unknown>;
        try {
          result = await reader.read();
        } catch (error) {
          if (!responseStarted(request, reply)) {
            controller.error(error);
            return;
          }
          try {
            record(error, request, reply);
          } finally {
            controller.error(safeStreamError(String(request.id)));
          }
          return;
        }
        if (result.done) controller.close();
        else controller.enqueue(result.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
