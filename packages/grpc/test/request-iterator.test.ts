/**
 * `for await (const message of call)` and the Readable helpers (`toArray`) in client-streaming
 * and bidi handlers. Node's iterator destroys the stream when the loop ends, with an AbortError
 * when its writable side has not finished (a client-streaming call's never does, a bidi call's
 * not yet): the call's guard took that for the handler's failure, and every such call ended with
 * INTERNAL, recorded as AbortError, however the handler then answered. The loop now leaves the
 * stream as it is; an error thrown in the loop still fails the call. Real grpc-js server and
 * client on 127.0.0.1.
 */
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { Metadata, Server, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inFlightCount } from '../src/in-flight.js';
import { addFaultlineService } from '../src/index.js';
import { bindLoopback, loopbackClient, method } from './fixtures.js';
import { expectSanitized } from './sanitized.js';

const Service = {
  upload: method('/it.I/Upload', true, false),
  chat: method('/it.I/Chat', true, true),
};

type RequestStream = AsyncIterable<{ n: number }> & {
  metadata: Metadata;
  toArray(): Promise<{ n: number }[]>;
  write(message: unknown): boolean;
  end(): void;
};

/** The sum of the request messages' `n`, read the way the call's `x-how` names. */
async function sum(call: RequestStream): Promise<number> {
  const how = String(call.metadata.get('x-how')[0]);
  let total = 0;
  if (how === 'to-array') for (const { n } of await call.toArray()) total += n;
  else
    for await (const { n } of call) {
      if (how === 'throw') throw new Error('hunter2 in the loop');
      total += n;
      if (how === 'break' && total >= 1) break;
    }
  return total;
}

const log = memoryLog();
let server: Server;
let client: Record<string, (...args: unknown[]) => unknown> & { close(): void };

beforeAll(async () => {
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server();
  addFaultlineService(
    server,
    Service,
    {
      async upload(call: RequestStream, callback: (error: unknown, value?: unknown) => void) {
        callback(null, { total: await sum(call) });
      },
      async chat(call: RequestStream) {
        call.write({ total: await sum(call) });
        call.end();
      },
    } as unknown as UntypedServiceImplementation,
    { reporter },
  );
  client = loopbackClient(Service, 'I', await bindLoopback(server));
});
afterAll(() => {
  client.close();
  server.forceShutdown();
});

type Outcome = { error: ServiceError | undefined; messages: unknown[] };

/** One call of `kind` sending `{ n: 1 }` and `{ n: 2 }`, read as `how` says. */
function call(kind: 'upload' | 'chat', how: string): Promise<Outcome> {
  const metadata = new Metadata();
  metadata.set('x-how', how);
  const options = { deadline: Date.now() + 3000 };
  return new Promise((resolve) => {
    type Stream = { write(m: unknown): void; end(): void; on(e: string, f: (v: never) => void): void };
    let stream: Stream;
    if (kind === 'upload') {
      stream = client.upload?.(metadata, options, (error: ServiceError | null, value: unknown) =>
        resolve({ error: error ?? undefined, messages: value === undefined ? [] : [value] }),
      ) as Stream;
    } else {
      const messages: unknown[] = [];
      stream = client.chat?.(metadata, options) as Stream;
      stream.on('data', (message: unknown) => messages.push(message));
      stream.on('error', (error: ServiceError) => resolve({ error, messages }));
      stream.on('end', () => resolve({ error: undefined, messages }));
    }
    stream.write({ n: 1 });
    stream.write({ n: 2 });
    stream.end();
  });
}

describe.each(['upload', 'chat'] as const)('%s', (kind) => {
  it.each([
    ['for-await', 3],
    ['to-array', 3],
    ['break', 1],
  ])('%s: the handler answers as it means to', async (how, total) => {
    expect(await call(kind, how)).toEqual({ error: undefined, messages: [{ total }] });
    expect(inFlightCount(server)).toBe(0);
  });

  it('a throw in the loop still fails the call, recorded', async () => {
    const { error } = await call(kind, 'throw');
    const id = expectSanitized(error, 'internal', ['hunter2']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log.records.find((record) => record.request_id === id)).toMatchObject({ error_type: 'Error' });
  });
});
