/**
 * The ws adapter: wrapped connection and message handlers (a throw never kills the process),
 * JSON error frames for recoverable faults, close frames for fatal ones, an 'error' listener, a
 * guarded `emit` and guarded listeners on every socket (see `listener-guard.ts`), guarded
 * 'connection' listeners (see `server-guard.ts`), and upgrade rejection answered as an HTTP error
 * (see `upgrade.ts`).
 */
import type { IncomingMessage } from 'node:http';
import {
  adapterReporter,
  answerClientError,
  type CaptureContext,
  COMMON_RULES,
  captureForClient,
  checkFormatOptions,
  checkOptions,
  clientGone,
  type Fault,
  FORMAT_RULES,
  isObjectLike,
  isThenable,
  type OptionRules,
  type RecordFaultOptions,
  recordFault,
  requestIdPolicy,
} from '@faultline/core/adapter';
import type { RawData, WebSocket } from 'ws';
import { socketGone } from './cancellation.js';
import { closeFrameFor } from './close-frame.js';
import { ConnectionIds, connectionRecord, peerOf } from './connection-id.js';
import { sourceContexts } from './contexts.js';
import { fatalByDefault } from './fatality.js';
import { messageInput } from './handshake.js';
import { parseJsonMessage } from './json-message.js';
import { listenerGuard, trusted } from './listener-guard.js';
import { pingFloodListener } from './ping-flood.js';
import { serverGuard } from './server-guard.js';
import { nothing, settleOnce } from './settle.js';
import { answerOnSocket } from './socket-answer.js';
import { guardStream } from './stream.js';
import type { ConnectionContext, JsonMessageHandler, MessageHandler, WsAdapter, WsAdapterOptions } from './types.js';
import { upgradeAnswers } from './upgrade.js';
import { wsClassifier } from './ws-classifier.js';

/** Options the adapter checks when it is created. */
const WS_RULES: OptionRules = {
  ...COMMON_RULES,
  format: FORMAT_RULES.format as OptionRules[string],
  defaultFormat: FORMAT_RULES.defaultFormat as OptionRules[string],
  isFatal: { kind: 'function' },
};

/**
 * How each accepted connection's faults are recorded (its connection id in the log record), by
 * socket. Only the record is kept: not the upgrade request, which would otherwise stay alive (and
 * survive every scavenge) for as long as the connection does.
 */
const connections = new WeakMap<WebSocket, RecordFaultOptions>();

/** The fault each socket error was recorded as (by its error), answered again if it is rethrown. */
const socketFaults = new WeakMap<object, Fault>();

/** What the reused failing-message holder points at between failures (no message kept alive). */
const EMPTY: RawData = Buffer.alloc(0);

