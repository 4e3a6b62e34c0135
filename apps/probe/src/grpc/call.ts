/**
 * One gRPC call with raw bytes (so undecodable and JSON bodies go out as written), unary or
 * server-streaming, through one grpc-js client per run. Every call has a deadline and is cancelled
 * when the run's signal aborts; what came back becomes an {@link Answer} (status = gRPC code): the
 * details or message, and every metadata field, initial and trailing, of a failure or a success.
 */
import {
  type ChannelCredentials,
  Client,
  credentials,
  type Metadata,
  type ServiceError,
  status as Status,
  type StatusObject,
} from '@grpc/grpc-js';
import type { Answer } from '../answer.js';
import type { Outcome } from '../budget.js';
import { bytesText } from '../bytes-text.js';
import { addField } from '../http/fields.js';
import { statusDetailsText } from './status-details.js';

const same = (b: Buffer) => b;

/**
 * The channel credentials of every probe client: cleartext, or TLS that accepts any certificate
 * (self-signed, a private CA's, another name's), as the probe's HTTP and WebSocket clients do: it
 * checks what a server answers, not who the server is, and a gateway's test certificate is common.
 */
export function probeCredentials(tls: boolean): ChannelCredentials {
  return tls
    ? credentials.createSsl(null, null, null, { checkServerIdentity: () => undefined, rejectUnauthorized: false })
    : credentials.createInsecure();
}

/** A grpc-js client for `address` that sends any method with raw bytes. */
export function rawClient(address: string, tls: boolean): Client {
  return new Client(address, probeCredentials(tls), { ...CHANNEL_OPTIONS, 'grpc.max_send_message_length': -1 });
}

/**
 * Channel options of every probe client: bounded answers, and a subchannel pool of the channel's
 * own, so that closing the client closes its connection at once (the global pool keeps it).
 */
export const CHANNEL_OPTIONS = {
  'grpc.use_local_subchannel_pool': 1,
  'grpc.max_receive_message_length': 1024 * 1024,
  'grpc.max_metadata_size': 64 * 1024,
} as const;

/** The outcome of one call. */
export interface CallResult {
  readonly outcome: Outcome;
  readonly answer?: Answer;
}

/**
 * A binary (`-bin`) metadata value as text: its text when it holds one (UTF-8, UTF-16, gzipped: a
 * .NET service's `Encoding.Unicode` bytes), else its bytes one character each.
 */
function binaryText(value: Buffer): string {
  return bytesText(value, CHANNEL_OPTIONS['grpc.max_metadata_size'] * 16) ?? value.toString('latin1');
}

/** Adds every value of every key of `metadata` to `into` (binary values as text, the rich status decoded). */
function addMetadata(into: Record<string, string>, metadata: Metadata | undefined): void {
  for (const [key, values] of Object.entries(metadata?.toJSON() ?? {}))
    for (const value of values)
      addField(
        into,
        key,
        !Buffer.isBuffer(value)
          ? String(value)
          : key === 'grpc-status-details-bin'
            ? statusDetailsText(value)
            : binaryText(value),
      );
}

/** The call's own deadline passed (grpc-js's local status, not a server's DEADLINE_EXCEEDED answer). */
function ownDeadline(error: ServiceError): boolean {
  return error.code === Status.DEADLINE_EXCEEDED && /Deadline exceeded/i.test(error.details);
}

/**
 * The result of a call that ended with `error`: not answered (aborted, timed out, refused), or
 * answered with its code, its details and every metadata field (`headers`: the initial metadata
 * already read; the trailers are added).
 */
function fromError(error: ServiceError, aborted: boolean, headers: Record<string, string>, before = ''): CallResult {
  if (aborted) return { outcome: 'aborted' };
  if (ownDeadline(error)) return { outcome: 'timeout' };
  if (
    error.code === Status.UNAVAILABLE &&
    /ECONNREFUSED|No connection established|Connection dropped/i.test(error.details)
  )
    return { outcome: 'refused' };
  addMetadata(headers, error.metadata);
  return {
    outcome: 'answered',
    answer: { status: error.code, headers, body: `${before}${error.details}\n${error.message}` },
  };
}

