/**
 * The ws adapter: wrapped connection and message handlers (a throw never kills the process),
 * JSON error frames for recoverable faults, close frames for fatal ones, an 'error' listener on
 * every socket, and upgrade rejection answered as an HTTP error in the configured format (problem
 * JSON by default, the envelope, JSON:API, or negotiated) from the server's 'upgrade' path (never
 * ws's text/html `abortHandshake`).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type AnswerFormat,
  adapterReporter,
  type BodyFormat,
  type Category,
  type Classifier,
  COMMON_RULES,
  capture,
  checkFormatOptions,
  checkOptions,
  type Fault,
  FaultError,
  FORMAT_RULES,
  formatFor,
  type HeaderOptions,
  isObjectLike,
  type OptionRules,
  type RecordFaultOptions,
  type Reporter,
  type RequestIdOptions,
  recordFault,
  renderBody,
  renderEnvelope,
  requestIdPolicy,
  resolveCorrelationId,
  safeGet,
  safeGetString,
  writeRawHttpFault,
} from '@faultline/core/adapter';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { closeFrameFor } from './close-frame.js';
import { isClosing, messageInput, WS_CLIENT_ERROR_CATEGORY } from './handshake.js';
import { parseJsonMessage } from './json-message.js';
import { wsClassifier } from './ws-classifier.js';

/** Client-side categories that still end the connection by default: identity, size, cancellation. */
const FATAL_CLIENT_CATEGORIES: ReadonlySet<Category> = new Set<Category>([
  'unauthenticated',
  'forbidden',
  'payload_too_large',
  'cancelled',
]);

/** Default fatality: every server failure (from the taxonomy) plus {@link FATAL_CLIENT_CATEGORIES}. */
function fatalByDefault(fault: Fault): boolean {
  return fault.serverFault || FATAL_CLIENT_CATEGORIES.has(fault.category);
}

/** Options of {@link createWsAdapter}. */
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

/** Options the adapter checks when it is created. */
const WS_RULES: OptionRules = {
  ...COMMON_RULES,
  format: FORMAT_RULES.format as OptionRules[string],
  defaultFormat: FORMAT_RULES.defaultFormat as OptionRules[string],
  isFatal: { kind: 'function' },
};

const VARY_ACCEPT: Readonly<Record<string, string>> = { vary: 'Accept' };

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

const contexts = new WeakMap<WebSocket, ConnectionContext>();

