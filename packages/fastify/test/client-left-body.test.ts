/**
 * A client that leaves while its request body is read (client-aborted.ts). Over HTTP/1.1 Node's
 * `Error('aborted')` (`ECONNRESET`) reached the error handler and was recorded as a 502
 * `BAD_GATEWAY` at error level (core reads the code as an upstream's), and Node's parser error for
 * the same departure (`HPE_INVALID_EOF_STATE`, 'clientError') was recorded a second time as the
 * client's invalid request (400). Over HTTP/2 a stream reset mid-body was recorded as a 400. Each
 * departure is now one record: the client's cancellation (499). Real servers on 127.0.0.1, raw
 * sockets and a node:http2 session.
 */
import { constants, connect as http2Connect } from 'node:http2';
import { connect } from 'node:net';
import { createReporter, type Reporter } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';

interface Running {
  readonly app: FastifyInstance;
  readonly reporter: Reporter;
  readonly records: Record<string, unknown>[];
  readonly port: number;
  /** Requests that reached Fastify (an onRequest hook counts them). */
  readonly arrived: () => number;
}

let running: Running | undefined;
afterEach(async () => {
  await running?.app.close();
  running = undefined;
});

async function start(http2: boolean): Promise<Running> {
  const log = memoryLog();
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  // One type for both servers: the test only registers routes and hooks.
  const options = http2 ? ({ ...faultlineServerOptions(), http2: true } as object) : faultlineServerOptions();
  const app = Fastify(options) as unknown as FastifyInstance;
  await app.register(faultline, { reporter });
  let arrived = 0;
  app.addHook('onRequest', async () => {
    arrived += 1;
  });
  app.post('/upload', async () => ({ ok: true }));
  app.get('/upstream-reset', async () => {
    throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  running = { app, reporter, records: log.records, port, arrived: () => arrived };
  return running;
}

/** POST head with `Expect: 100-continue`; on `100 Continue` (the request is in Fastify) part of the body, then leave. */
function leaveMidBody(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n',
      ),
    );
    socket.once('data', () => {
      socket.write('{"order":');
      setImmediate(() => socket.end());
    });
    socket.on('data', () => {});
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

const faults = (records: Record<string, unknown>[]) =>
  records.filter((r) => r.code !== undefined).map((r) => [r.code, r.status, r.reason]);

describe('a client leaving while its body is read', () => {
  it('HTTP/1.1, 20 times: one record each, its cancellation (499); the server serves on', async () => {
    const { port, records, reporter } = await start(false);
    for (let i = 0; i < 20; i++) await leaveMidBody(port);
    await until(() => records.length >= 20, 5000);
    await reporter.flush();
    expect(faults(records)).toEqual(Array(20).fill(['CANCELLED', 499, 'fastify:body-aborted:client-gone']));
    expect(reporter.stats.reported).toBe(20);
    const res = await fetch(`http://127.0.0.1:${port}/upload`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
  });

  it('an ECONNRESET thrown while the client is connected keeps its meaning (502)', async () => {
    const { port, records, reporter } = await start(false);
    const res = await fetch(`http://127.0.0.1:${port}/upstream-reset`);
    expect(res.status).toBe(502);
    await reporter.flush();
    expect(faults(records)).toEqual([['BAD_GATEWAY', 502, 'net:ECONNRESET']]);
  });

  it('HTTP/2, a stream reset mid-body: its cancellation (499), not its invalid request', async () => {
    const { port, records, reporter, arrived } = await start(true);
    const session = http2Connect(`http://127.0.0.1:${port}`);
    session.on('error', () => {});
    try {
      for (let i = 0; i < 5; i++) {
        const stream = session.request({
          ':method': 'POST',
          ':path': '/upload',
          'content-type': 'application/json',
          'content-length': '100',
        });
        stream.on('error', () => {});
        stream.write('{"order":');
        await until(() => arrived() > i, 5000);
        stream.close(constants.NGHTTP2_CANCEL);
      }
      await until(() => records.length >= 5, 5000);
      await reporter.flush();
      expect(faults(records)).toEqual(Array(5).fill(['CANCELLED', 499, 'fastify:body-aborted:client-gone']));
    } finally {
      session.destroy();
    }
  });
});