type Writable<T> = { -readonly [K in keyof T]: T[K] };

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
  const contextFor = sourceContexts(classifiers);
  // Connection ids, resolved once for the 101 and the connection.
  const ids = new ConnectionIds(policy);

  // The message being answered, read by the reused message context's `input` (capture is
  // synchronous and keeps no reference to its context): no context object or closure per failure.
  let failing: { data: RawData; isBinary: boolean } | undefined;
  const messageContext: Writable<CaptureContext> = {
    classifiers,
    source: 'ws.message',
    input: () => (failing === undefined ? [] : messageInput(failing.data, failing.isBinary)),
  };
  const failingMessage: { data: RawData; isBinary: boolean } = { data: EMPTY, isBinary: false };

  /** Captures and records `thrown` for a connection (or none); a cancellation stands only when the client is `gone`. */
  function faultFor(thrown: unknown, gone: boolean, ctx: CaptureContext, record?: RecordFaultOptions): Fault {
    const fault = captureForClient(thrown, ctx, gone);
    recordFault(fault, record ?? plainRecord);
    return fault;
  }

  const socketContext = contextFor('ws.socket');
  /**
   * One 'error' listener for every socket (EventEmitter calls it with the socket as `this`): no
   * closure per connection. Without it, a protocol error from the peer crashes the process.
   */
  const onSocketError = trusted(function onSocketError(this: WebSocket, error: Error): void {
    // The socket's own error (a peer's protocol violation): recorded as classified, once (a
    // handler that rethrows it, a `for await` over `fl.stream`'s duplex, is answered with it).
    const fault = faultFor(error, true, socketContext, connections.get(this));
    if (isObjectLike(error)) socketFaults.set(error, fault);
  });
  /** One 'ping' listener for every socket: records a connection ws terminated for a ping flood. */
  const onSocketPing = trusted(
    pingFloodListener((socket, fault) => faultFor(fault, true, socketContext, connections.get(socket))),
  );

  /** Answers `fault` on `socket` (see `socket-answer.ts`); returns it. */
  const answer = (socket: WebSocket, fault: Fault): Fault => answerOnSocket(socket, fault, isFatal);

  function fail(socket: WebSocket, thrown: unknown, source: string): Fault {
    const known = isObjectLike(thrown) ? socketFaults.get(thrown) : undefined;
    if (known !== undefined) return answer(socket, known);
    return answer(socket, faultFor(thrown, socketGone(socket), contextFor(source), connections.get(socket)));
  }

  /** Answers what a connection handler or 'connection' listener threw or rejected with. */
  const failConnection = (socket: WebSocket, thrown: unknown): Fault => fail(socket, thrown, 'ws.connection');

  /**
   * Records a stream's failure and closes `socket` (while open) with its code and reason: a broken
   * stream ends the connection. Returns the fault's id.
   */
  function closeOnFault(socket: WebSocket, thrown: unknown): string {
    const open = socket.readyState === socket.OPEN;
    const fault = faultFor(thrown, !open, contextFor('ws.stream'), connections.get(socket));
    if (!open) return fault.id;
    const { code, reason } = closeFrameFor(fault);
    try {
      socket.close(code, reason);
    } catch {
      socket.terminate();
    }
    return fault.id;
  }

  /** Answers a message handler's failure; the message is the validation input, read only if needed. */
  function failMessage(socket: WebSocket, thrown: unknown, data: RawData, isBinary: boolean): Fault {
    if (failing !== undefined) {
      // Re-entered (a classifier failed another message synchronously): a context of its own.
      const ctx = { classifiers, source: 'ws.message', input: () => messageInput(data, isBinary) };
      return answer(socket, faultFor(thrown, socketGone(socket), ctx, connections.get(socket)));
    }
    failingMessage.data = data;
    failingMessage.isBinary = isBinary;
    failing = failingMessage;
    let fault: Fault;
    try {
      fault = faultFor(thrown, socketGone(socket), messageContext, connections.get(socket));
    } finally {
      failing = undefined;
      failingMessage.data = EMPTY;
    }
    return answer(socket, fault);
  }

  /**
   * A socket's 'message' listener calling `handler` with the message (`json`: parsed first, a
   * parse failure answered as the handler's throw): one closure per listener. For a thenable, a
   * promise that fulfils once it settled and its fault was answered (a span around it sees it).
   */
  function wrapMessage(
    socket: WebSocket,
    handler: MessageHandler | JsonMessageHandler,
    json: boolean,
  ): (data: RawData, isBinary: boolean) => Promise<void> | undefined {
    return trusted((data: RawData, isBinary: boolean) => {
      try {
        const result = json
          ? (handler as JsonMessageHandler)(parseJsonMessage(data))
          : (handler as MessageHandler)(data, isBinary);
        if (!isThenable(result)) return undefined;
        const answered = (error: unknown) => void failMessage(socket, error, data, isBinary);
        return settleOnce(result, nothing, answered) as Promise<void>;
      } catch (error) {
        failMessage(socket, error, data, isBinary);
        return undefined;
      }
    });
  }

  /** Guards the listeners the application adds to a socket itself: a throw is answered as a handler's. */
  const guardListeners = listenerGuard((socket, thrown) => fail(socket, thrown, 'ws.listener'));

  /**
   * Makes `socket` the adapter's, once (before any 'connection' listener under `fl.upgrade`, else
   * in `fl.connection`): its record under the connection id, its 'error' and 'ping' listeners and
   * its guarded `emit`. Returns the connection's id and refused id.
   */
  function adopt(socket: WebSocket, request: IncomingMessage): { id: string; rejected: string | undefined } {
    const resolved = ids.of(request);
    if (!guardListeners(socket)) return resolved;
    // Without a reporter every connection records the same way (span only): nothing to keep.
    if (reporter !== undefined) connections.set(socket, connectionRecord(reporter, resolved.id, resolved.rejected));
    socket.on('error', onSocketError);
    socket.on('ping', onSocketPing);
    return resolved;
  }

  const upgrades = upgradeAnswers(
    answerFormat,
    options,
    (thrown: unknown, request: IncomingMessage) =>
      faultFor(thrown, clientGone(request), {
        classifiers,
        source: 'ws.upgrade',
        requestId: request.headers['x-request-id'],
        requestIdPolicy: policy,
        peer: peerOf(request, policy),
      }),
    failConnection,
    (request) => ids.atHandshake(request),
    adopt,
  );
  /** Guards a server's 'connection' listeners: adopted sockets, throws and rejections answered. */
  const guardServer = serverGuard(adopt, failConnection);
  return {
    fail,
    rejectUpgrade: upgrades.rejectUpgrade,
    // Refused for a server that upgrades itself (a TypeError) before its listeners are guarded.
    upgrade(wss, check) {
      const listener = upgrades.upgrade(wss, check);
      guardServer(wss);
      return listener;
    },
    server: guardServer,
    // Malformed HTTP before any upgrade: answered as the refused upgrades are, recorded as HTTP.
    clientError: (error, socket) => answerClientError(error, socket, answerFormat, options, reporter),
    connection(handler) {
      return trusted((socket: WebSocket, request: IncomingMessage) => {
        const { id: connectionId, rejected } = adopt(socket, request);
        const context: ConnectionContext = { connectionId, request, refusedId: rejected };
        try {
          const result = handler(socket, context);
          if (isThenable(result)) settleOnce(result, undefined, (error) => failConnection(socket, error));
        } catch (error) {
          failConnection(socket, error);
        }
      });
    },
    json: (socket, handler) => wrapMessage(socket, handler, true),
    message: (socket, handler) => wrapMessage(socket, handler, false),
    stream: (socket, duplex) => guardStream(socket, duplex, closeOnFault),
  };
}
