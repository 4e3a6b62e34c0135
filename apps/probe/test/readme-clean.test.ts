/**
 * False positives: a Faultline service set up exactly as the README shows gets a clean verdict
 * (every probe, OPTIONS and HEAD included, answered; nothing found), and given only its base URL,
 * which reaches none of its routes, nothing is found either (the verdict says it is uncovered).
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

  it('gets a clean verdict once its routes are reached; given only its base URL, nothing found but uncovered', async () => {
    const port = (app.server.address() as { port: number }).port;
    const target = parseTarget(`http://127.0.0.1:${port}`, false);
    const result = await runProbe(target, { timeoutMs: 40_000, paths: ['/orders'] });
    // Only the info note of the test below (its two 404s differ in length, under /orders/…).
    expect(result.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(result.coverage.reached).toContain('GET /orders');
    expect(result.verdict).toBe('clean');
    // Its routes are in no document, link or common path: the base URL alone reaches only its 404s.
    const bare = await runProbe(target, { timeoutMs: 40_000 });
    expect(bare.findings).toEqual([]);
    expect(bare.verdict).toBe('uncovered');
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
