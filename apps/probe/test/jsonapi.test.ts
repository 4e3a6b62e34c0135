/**
 * The probe against a real JSON:API service (Fastify + Faultline, `format: 'jsonapi'`, and
 * `negotiate`): `application/vnd.api+json` is a proper error media type, so the probe reports
 * nothing about content types, and the answers leak nothing it can find.
 */
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';

describe.each(['jsonapi', 'negotiate'] as const)("a Faultline service with format '%s'", (format) => {
  let app: FastifyInstance;
  let url = '';
  beforeAll(async () => {
    app = Fastify({ ...faultlineServerOptions(), logger: false }) as unknown as FastifyInstance;
    await app.register(faultline, { format, reporter: false });
    app.get('/api/orders/:id', async () => {
      throw new Error('SELECT * FROM orders WHERE id = 1 -- at /srv/app/db.js:12');
    });
    app.post('/api/orders', { schema: { body: { type: 'object', required: ['sku'] } } }, async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app.close();
  });

  it('finds no content-type problem and no leak', async () => {
    const result = await runProbe(parseTarget(url, false), { timeoutMs: 20_000 });
    const rules = result.findings.map((f) => f.rule);
    expect(rules.filter((r) => r.startsWith('headers/content-type'))).toEqual([]);
    expect(rules.filter((r) => r.startsWith('leak/'))).toEqual([]);
  });
});
