/**
 * One gRPC call with raw bytes (so undecodable and JSON bodies go out as written), unary or
 * server-streaming, through one grpc-js client per run. Every call has a deadline and is cancelled
 * when the run's signal aborts; what came back becomes an {@link Answer} (status = gRPC code).
 */
import { Client, credentials, type Metadata, type ServiceError, status as Status } from '@grpc/grpc-js';
import type { Answer } from '../answer.js';
import type { Outcome } from '../budget.js';

const same = (b: Buffer) => b;

/** A grpc-js client for `address` that sends any method with raw bytes. */
export function rawClient(address: string, tls: boolean): Client {
  const creds = tls
    ? credentials.createSsl(null, null, null, { checkServerIdentity: () => undefined })
    : credentials.createInsecure();
  return new Client(address, creds, { ...CHANNEL_OPTIONS, 'grpc.max_send_message_length': -1 });
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

function fromError(error: ServiceError, aborted: boolean): CallResult {
  if (aborted) return { outcome: 'aborted' };
  if (error.code === Status.DEADLINE_EXCEEDED && /Deadline exceeded/i.test(error.details))
    return { outcome: 'timeout' };
  if (
    error.code === Status.UNAVAILABLE &&
    /ECONNREFUSED|No connection established|Connection dropped/i.test(error.details)
  )
    return { outcome: 'refused' };
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(error.metadata?.getMap() ?? {}))
    headers[key] = Buffer.isBuffer(value) ? value.toString('latin1') : String(value);
  return { outcome: 'answered', answer: { status: error.code, headers, body: `${error.details}\n${error.message}` } };
}

/** Options of one call. */
export interface CallOptions {
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Server-streaming (e.g. Health/Watch): the first message or the status is the answer. */
  readonly streaming?: boolean;
}

/** Calls `path` with `body`; resolves how it ended and what came back. */
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
    const callOptions = { deadline: Date.now() + options.timeoutMs };
    const finish = (result: CallResult) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      handle.cancel();
      resolve(result);
    };
    const onAbort = () => finish({ outcome: 'aborted' });
    const handle = options.streaming
      ? client.makeServerStreamRequest(path, same, same, body, metadata, callOptions)
      : client.makeUnaryRequest(path, same, same, body, metadata, callOptions, (error, value) => {
          if (error !== null) finish(fromError(error, options.signal.aborted));
          else
            finish({
              outcome: 'answered',
              answer: { status: 0, headers: {}, body: (value ?? Buffer.alloc(0)).toString('latin1') },
            });
        });
    if (options.streaming) {
      const stream = handle as ReturnType<Client['makeServerStreamRequest']>;
      // A Watch that answers streams on: its first message is the answer.
      stream.on('data', (value: Buffer) =>
        finish({ outcome: 'answered', answer: { status: 0, headers: {}, body: value.toString('latin1') } }),
      );
      stream.on('error', (error: ServiceError) => finish(fromError(error, options.signal.aborted)));
      stream.on('end', () => finish({ outcome: 'answered', answer: { status: 0, headers: {}, body: '' } }));
    }
    options.signal.addEventListener('abort', onAbort, { once: true });
  });
}
