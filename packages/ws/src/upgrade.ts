/**
 * Refused upgrades, answered as an HTTP error in the configured format (problem JSON by default,
 * the envelope, JSON:API, or negotiated) from the server's 'upgrade' path, never ws's text/html
 * `abortHandshake`: authentication failures, a closing server, unserved paths and the handshake
 * errors ws reports through 'wsClientError'.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type AnswerFormat,
  type BodyFormat,
  type Fault,
  FaultError,
  formatFor,
  type HeaderOptions,
  isThenable,
  renderBody,
  safeGetString,
  writeRawHttpFault,
} from '@faultline/core/adapter';
import type { WebSocket, WebSocketServer } from 'ws';
import { isClosing, upgradesItself, WS_CLIENT_ERROR_CATEGORY, WS_CLIENT_ERROR_HEADERS } from './handshake.js';
import { settleOnce } from './settle.js';
import type { UpgradeCheck } from './types.js';
import { adoptVerifyClient } from './verify-client.js';

const VARY_ACCEPT: Readonly<Record<string, string>> = { vary: 'Accept' };

/**
 * The raw socket's 'error' listener during the handshake, one for every socket: a closure made in
 * the upgrade listener would keep that call's scope (the upgrade request, its head) alive for as
 * long as the socket, the whole connection.
 */
function ignoreSocketError(): void {
  // A socket error during the handshake must not crash the process; ws reports later ones.
}

const REQUEST_ID_PREFIX = 'x-request-id:';

/**
 * True for a response head line that sets `X-Request-Id` (another adapter on the server set it):
 * its first 13 characters, ASCII letters in either case, without a lower-cased copy per line.
 */
function isRequestIdLine(line: string): boolean {
  if (line.length <= REQUEST_ID_PREFIX.length) return false;
  for (let i = 0; i < REQUEST_ID_PREFIX.length; i += 1) {
    const code = line.charCodeAt(i);
    // A non-ASCII character never lower-cases to one of the prefix's (ASCII) characters alone.
    if ((code >= 65 && code <= 90 ? code + 32 : code) !== REQUEST_ID_PREFIX.charCodeAt(i)) return false;
  }
  return true;
}