/** Options of one call. */
export interface CallOptions {
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /**
   * Server-streaming: every message and the status, read until the stream ends or its deadline
   * (`timeoutMs`) comes; a stream still open then is answered with the messages it sent (a failure
   * that comes seconds after a first message is read, and a subscription is not a timeout).
   */
  readonly streaming?: boolean;
  /**
   * Only the messages of a stream's first moment (300 ms after the first) are read: for a stream
   * known never to end by itself, such as the standard health service's Watch.
   */
  readonly firstMoment?: boolean;
  /** Called once, when a stream's first message has come: the server answers, the rest is listening. */
  readonly onAnswering?: () => void;
}

/** How long a first-moment stream is read after its first message, and how much of any stream is kept. */
const STREAM = { quietMs: 300, messages: 64, bytes: 1024 * 1024 } as const;

/**
 * Calls `path` with `body`; resolves how it ended and what came back: the status, the details, the
 * message (or a stream's first messages), and the initial metadata and trailers of a failed call
 * and of a successful one alike.
 */
export function call(
  client: Client,
  path: string,
  body: Buffer,
  metadata: Metadata,
  options: CallOptions,
): Promise<CallResult> {
  return new Promise((resolve) => {
    if (options.signal.aborted) {
      resolve({ outcome: 'aborted' });
      return;
    }
    let settled = false;
    const headers: Record<string, string> = {};
    const callOptions = { deadline: Date.now() + options.timeoutMs };
    let quiet: NodeJS.Timeout | undefined;
    const finish = (result: CallResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(quiet);
      options.signal.removeEventListener('abort', onAbort);
      handle.cancel();
      resolve(result);
    };
    const onAbort = () => finish({ outcome: 'aborted' });
    const ok = (text: string, trailers?: Metadata) => {
      addMetadata(headers, trailers);
      return { outcome: 'answered' as const, answer: { status: 0, headers, body: text } };
    };
    /** A unary call's outcome, settled with its status (which brings the trailers of a success). */
    let unary: { error: ServiceError | null; value: Buffer | undefined } | undefined;
    const handle = options.streaming
      ? client.makeServerStreamRequest(path, same, same, body, metadata, callOptions)
      : client.makeUnaryRequest(path, same, same, body, metadata, callOptions, (error, value) => {
          unary = { error, value };
          // The status follows at once; should it not, the outcome is enough.
          setImmediate(() => settleUnary(undefined));
        });
    const settleUnary = (trailers: Metadata | undefined) => {
      if (unary === undefined) return;
      if (unary.error !== null) finish(fromError(unary.error, options.signal.aborted, headers));
      else finish(ok((unary.value ?? Buffer.alloc(0)).toString('latin1'), trailers));
    };
    handle.on('metadata', (initial: Metadata) => addMetadata(headers, initial));
    if (!options.streaming) handle.on('status', (status: StatusObject) => settleUnary(status.metadata));
    else {
      const stream = handle as ReturnType<Client['makeServerStreamRequest']>;
      // A stream is read to its end or deadline (a first-moment one: 300 ms after its first message).
      const messages: string[] = [];
      let kept = 0;
      const text = () => messages.map((m) => `${m}\n`).join('');
      stream.on('data', (value: Buffer) => {
        if (messages.length === 0) options.onAnswering?.();
        if (messages.length < STREAM.messages && kept < STREAM.bytes) {
          messages.push(value.subarray(0, STREAM.bytes - kept).toString('latin1'));
          kept += value.length;
        }
        if (options.firstMoment === true) quiet ??= setTimeout(() => finish(ok(text())), STREAM.quietMs);
      });
      stream.on('error', (error: ServiceError) =>
        // A stream that answered and was still open at its deadline: what it sent is the answer.
        finish(
          messages.length > 0 && !options.signal.aborted && ownDeadline(error)
            ? ok(text())
            : fromError(error, options.signal.aborted, headers, text()),
        ),
      );
      stream.on('status', (status: StatusObject) => {
        if (status.code === Status.OK) finish(ok(text(), status.metadata));
      });
    }
    options.signal.addEventListener('abort', onAbort, { once: true });
  });
}
