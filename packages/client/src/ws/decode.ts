/**
 * Decoding WebSocket faults: an error frame (`{"error":{…}}`, the connection stays open) or a
 * close (`code` and reason `<CODE> <request_id>`), from any server, as browsers and ws 8 pass
 * them. Never throws.
 */
import { CATEGORIES, type Category, TAXONOMY } from '@faultline/taxonomy';
import { faultFromReading, readEnvelope } from '../formats/reading.js';
import {
  type CatalogLike,
  categoryOfCode,
  categoryOfHttpStatus,
  type RemoteFault,
  remoteFault,
} from '../remote-fault.js';
import {
  boundedRetryAfter,
  conformingCode,
  DECODE_LIMITS,
  errorStatus,
  isRecord,
  own,
  parseBoundedJson,
  uuidOrUndefined,
} from '../untrusted.js';
import { bytesOf, textOf, type WsData } from './text.js';

/**
 * A close: a browser `CloseEvent`, or ws 8's `'close'` listener arguments as `{ code, reason }`
 * (ws passes the reason as a `Buffer`, taken as it is).
 */
export interface CloseLike {
  readonly code: number;
  readonly reason: string | Uint8Array | ArrayBuffer;
}

/** The category of a close code: the taxonomy's match, else internal. */
function categoryOfClose(code: number): Category {
  for (const category of CATEGORIES) if (TAXONOMY[category].wsClose === code) return category;
  return 'internal';
}

/**
 * An error frame: the envelope's `error` object with a `code` string or a `status` number; else
 * undefined (an application message). A `status` that is not an integer from 400 to 599 makes
 * the frame non-conforming; an unknown code falls back to the status's category, as on HTTP. Its
 * `retry_after` (seconds) is the delay to wait, bounded as `Retry-After` is.
 */
function decodeFrame<Code extends string>(data: unknown, catalog?: CatalogLike<Code>): RemoteFault<Code> | undefined {
  const text = textOf(data, DECODE_LIMITS.body);
  const error = text === undefined ? undefined : own(parseBoundedJson(text), 'error');
  if (!isRecord(error)) return undefined;
  const reading = readEnvelope(error);
  if (typeof reading.code !== 'string' && typeof reading.status !== 'number') return undefined;
  const status = errorStatus(reading.status);
  const statusBroken = reading.status !== undefined && status === undefined;
  return faultFromReading(
    statusBroken ? undefined : reading,
    {
      protocol: 'ws',
      fallback: status === undefined ? 'internal' : categoryOfHttpStatus(status),
      status,
      requestId: uuidOrUndefined(reading.requestId),
      // A frame has no headers: the delay a server asks for is a member (Faultline's `retry_after`).
      retryAfter: boundedRetryAfter(own(error, 'retry_after')),
    },
    catalog,
  );
}

/** A close's fault; undefined for a normal close (1000) or one without a code (1005). */
function decodeClose<Code extends string>(close: object, catalog?: CatalogLike<Code>): RemoteFault<Code> | undefined {
  // A browser CloseEvent's members are inherited getters: read them as members.
  const rawCode = (close as { code?: unknown }).code;
  const closeCode = typeof rawCode === 'number' && Number.isInteger(rawCode) ? rawCode : 1006;
  if (closeCode === 1000 || closeCode === 1005) return undefined;
  const reason = textOf((close as { reason?: unknown }).reason, DECODE_LIMITS.closeReason) ?? '';
  const [word, id, ...rest] = reason.split(' ');
  const code = rest.length === 0 ? conformingCode(word) : undefined;
  const fallback = categoryOfClose(closeCode);
  return remoteFault({
    protocol: 'ws',
    format: code === undefined ? 'unknown' : 'close-reason',
    category: code === undefined ? fallback : categoryOfCode(code, fallback, catalog),
    code,
    requestId: uuidOrUndefined(id),
  });
}

/**
 * Decodes an error frame or a close into a {@link RemoteFault}; `undefined` for a normal close or
 * a frame that is not an error. Frames are taken as browsers (`string`, `ArrayBuffer`) and ws 8
 * (`Buffer`, `ArrayBuffer`, `Buffer[]`) pass them; a close as `{ code, reason }` with the reason a
 * string or ws's `Buffer`. Every server is untrusted: a frame longer than `DECODE_LIMITS.body` is
 * not decoded, and the code, status, message, id, violations and params follow `DECODE_LIMITS`.
 * Never throws (anything else, a `Blob` included, is `undefined`).
 *
 * @example
 * socket.on('message', (data) => {
 *   const fault = decodeWsFault(data, errors);
 *   if (fault !== undefined) return showError(fault.message, fault.requestId);
 *   handle(data);
 * });
 * socket.on('close', (code, reason) => {
 *   const fault = decodeWsFault({ code, reason }, errors);
 *   if (fault?.retryable) reconnectLater();
 * });
 */
export function decodeWsFault<Code extends string = never>(
  input: WsData | CloseLike,
  catalog?: CatalogLike<Code>,
): RemoteFault<Code> | undefined {
  try {
    if (typeof input === 'object' && input !== null && !Array.isArray(input) && bytesOf(input) === undefined) {
      return 'code' in input ? decodeClose(input, catalog) : undefined;
    }
    return decodeFrame(input, catalog);
  } catch {
    // a hostile object (throwing getters, a revoked proxy): not decodable
    return undefined;
  }
}
