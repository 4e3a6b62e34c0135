import type { AddressInfo } from 'node:net';
/**
 * Reply streams that fail, over real sockets (127.0.0.1, node:http client): before the headers
 * left they are answered (once) by Faultline's error handler; after, the response is cut and the
 * fault is recorded, redacted, under the request's id, and Fastify's own log line never carries
 * the thrown value. Every value a stream may fail with is tried, hostile ones included.
 */
import { createReporter, type Reporter } from '@faultline/core';
import { memoryLog, recordFor } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type RawServerDefault } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { addStreamRoutes, expectNoStreamSecrets, get, HOSTILE, secretError } from './stream-helpers.js';

/** How many records carry `id` (as their own id, or listed in a repeat line). */
function carrying(records: readonly Record<string, unknown>[], id: string): number {
  return records.filter((r) => r.request_id === id || (Array.isArray(r.request_ids) && r.request_ids.includes(id)))
    .length;
}

const CASES = HOSTILE.map(([label], n) => [label, n] as const);

describe('reply stream failures, recorded by a reporter (IP redaction on)', () => {
  let PORT = 0;
  let app: FastifyInstance;
  let reporter: Reporter;
  let records: Record<string, unknown>[];

  beforeAll(async () => {
    const log = memoryLog();
    records = log.records;
    reporter = createReporter({ logger: log.logger, flushOnExit: false, redaction: { ips: true } });
    app = Fastify(faultlineServerOptions<RawServerDefault>());
    await app.register(faultline, { reporter });
    addStreamRoutes(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    PORT = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
  });

  const AFTER = ['after', 'web-after', 'response-after'].flatMap((kind) =>
    CASES.map(([label, n]) => [kind, label, n] as const),
  );
  it.each(AFTER)(
    '/%s, failing with %s after the headers left: response cut, fault recorded under its id',
    async (kind, _l, n) => {
      const res = await get(PORT, `/${kind}/${n}`);
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toBe(res.sentId);
      expect(res.body).toBe('partial\n');
      expect(res.aborted).toBe(true);
      await reporter.flush();
      const record = recordFor(records, res.sentId);
      expect(record).toMatchObject({ code: 'INTERNAL', status: 500, route: `/${kind}/:n` });
      expectNoStreamSecrets(JSON.stringify(records));
    },
  );

  const BEFORE = ['before', 'response-before'].flatMap((kind) => CASES.map(([label, n]) => [kind, label, n] as const));
  it.each(BEFORE)('/%s, failing with %s before the headers left: one 500 answer, one record', async (kind, _l, n) => {
    const res = await get(PORT, `/${kind}/${n}`);
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'INTERNAL', request_id: res.sentId });
    expectNoStreamSecrets(res.body);
    await reporter.flush();
    expect(recordFor(records, res.sentId)).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(carrying(records, res.sentId)).toBe(1);
    expectNoStreamSecrets(JSON.stringify(records));
  });
});

describe("logger: true and the default reporter (the server's logger)", () => {
  let PORT = 0;
  const lines: Record<string, unknown>[] = [];
  let app: FastifyInstance;
  const views: { kind: string; id: string }[] = [];

  beforeAll(async () => {
    const stream = { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) };
    app = Fastify({ ...faultlineServerOptions<RawServerDefault>(), logger: { level: 'info', stream } });
    await app.register(faultline);
    addStreamRoutes(app);
    app.get('/route', async () => {
      throw secretError();
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    PORT = (app.server.address() as AddressInfo).port;
    for (const [, n] of CASES) {
      for (const kind of ['after', 'web-after', 'response-after', 'before']) {
        const res = await get(PORT, `/${kind}/${n}`);
        expect(res.aborted).toBe(kind !== 'before');
        views.push({ kind, id: res.sentId });
      }
    }
    await get(PORT, '/route');
    await app.close(); // flushes and closes the reporter the plugin made
  });

  it('records every failure under its request id', () => {
    const faultRecords = lines.filter((l) => 'fingerprint' in l);
    for (const { id } of views) expect(recordFor(faultRecords, id)).toMatchObject({ code: 'INTERNAL' });
  });

  it("Fastify's own line for a stream cut after the headers carries a safe error, not the thrown value", () => {
    const cut = lines.filter((l) => l.msg === 'response terminated with an error with headers already sent');
    expect(cut).toHaveLength(3 * CASES.length);
    for (const line of cut) {
      const err = line.err as Record<string, unknown>;
      expect(err.code).toBe('FAULTLINE_REPLY_STREAM_FAILED');
      expect(err.request_id).toBe(line.request_id);
      expect(String(err.stack)).not.toMatch(/\n\s+at /);
    }
  });

  it('no log line carries the password; only redacted fault records show the IP (ips: false is the default)', () => {
    expect(lines.length).toBeGreaterThan(views.length);
    expectNoStreamSecrets(JSON.stringify(lines.filter((l) => !('fingerprint' in l))));
    expect(JSON.stringify(lines)).not.toContain('hunter2pw');
  });
});