/** True for a value with a callable `then`; a throwing getter or Proxy trap counts as no. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isObjectLike(value) && typeof safeGet(value, 'then') === 'function';
}

/** The adapter returned by {@link createWsAdapter}. */
export interface WsAdapter {
  /** Wraps a connection handler for `wss.on('connection', …)`. */
  connection(handler: ConnectionHandler): (socket: WebSocket, request: IncomingMessage) => void;
  /** Wraps a message handler for `socket.on('message', …)`. */
  message(socket: WebSocket, handler: MessageHandler): (data: RawData, isBinary: boolean) => void;
  /**
   * Like {@link WsAdapter.message}, for JSON messages: the handler gets the parsed value; a message
   * that is not JSON is answered as the client's validation fault (an error frame), not as an
   * internal one.
   */
  json(socket: WebSocket, handler: JsonMessageHandler): (data: RawData, isBinary: boolean) => void;
  /** Answers `thrown` on `socket`: an error frame, or a close frame when fatal. Never throws. */
  fail(socket: WebSocket, thrown: unknown, source: string): Fault;
  /** An HTTP server 'upgrade' listener: runs `check`, then hands accepted sockets to `wss`. */
  upgrade(wss: WebSocketServer, check?: UpgradeCheck): (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Writes the error answer (in the configured format) on a raw upgrade socket and destroys it. */
  rejectUpgrade(socket: Duplex, request: IncomingMessage, thrown: unknown): Fault;
}

/** Creates the ws adapter. */
export function createWsAdapter(options: WsAdapterOptions = {}): WsAdapter {
  checkOptions('@faultline/ws', options, WS_RULES);
  checkFormatOptions('@faultline/ws', options);
  const answerFormat = {
    format: options.format ?? 'problem',
    ...(options.defaultFormat === undefined ? {} : { defaultFormat: options.defaultFormat }),
  } as const;
  const policy = requestIdPolicy(options, '@faultline/ws');
  const classifiers = [...(options.classifiers ?? []), wsClassifier];
  const isFatal = options.isFatal ?? fatalByDefault;

  const reporter = adapterReporter('@faultline/ws', options.reporter);
  // What a fault without connection attributes is recorded with: one object for the adapter's life.
  const plainRecord: RecordFaultOptions = { protocol: 'ws', reporter };
  const contextsBySource = new Map<string, { readonly classifiers: readonly Classifier[]; readonly source: string }>();

  function faultFor(
    thrown: unknown,
    connection: ConnectionContext | undefined,
    source: string,
    requestId?: unknown,
    input?: () => readonly unknown[],
    peer?: string,
  ): Fault {
    let ctx = contextsBySource.get(source);
    if (ctx === undefined) {
      ctx = { classifiers, source };
      contextsBySource.set(source, ctx);
    }
    // One context object per source; a message's input (or an upgrade's id) needs one literal, no spreads.
    const fault = capture(
      thrown,
      requestId === undefined && input === undefined
        ? ctx
        : { classifiers: ctx.classifiers, source: ctx.source, requestId, input, requestIdPolicy: policy, peer },
    );
    // Per-error ids are linked to the connection's id in the log record.
    recordFault(
      fault,
      reporter === undefined || connection === undefined
        ? plainRecord
        : {
            protocol: 'ws',
            reporter,
            attributes:
              connection.refusedId === undefined
                ? { connection_id: connection.connectionId }
                : { connection_id: connection.connectionId, rejected_connection_id: connection.refusedId },
          },
    );
    return fault;
  }

  function fail(socket: WebSocket, thrown: unknown, source: string, input?: () => readonly unknown[]): Fault {
    const context = contexts.get(socket);
    const fault = faultFor(thrown, context, source, undefined, input);
    try {
      if (socket.readyState !== socket.OPEN) return fault;
      if (isFatal(fault)) {
        const { code, reason } = closeFrameFor(fault);
        socket.close(code, reason);
      } else {
        socket.send(renderEnvelope(fault));
      }
    } catch {
      try {
        socket.terminate();
      } catch {
        // already gone
      }
    }
    return fault;
  }

  function guardSocket(socket: WebSocket, context: ConnectionContext): void {
    // Without an 'error' listener, a protocol error from the peer crashes the process.
    socket.on('error', (error: Error) => {
      faultFor(error, context, 'ws.socket');
    });
  }

  function rejectUpgrade(socket: Duplex, request: IncomingMessage, thrown: unknown): Fault {
    const incoming = request.headers['x-request-id'];
    const fault = faultFor(thrown, undefined, 'ws.upgrade', incoming, undefined, request.socket?.remoteAddress);
    const format = formatFor(answerFormat, request.headers.accept);
    const vary = answerFormat.format === 'negotiate' ? VARY_ACCEPT : undefined;
    writeRawHttpFault(socket, fault, renderBody(fault, format, undefined), format, options, vary);
    return fault;
  }

  function wrapMessage(socket: WebSocket, handler: MessageHandler): (data: RawData, isBinary: boolean) => void {
    return (data, isBinary) => {
      // The message as validation input, made only when a failure needs it (nothing per successful message).
      try {
        const result = handler(data, isBinary);
        if (isThenable(result))
          result.then(undefined, (error: unknown) =>
            fail(socket, error, 'ws.message', () => messageInput(data, isBinary)),
          );
      } catch (error) {
        fail(socket, error, 'ws.message', () => messageInput(data, isBinary));
      }
    };
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
    wss.on('wsClientError', (error: Error, socket: Duplex, request: IncomingMessage) => {
      const category = WS_CLIENT_ERROR_CATEGORY[safeGetString(error, 'message', 64) ?? ''] ?? 'validation';
      rejectUpgrade(
        socket,
        request,
        FaultError.of(category, { cause: error, message: 'WebSocket handshake refused', stack: false }),
      );
    });
  }

  return {
    fail,
    rejectUpgrade,
    connection(handler) {
      return (socket, request) => {
        const { id: connectionId, rejected } = resolveCorrelationId(
          request.headers['x-request-id'],
          policy,
          request.socket?.remoteAddress,
        );
        const context: ConnectionContext = { connectionId, request, refusedId: rejected };
        contexts.set(socket, context);
        guardSocket(socket, context);
        try {
          const result = handler(socket, context);
          if (isThenable(result)) result.then(undefined, (error: unknown) => fail(socket, error, 'ws.connection'));
        } catch (error) {
          fail(socket, error, 'ws.connection');
        }
      };
    },
    json(socket, handler) {
      return wrapMessage(socket, (data) => handler(parseJsonMessage(data)));
    },
    message: wrapMessage,
    upgrade(wss, check) {
      answerHandshakeErrors(wss);
      return (request, socket, head) => {
        // A socket error during the handshake must not crash the process either.
        socket.on('error', () => undefined);
        const accept = () => {
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
            wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
          } catch (error) {
            rejectUpgrade(socket, request, error);
          }
        };
        try {
          const result = check?.(request);
          if (isThenable(result)) result.then(accept, (error: unknown) => rejectUpgrade(socket, request, error));
          else accept();
        } catch (error) {
          rejectUpgrade(socket, request, error);
        }
      };
    },
  };
}
