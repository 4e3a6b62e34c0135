/**
 * Malformed HTTP, caught by Node's parser before any framework sees a request (the server's
 * 'clientError' event): its category, and the fault for it. Shared by every HTTP adapter.
 */
import { capture } from '../capture.js';
import type { Fault } from '../fault.js';
import { FaultError } from '../fault-error.js';
import { safeGet, safeGetString } from '../safe-access.js';
import type { Category } from '../taxonomy.js';

/** A request line still unfinished in the chunk that overflowed: the URI, not the headers, is too long. */
const UNFINISHED_REQUEST_LINE = /^[A-Z]{3,16} [^\r\n]*$/;

/**
 * The category of a malformed-HTTP error from Node's parser. `HPE_HEADER_OVERFLOW` covers both a
 * long URI and large headers: when the chunk that overflowed is a request line that never ended,
 * it is the URI (414), else the headers (431). Timeouts are 408; anything else is a bad request.
 */
export function clientErrorCategory(error: unknown): Category {
  const code = typeof error === 'object' && error !== null ? safeGetString(error, 'code', 64) : undefined;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT') return 'request_timeout';
  if (code === 'HPE_HEADER_OVERFLOW') {
    const raw = safeGet(error as object, 'rawPacket');
    const head = Buffer.isBuffer(raw) ? raw.subarray(0, 8192).toString('latin1') : '';
    return UNFINISHED_REQUEST_LINE.test(head) ? 'uri_too_long' : 'header_fields_too_large';
  }
  return 'validation';
}

/** True when a 'clientError' needs no answer (the peer reset the connection). */
export function isConnectionReset(error: unknown): boolean {
  return typeof error === 'object' && error !== null && safeGetString(error, 'code', 64) === 'ECONNRESET';
}

/** The fault for a malformed request (no request id: there is no request to read it from). */
export function clientErrorFault(error: unknown): Fault {
  return capture(FaultError.of(clientErrorCategory(error), { cause: error, stack: false }), {
    source: 'http.client_error',
  });
}
