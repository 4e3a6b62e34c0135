/**
 * Writing an error answer on a reply's raw response, where Fastify's `reply.send` cannot (the
 * reply was hijacked, or Faultline's first answer failed in a hook), and the pieces both ways of
 * answering share: stale success headers, the route's reason phrase, and the wait for an HTTP/2
 * upload to end before answering.
 */
import { CONNECTION_HEADERS, type HttpAnswer, STALE_REPLY_HEADERS } from '@faultline/core/adapter';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { removeReplyHeaders } from './reply-headers.js';

/** An answer; the fallback one (rendering failed) carries no id, as it always did. */
export type Attempt = Omit<HttpAnswer, 'requestId'> & { readonly requestId: string | undefined };

const STALE = new Set<string>(STALE_REPLY_HEADERS);
const STALE_HTTP2 = new Set<string>([...STALE_REPLY_HEADERS, ...CONNECTION_HEADERS]);

/** Removes headers describing a success body (and, on HTTP/2, connection-specific ones) that the route set. */
export function removeStaleHeaders(reply: FastifyReply, http2: boolean): void {
  removeReplyHeaders(reply, http2 ? STALE_HTTP2 : STALE);
}

/** True for a request over HTTP/2. */
export function isHttp2(request: FastifyRequest): boolean {
  return request.raw.httpVersionMajor === 2;
}

/**
 * Drops a reason phrase the route set (`reply.raw.statusMessage = err.message`): Node would send it
 * on the error answer's status line. HTTP/1 only (HTTP/2 has none, and its response warns when
 * the property is touched).
 */
export function clearReasonPhrase(raw: { statusMessage?: string }, http2: boolean): void {
  if (!http2 && raw.statusMessage) raw.statusMessage = undefined as unknown as string;
}

/** Ends a response that can no longer be answered (headers already sent): abort it. */
export function abort(reply: FastifyReply): void {
  try {
    reply.raw.destroy();
  } catch {
    // already gone
  }
}

/** Writes `attempt` straight to the socket/stream, bypassing every hook. */
export function writeDirect(reply: FastifyReply, attempt: Attempt): void {
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
 * Answers a reply Fastify no longer sends (hijacked) with `attempt` on its raw response, once any
 * HTTP/2 upload has ended: headers the application set on the raw response for its own body go,
 * as on any error answer. The caller checked that the response's head has not left.
 */
export function writeHijacked(request: FastifyRequest, reply: FastifyReply, attempt: Attempt): void {
  const http2 = isHttp2(request);
  const write = () => {
    try {
      removeStaleHeaders(reply, http2);
    } catch {}
    writeDirect(reply, attempt);
  };
  if (bodyStillArriving(request)) afterBodyDrained(request, write);
  else write();
}

/** True while an HTTP/2 client is still uploading the request's body (see {@link afterBodyDrained}). */
export function bodyStillArriving(request: FastifyRequest): boolean {
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
export function afterBodyDrained(request: FastifyRequest, send: () => void): void {
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
