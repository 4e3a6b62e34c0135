/**
 * `shutdownGracefully` and a client that stopped reading. A server-streaming handler wrote more
 * than the HTTP/2 flow-control window and ended its call: its OK status waits behind the messages
 * the client has not taken (trailers go after them), so no status, Faultline's included, can reach
 * that client, and the forced shutdown cuts the stream (RST_STREAM, no id). What the server can
 * still do is record the cut, as it records every call it answers at the deadline. Real grpc-js
 * server; a raw HTTP/2 client (grpc-js's client reads ahead into memory, so it never stops the
 * server) on 127.0.0.1.
 */
import { connect } from 'node:http2';
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import { Server, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { expect, it } from 'vitest';
import { inFlightCount } from '../src/in-flight.js';
import { addFaultlineService, shutdownGracefully } from '../src/index.js';
import { bindLoopback, method } from './fixtures.js';

const Service = { list: method('/unread.U/List', false, true) };
/** Messages the handler writes: about 1.3 MB, twenty times the client's 64 KiB window. */
const MESSAGES = 20;

it('a stream ended by its handler whose client does not read: cut at the forced shutdown, and recorded', async () => {
  const log = memoryLog();
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  const server = new Server();
  let ended: () => void = () => undefined;
  const handlerEnded = new Promise<void>((resolve) => {
    ended = resolve;
  });
  addFaultlineService(
    server,
    Service,
    {
      list(call: { write(message: unknown): boolean; end(): void }) {
        for (let i = 0; i < MESSAGES; i += 1) call.write({ i, pad: 'x'.repeat(64 * 1024) });
        call.end();
        ended();
      },
    } as unknown as UntypedServiceImplementation,
    { reporter },
  );
  const port = await bindLoopback(server);
  const session = connect(`http://127.0.0.1:${port}`);
  session.on('error', () => undefined);
  const request = Buffer.from('{}');
  const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, request.length]), request]);
  const stream = session.request({
    ':method': 'POST',
    ':path': '/unread.U/List',
    'content-type': 'application/grpc',
    te: 'trailers',
  });
  stream.on('error', () => undefined);
  let trailers: unknown;
  stream.on('trailers', (headers) => {
    trailers = headers;
  });
  stream.end(frame);
  // The client reads nothing: the server's window fills and the rest waits on the server.
  stream.pause();
  await handlerEnded;
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(inFlightCount(server)).toBe(1);

  const begun = Date.now();
  await shutdownGracefully(server, { timeoutMs: 100, graceMs: 100 });
  const elapsed = Date.now() - begun;
  expect(elapsed).toBeGreaterThanOrEqual(190);
  expect(elapsed).toBeLessThan(1000);
  await reporter.flush();
  const cut = log.records.filter((record) => record.source === 'grpc.shutdown');
  expect(cut).toHaveLength(1);
  expect(cut[0]).toMatchObject({ method: '/unread.U/List', code: 'UNAVAILABLE', category: 'unavailable' });
  expect(inFlightCount(server)).toBe(0);

  // What the client gets once it reads: part of the messages, then the reset; no status, no id.
  stream.resume();
  await new Promise<void>((resolve) => stream.on('close', () => resolve()));
  expect(trailers).toBeUndefined();
  session.destroy();
});
