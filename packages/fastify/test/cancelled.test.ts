/**
 * `cancelled` (499) is the client's word only when the client went away. A reply stream the
 * server destroys, or an AbortError from work the server aborted itself, while the client is
 * still waiting, is a server fault: 500 INTERNAL, recorded at error level. Real sockets
 * (127.0.0.1, node:http client).
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createReporter, FaultError, type Reporter } from '@faultline/core';
import { memoryLog, recordFor } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type RawServerDefault } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { get } from './stream-helpers.js';

let PORT = 0;
const ERROR_LEVEL = 50;

describe('cancelled only when the client went away', () => {
  let app: FastifyInstance;
  let reporter: Reporter;
  let records: Record<string, unknown>[];
  let gone: (id: string) => void = () => {};

  beforeAll(async () => {
    const log = memoryLog();
    records = log.records;
    reporter = createReporter({ logger: log.logger, flushOnExit: false });
    app = Fastify(faultlineServerOptions<RawServerDefault>());
    await app.register(faultline, { reporter });
    for (const [path, value] of [
      ['/destroyed', undefined],
      ['/destroyed-null', null],
      ['/destroyed-false', false],
    ] as const) {
      app.get(path, async (_request, reply) =>
        reply.type('text/plain').send(
          new Readable({
            read() {
              this.destroy(value as unknown as Error);
            },
          }),
        ),
      );
    }
    app.get('/abort-error', async () => {
      throw AbortSignal.abort().reason;
    });
    app.get('/wrapped-abort', async () => {
      throw new Error('upstream call aborted', { cause: AbortSignal.abort().reason });
    });
    app.get('/fault-cancelled', async () => {
      throw FaultError.of('cancelled');
    });
    app.get('/client-leaves', async (request) => {
      await new Promise((resolve) => request.raw.socket.once('close', resolve));
      gone(request.id);
      throw AbortSignal.abort().reason;
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    PORT = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
  });

  it.each(['/destroyed', '/destroyed-null', '/destroyed-false', '/abort-error', '/wrapped-abort'])(
    '%s with the client connected: 500 INTERNAL, recorded at error level',
    async (path) => {
      const res = await get(PORT, path);
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'INTERNAL', request_id: res.sentId });
      await reporter.flush();
      const record = recordFor(records, res.sentId);
      expect(record).toMatchObject({ code: 'INTERNAL', status: 500, level: ERROR_LEVEL });
      // A full record (not a repeat line) says why: the cancellation was not the client's.
      if (record?.reason !== undefined) expect(String(record.reason)).toMatch(/client-connected$/);
    },
  );

  it("an application's own FaultError 'cancelled' keeps its 499", async () => {
    const res = await get(PORT, '/fault-cancelled');
    expect(res.status).toBe(499);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'CANCELLED', request_id: res.sentId });
  });

  it('an AbortError once the client has gone stays CANCELLED', async () => {
    const left = new Promise<string>((resolve) => {
      gone = resolve;
    });
    const req = httpRequest({ host: '127.0.0.1', port: PORT, path: '/client-leaves' });
    req.on('error', () => {});
    req.end();
    setTimeout(() => req.destroy(), 50);
    const id = await left;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await reporter.flush();
    expect(recordFor(records, id)).toMatchObject({ code: 'CANCELLED', status: 499 });
  });
});
