/**
 * Malformed HTTP, caught by Node's parser before any framework sees a request (the server's
 * 'clientError' event): its category, and the fault for it. Shared by every HTTP adapter.
 */
import { capture } from '../capture.js';
import type { Fault } from '../fault.js';
import { FaultError } from '../fault-error.js';
import { recordFault } from '../report/record-fault.js';
import type { Reporter } from '../report/reporter.js';
import { safeGet, safeGetString } from '../safe-access.js';
import type { Category } from '../taxonomy.js';
import { type HeaderOptions, type RawHttpSocket, writeRawHttpFault } from './http-headers.js';
import { formatFor, type ResponderOptions, renderBody } from './responder.js';

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

/**
 * Records `fault` (protocol `http`, to `reporter` when there is one) and answers it on a raw
 * socket, where there is no request object: in `answerFormat`'s format (no request to read
 * `Accept` from: `negotiate` answers in its default format) with `headerOptions`' headers, then
 * closes the socket. Never throws.
 */
export function answerOnRawSocket(
  socket: RawHttpSocket,
  fault: Fault,
  answerFormat: Pick<ResponderOptions, 'format' | 'defaultFormat'>,
  headerOptions: HeaderOptions,
  reporter: Reporter | undefined,
): void {
  recordFault(fault, { protocol: 'http', reporter });
  const format = formatFor(answerFormat);
  writeRawHttpFault(socket, fault, renderBody(fault, format, undefined), format, headerOptions);
}

/**
 * True when the peer ended its side (`HPE_INVALID_EOF_STATE`) while the body of a request Node
 * already handed to the application was still being read (the parser's `incoming`, not
 * `complete`). That request is the one cut short: destroying the socket aborts it, and its own
 * path records the departure (the adapters as the client's cancellation). A second fault here
 * counted one departure twice, the second time as the client's invalid request (400).
 */
function requestCutShortByPeer(error: unknown, socket: RawHttpSocket): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (safeGetString(error, 'code', 64) !== 'HPE_INVALID_EOF_STATE') return false;
  const parser = safeGet(socket, 'parser');
  const incoming = typeof parser === 'object' && parser !== null ? safeGet(parser, 'incoming') : undefined;
  return typeof incoming === 'object' && incoming !== null && safeGet(incoming, 'complete') === false;
}

/**
 * True when an answer to an earlier request on `socket` already sent its head (Node's
 * `_httpMessage._headerSent`, what its own 'clientError' default reads before it writes a 400): a
 * malformed request pipelined behind a streamed answer, or a request body whose chunk framing
 * breaks while the answer streams. HTTP text written then would land inside that answer's body.
 */
function answerOnTheWire(socket: RawHttpSocket): boolean {
  const message = safeGet(socket, '_httpMessage');
  if (typeof message !== 'object' || message === null) return false;
  return (safeGet(message, '_headerSent') ?? safeGet(message, 'headersSent')) === true;
}

/**
 * The server's 'clientError' listener body, shared by every HTTP adapter: a request Node's parser
 * refused is recorded and answered on its raw socket ({@link answerOnRawSocket}). Nothing for a
 * peer that reset the connection, or a socket already destroyed; a peer that ended its side in
 * the middle of a request body has its socket destroyed, and that request records it. When an earlier answer on the
 * connection already sent its head, the error is recorded, nothing is written, and the socket is
 * closed (the client sees that answer cut short), as Node's own default does. Never throws.
 */
export function answerClientError(
  error: unknown,
  socket: RawHttpSocket,
  answerFormat: Pick<ResponderOptions, 'format' | 'defaultFormat'>,
  headerOptions: HeaderOptions,
  reporter: Reporter | undefined,
): void {
  if (isConnectionReset(error) || socket.destroyed) return;
  if (requestCutShortByPeer(error, socket)) {
    socket.destroy();
    return;
  }
  if (answerOnTheWire(socket)) {
    recordFault(clientErrorFault(error), { protocol: 'http', reporter });
    socket.destroy();
    return;
  }
  answerOnRawSocket(socket, clientErrorFault(error), answerFormat, headerOptions, reporter);
}
