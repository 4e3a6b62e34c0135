/**
 * The ws adapter: wrapped connection and message handlers (a throw never kills the process),
 * JSON error frames for recoverable faults, close frames for fatal ones, an 'error' listener on
 * every socket, and upgrade rejection answered as an HTTP error (see `upgrade.ts`).
 */
import type { IncomingMessage } from 'node:http';
import {
  adapterReporter,
  type CaptureContext,
  type Category,
  COMMON_RULES,
  capture,
  checkFormatOptions,
  checkOptions,
  type Fault,
  FORMAT_RULES,
  type OptionRules,
  type RecordFaultOptions,
  type Reporter,
  recordFault,
  renderEnvelope,
  requestIdPolicy,
  resolveCorrelationId,
} from '@faultline/core/adapter';
import type { RawData, WebSocket } from 'ws';
import { closeFrameFor } from './close-frame.js';
import { messageInput } from './handshake.js';
import { parseJsonMessage } from './json-message.js';
import type { ConnectionContext, MessageHandler, WsAdapter, WsAdapterOptions } from './types.js';
import { isThenable, upgradeAnswers } from './upgrade.js';
import { wsClassifier } from './ws-classifier.js';

export type {
  ConnectionContext,
  ConnectionHandler,
  JsonMessageHandler,
  MessageHandler,
  UpgradeCheck,
  WsAdapter,
  WsAdapterOptions,
} from './types.js';

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

/** Options the adapter checks when it is created. */
const WS_RULES: OptionRules = {
  ...COMMON_RULES,
  format: FORMAT_RULES.format as OptionRules[string],
  defaultFormat: FORMAT_RULES.defaultFormat as OptionRules[string],
  isFatal: { kind: 'function' },
};

/** A connection the adapter accepted: its context and how its faults are recorded (built once). */
interface Connection {
  readonly context: ConnectionContext;
  readonly record: RecordFaultOptions;
}

const connections = new WeakMap<WebSocket, Connection>();

/** What the reused failing-message holder points at between failures (no message kept alive). */
const EMPTY: RawData = Buffer.alloc(0);

/** How a connection's faults are recorded: linked to the connection's id in the log record. */
function connectionRecord(reporter: Reporter | undefined, context: ConnectionContext): RecordFaultOptions {
  if (reporter === undefined) return { protocol: 'ws', reporter };
  return {
    protocol: 'ws',
    reporter,
    attributes:
      context.refusedId === undefined
        ? { connection_id: context.connectionId }
        : { connection_id: context.connectionId, rejected_connection_id: context.refusedId },
  };
}

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
  const contextsBySource = new Map<string, CaptureContext>();

  // The message being answered, read by the reused message context's `input` (capture is
  // synchronous and keeps no reference to its context): no context object or closure per failure.
  let failing: { data: RawData; isBinary: boolean } | undefined;
  const messageContext: Writable<CaptureContext> = {
    classifiers,
    source: 'ws.message',
    input: () => (failing === undefined ? [] : messageInput(failing.data, failing.isBinary)),
  };
  const failingMessage: { data: RawData; isBinary: boolean } = { data: EMPTY, isBinary: false };

  function contextFor(source: string): CaptureContext {
    let ctx = contextsBySource.get(source);
    if (ctx === undefined) {
      ctx = { classifiers, source };
      contextsBySource.set(source, ctx);
    }
    return ctx;
  }

  /** Captures and records `thrown` for a connection (or none). */
  function faultFor(thrown: unknown, connection: Connection | undefined, ctx: CaptureContext): Fault {
    const fault = capture(thrown, ctx);
    recordFault(fault, connection === undefined ? plainRecord : connection.record);
    return fault;
  }

  function answer(socket: WebSocket, fault: Fault): Fault {
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

  function fail(socket: WebSocket, thrown: unknown, source: string): Fault {
    return answer(socket, faultFor(thrown, connections.get(socket), contextFor(source)));
  }

  /** Answers a message handler's failure; the message is the validation input, read only if needed. */
  function failMessage(socket: WebSocket, thrown: unknown, data: RawData, isBinary: boolean): Fault {
    if (failing !== undefined) {
      // Re-entered (a classifier failed another message synchronously): a context of its own.
      const ctx = { classifiers, source: 'ws.message', input: () => messageInput(data, isBinary) };
      return answer(socket, faultFor(thrown, connections.get(socket), ctx));
    }
    failingMessage.data = data;
    failingMessage.isBinary = isBinary;
    failing = failingMessage;
    let fault: Fault;
    try {
      fault = faultFor(thrown, connections.get(socket), messageContext);
    } finally {
      failing = undefined;
      failingMessage.data = EMPTY;
    }
    return answer(socket, fault);
  }

  function wrapMessage(socket: WebSocket, handler: MessageHandler): (data: RawData, isBinary: boolean) => void {
    return (data, isBinary) => {
      try {
        const result = handler(data, isBinary);
        if (isThenable(result)) result.then(undefined, (error: unknown) => failMessage(socket, error, data, isBinary));
      } catch (error) {
        failMessage(socket, error, data, isBinary);
      }
    };
  }

  const upgrades = upgradeAnswers(answerFormat, options, (thrown: unknown, request: IncomingMessage) =>
    faultFor(thrown, undefined, {
      classifiers,
      source: 'ws.upgrade',
      requestId: request.headers['x-request-id'],
      requestIdPolicy: policy,
      peer: request.socket?.remoteAddress,
    }),
  );

  return {
    fail,
    rejectUpgrade: upgrades.rejectUpgrade,
    upgrade: upgrades.upgrade,
    connection(handler) {
      return (socket, request) => {
        const { id: connectionId, rejected } = resolveCorrelationId(
          request.headers['x-request-id'],
          policy,
          request.socket?.remoteAddress,
        );
        const context: ConnectionContext = { connectionId, request, refusedId: rejected };
        const connection: Connection = { context, record: connectionRecord(reporter, context) };
        connections.set(socket, connection);
        // Without an 'error' listener, a protocol error from the peer crashes the process.
        socket.on('error', (error: Error) => {
          faultFor(error, connection, contextFor('ws.socket'));
        });
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
  };
}
