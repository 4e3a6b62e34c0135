/**
 * The ws adapter's public shapes: its options, what it knows about a connection, the handlers it
 * wraps, and the adapter itself.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  AnswerFormat,
  BodyFormat,
  Classifier,
  Fault,
  HeaderOptions,
  Reporter,
  RequestIdOptions,
} from '@faultline/core/adapter';
import type { RawData, WebSocket, WebSocketServer } from 'ws';

/** Options of {@link WsAdapter}'s factory, `createWsAdapter`. */
export interface WsAdapterOptions extends HeaderOptions, RequestIdOptions {
  /**
   * Where fault records go. Default: Faultline's default reporter, NDJSON on stdout; `false`
   * records nothing (said once on stderr; spans are still annotated).
   */
  readonly reporter?: Reporter | false | undefined;
  /** Extra classifiers for the application's own error families. */
  readonly classifiers?: readonly Classifier[];
  /** Whether a fault closes the connection (default: 5xx, 401, 403, 413 and cancellations). */
  readonly isFatal?: (fault: Fault) => boolean;
  /**
   * The body format of refused upgrades (HTTP answers): `problem` (default), `envelope`,
   * `jsonapi`, or `negotiate` (from the upgrade request's `Accept`, with `Vary: Accept`). Error
   * frames after the upgrade are always the envelope.
   */
  readonly format?: AnswerFormat | undefined;
  /** The format `negotiate` falls back to (default `problem`). */
  readonly defaultFormat?: BodyFormat | undefined;
}

/** What the adapter knows about a connection. */
export interface ConnectionContext {
  /** The connection's correlation id (a valid incoming X-Request-ID, else new). */
  readonly connectionId: string;
  /** The incoming id refused for this connection (escaped for the log), if any. */
  readonly refusedId?: string | undefined;
  /** The upgrade request. */
  readonly request: IncomingMessage;
}

/** A connection handler, sync or async. */
export type ConnectionHandler = (socket: WebSocket, context: ConnectionContext) => unknown;
/** A message handler, sync or async. */
export type MessageHandler = (data: RawData, isBinary: boolean) => unknown;
/** A handler of parsed JSON messages, sync or async. */
export type JsonMessageHandler = (message: unknown) => unknown;
/** Upgrade authentication: throw (or reject) to refuse the upgrade. */
export type UpgradeCheck = (request: IncomingMessage) => unknown;

/** The adapter returned by `createWsAdapter`. */
export interface WsAdapter {
  /**
   * Wraps a connection handler for `wss.on('connection', …)`. The socket is adopted (unless
   * `upgrade` or `server` did it first): an 'error' listener, its faults recorded under the
   * connection id, a guarded `emit` and guarded registration methods, so a throw in a listener
   * the application adds itself ('message', 'ping', 'pong', 'close', 'error'), or an `async` one's
   * rejection, is answered as a wrapped handler's, not a crash.
   */
  connection(handler: ConnectionHandler): (socket: WebSocket, request: IncomingMessage) => void;
  /**
   * Wraps a message handler for `socket.on('message', …)`. When the handler returns a promise
   * (an `async` handler), the wrapper returns one that fulfils once the handler settled and its
   * fault, if any, was answered (it never rejects): await it inside a span started per message,
   * and end the span after it, so the fault's id reaches that span.
   */
  message(socket: WebSocket, handler: MessageHandler): (data: RawData, isBinary: boolean) => Promise<void> | undefined;
  /**
   * Like {@link WsAdapter.message}, for JSON messages: the handler gets the parsed value; a message
   * that is not JSON is answered as the client's validation fault (an error frame), not as an
   * internal one. Returns what {@link WsAdapter.message}'s wrapper returns.
   */
  json(socket: WebSocket, handler: JsonMessageHandler): (data: RawData, isBinary: boolean) => Promise<void> | undefined;
  /**
   * Guards `duplex`, what `createWebSocketStream(socket)` returned, and returns it: an error the
   * duplex is destroyed with (a `pipeline` stage failing) is recorded and closes the socket with the
   * fault's close code and `<CODE> <request_id>` (ws alone terminates it: 1006, no id, no record),
   * and a protocol error from the peer no longer crashes the process when the duplex has no
   * 'error' listener. The stages it pipes to (`pipeline`, `stream.compose(duplex, …)`) are
   * guarded: a `transform` that throws, or a failure or `destroy` with a value whose `stack` Node
   * cannot read, is answered instead of ending the process. A `for await` loop over it that
   * throws is answered by the handler's rejection, under that failure's id.
   */
  stream(socket: WebSocket, duplex: Duplex): Duplex;
  /** Answers `thrown` on `socket`: an error frame, or a close frame when fatal. Never throws. */
  fail(socket: WebSocket, thrown: unknown, source: string): Fault;
  /**
   * An HTTP server 'upgrade' listener: runs `check`, then hands accepted sockets to `wss`. A
   * `verifyClient` set on `wss` is taken over: its refusals, throws and rejections are answered
   * like a failed `check` (a refusal keeps a 4xx/5xx status it chose), and a promise it returns
   * is awaited for its verdict. Accepted sockets are adopted before any 'connection' listener, and
   * `wss` is guarded as {@link WsAdapter.server} guards it. Throws a `TypeError` for a server created with `{ server }` or `{ port }` (ws's own 'upgrade' listener
   * would complete every handshake before `check`): create it with `{ noServer: true }`.
   */
  upgrade(wss: WebSocketServer, check?: UpgradeCheck): (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /**
   * Guards `wss`'s 'connection' listeners, those it has and those added later, and returns it: for
   * a server created with `{ server }` or `{ port }`, where ws calls them itself (`upgrade` guards
   * its `wss`). Each listener adopts the socket first (as `connection` does), and a throw or a
   * rejection from one is answered as a connection handler's (a server fault closes the socket
   * with `1011 INTERNAL <request_id>`, a client fault is an error frame), recorded under the
   * connection id, instead of ending the process; the listeners after it still run. The
   * handshake stays ws's.
   */
  server(wss: WebSocketServer): WebSocketServer;
  /** Writes the error answer (in the configured format) on a raw upgrade socket and destroys it. */
  rejectUpgrade(socket: Duplex, request: IncomingMessage, thrown: unknown): Fault;
  /**
   * The HTTP server's 'clientError' listener (`server.on('clientError', adapter.clientError)`): a
   * request Node's parser refuses (malformed head, oversized headers, header timeout) is answered in
   * the configured format with an id, and recorded, instead of Node's bare `400 Bad Request`.
   */
  clientError(error: Error, socket: Duplex): void;
}
