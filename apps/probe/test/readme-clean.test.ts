/**
 * False positives: a Faultline service set up exactly as the README shows gets a clean verdict,
 * given only its base URL (every probe, OPTIONS and HEAD included, answered; nothing found).
 */
import { defineCatalog } from '@faultline/core';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe, toTable } from '../src/index.js';
import { parseTarget } from '../src/target.js';

/** The README's Fastify example on an ephemeral port (and a second not-found error, worded longer). */
async function readmeApp() {
  const errors = defineCatalog({
    ORDER_NOT_FOUND: {
      category: 'not_found',
      message: 'The order does not exist.',
      type: 'https://docs.example.com/errors/order-not-found',
    },
    CUSTOMER_NOT_FOUND: {
      category: 'not_found',
      message: 'No customer with this id exists in this account.',
      type: 'https://docs.example.com/errors/customer-not-found',
    },
  });
  const app = Fastify(faultlineServerOptions());
  // As the README shows; `reporter: false` only keeps the faults out of the test output.
  await app.register(faultline, { reporter: false });
  app.get('/orders/:id', async () => {
    throw errors.ORDER_NOT_FOUND();
  });
  app.get('/customers/:id', async () => {
    throw errors.CUSTOMER_NOT_FOUND();
  });
  app.get('/orders', async () => {
    throw new Error('query failed on postgres://orders:hunter2@10.0.4.12:5432/shop');
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}

describe("the README's Fastify service", () => {
  let app: Awaited<ReturnType<typeof readmeApp>>;
  beforeAll(async () => {
    app = await readmeApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('gets a clean verdict', async () => {
    const port = (app.server.address() as { port: number }).port;
    const result = await runProbe(parseTarget(`http://127.0.0.1:${port}`, false), { timeoutMs: 40_000 });
    expect(result.findings).toEqual([]);
    expect(result.verdict).toBe('clean');
  });

  it('stays clean when its only notes are info (two 404 errors of different lengths)', async () => {
    const port = (app.server.address() as { port: number }).port;
    const result = await runProbe(parseTarget(`http://127.0.0.1:${port}`, false), {
      timeoutMs: 40_000,
      noDiscovery: true,
      paths: ['/orders/1', '/customers/1'],
    });
    // The note is still listed: only the verdict says it is nothing to act on.
    expect(result.findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['info oracle/length-varies']);
    expect(result.verdict).toBe('clean');
    expect(toTable(result)).toMatch(/1 info; verdict: clean$/m);
  });
});