/** How refused upgrades are answered. */
export interface UpgradeAnswers {
  /** Writes the error answer on a raw upgrade socket and destroys it. */
  rejectUpgrade(socket: Duplex, request: IncomingMessage, thrown: unknown): Fault;
  /** An HTTP server 'upgrade' listener: runs `check`, then hands accepted sockets to `wss`. */
  upgrade(wss: WebSocketServer, check?: UpgradeCheck): (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

/**
 * The upgrade half of the adapter. `faultOfUpgrade` captures and records a refusal's fault (with
 * the upgrade request's incoming id and peer); `failConnection` answers a throw once the socket is
 * a WebSocket (after the 101, an HTTP answer would be written into the WebSocket stream);
 * `connectionIdOf` resolves (once) the connection's id, which the 101 carries as `X-Request-Id`;
 * `adoptSocket` makes an accepted socket the adapter's before any 'connection' listener runs.
 */
export function upgradeAnswers(
  answerFormat: { readonly format: AnswerFormat; readonly defaultFormat?: BodyFormat },
  headerOptions: HeaderOptions,
  faultOfUpgrade: (thrown: unknown, request: IncomingMessage) => Fault,
  failConnection: (socket: WebSocket, thrown: unknown) => unknown,
  connectionIdOf: (request: IncomingMessage) => string,
  adoptSocket: (socket: WebSocket, request: IncomingMessage) => unknown,
): UpgradeAnswers {
  /** Refuses with `extra` headers beside the error headers (and `Vary: Accept` when negotiating). */
  function refuse(
    socket: Duplex,
    request: IncomingMessage,
    thrown: unknown,
    extra: Readonly<Record<string, string>> | undefined,
  ): Fault {
    const fault = faultOfUpgrade(thrown, request);
    const format = formatFor(answerFormat, request.headers.accept);
    const vary = answerFormat.format === 'negotiate' ? VARY_ACCEPT : undefined;
    const headers = extra === undefined ? vary : { ...extra, ...vary };
    writeRawHttpFault(socket, fault, renderBody(fault, format, undefined), format, headerOptions, headers);
    return fault;
  }

  function rejectUpgrade(socket: Duplex, request: IncomingMessage, thrown: unknown): Fault {
    return refuse(socket, request, thrown, undefined);
  }

  const answered = new WeakSet<WebSocketServer>();
  /**
   * ws validates the handshake (method, Upgrade, Sec-WebSocket-Key/Version/Protocol/Extensions)
   * and, without a 'wsClientError' listener, answers a bad one itself as text/html with its own
   * message. With the listener it hands the socket over: answer with problem JSON instead.
   */
  function answerHandshakeErrors(wss: WebSocketServer): void {
    if (answered.has(wss)) return;
    answered.add(wss);
    adoptVerifyClient(wss, rejectUpgrade);
    // The 101 carries the connection's id: what every record of the connection is keyed by (a
    // protocol close, 1002/1007/1009, is ws's own, with no reason), for a client that sent none.
    wss.on('headers', (headers: string[], request: IncomingMessage) => {
      if (!headers.some(isRequestIdLine)) headers.push(`X-Request-Id: ${connectionIdOf(request)}`);
    });
    wss.on('wsClientError', (error: Error, socket: Duplex, request: IncomingMessage) => {
      const message = safeGetString(error, 'message', 64) ?? '';
      const category = WS_CLIENT_ERROR_CATEGORY[message] ?? 'validation';
      refuse(
        socket,
        request,
        FaultError.of(category, { cause: error, message: 'WebSocket handshake refused', stack: false }),
        WS_CLIENT_ERROR_HEADERS[message],
      );
    });
  }

  function upgrade(wss: WebSocketServer, check?: UpgradeCheck) {
    // Refused when wired, not per request: ws's own listener would let every client in unchecked,
    // and this one would then write an HTTP answer into the WebSocket stream of each.
    if (upgradesItself(wss)) {
      throw new TypeError(
        '@faultline/ws: upgrade(wss) needs a WebSocketServer created with { noServer: true }; one created with ' +
          '{ server } or { port } completes every handshake itself, before the check runs',
      );
    }
    answerHandshakeErrors(wss);
    /** ws's callback once the 101 is out (ws passes the upgrade request): one for every upgrade. */
    const upgraded = (ws: WebSocket, request: IncomingMessage) => {
      // ws listens for the raw socket's errors now: without this, its 'error' listeners would be
      // an array of two for the connection's whole life (about 40 bytes a connection).
      request.socket.removeListener('error', ignoreSocketError);
      try {
        // Before any 'connection' listener: the socket's own listeners are guarded, even
        // those of a 'connection' listener the adapter did not wrap.
        adoptSocket(ws, request);
        wss.emit('connection', ws, request);
      } catch (error) {
        // A 'connection' listener the adapter did not wrap: the 101 is out, so a close frame.
        failConnection(ws, error);
      }
    };
    /** Hands an upgrade that passed the check to ws (no closure per upgrade). */
    const accept = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        // ws answers these two itself with text/html (no 'wsClientError'): answer them first.
        if (isClosing(wss)) {
          rejectUpgrade(socket, request, FaultError.of('unavailable', { message: 'server closing', stack: false }));
          return;
        }
        if (!wss.shouldHandle(request)) {
          rejectUpgrade(socket, request, FaultError.of('not_found', { message: 'path not served', stack: false }));
          return;
        }
        wss.handleUpgrade(request, socket, head, upgraded);
      } catch (error) {
        rejectUpgrade(socket, request, error);
      }
    };
    return (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', ignoreSocketError);
      if (check === undefined) {
        accept(request, socket, head);
        return;
      }
      try {
        const result = check(request);
        // Once: a thenable that fulfils and then rejects must not write HTTP after the 101.
        if (isThenable(result)) {
          settleOnce(
            result,
            () => accept(request, socket, head),
            (error) => rejectUpgrade(socket, request, error),
          );
        } else accept(request, socket, head);
      } catch (error) {
        rejectUpgrade(socket, request, error);
      }
    };
  }

  return { rejectUpgrade, upgrade };
}
