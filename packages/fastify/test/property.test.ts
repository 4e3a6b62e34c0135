/**
 * Property test through a real Fastify server: whatever a route throws, the response is valid
 * problem JSON with a taxonomy status and contains no string taken from the thrown value.
 */
import { CATEGORIES, TAXONOMY } from '@faultline/core';
import fc from 'fast-check';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';

const STATUSES = new Set(CATEGORIES.map((c) => TAXONOMY[c].http));
const marker = fc.stringMatching(/^[a-z]{4,8}$/).map((s) => `LEAK_${s}`);

const thrownValue = marker.chain((m) =>
  fc.constantFrom<unknown>(
    new Error(m),
    m,
    { message: m, statusCode: 400, expose: true, code: m },
    Object.assign(new Error(m), { code: '23505', severity: 'ERROR', detail: m, table: m }),
    Object.assign(new Error(m), { name: 'ZodError', issues: [{ code: m, path: ['a', 0], message: m }] }),
    Object.assign(new Error(m), {
      validation: [{ keyword: m, instancePath: `/${m}`, params: {} }],
      code: 'FST_ERR_VALIDATION',
      validationContext: 'body',
    }),
    new AggregateError([new Error(m)], m),
    new Proxy({}, { get: () => m }),
    Object.defineProperty({}, 'message', {
      get: () => {
        throw new Error(m);
      },
    }),
    { toString: () => m, [Symbol.toPrimitive]: () => m },
  ),
);

describe('Fastify adapter properties', () => {
  it('never leaks a string from the thrown value and always answers problem JSON', async () => {
    const app = Fastify({ ...faultlineServerOptions() });
    await app.register(faultline, { reporter: false });
    let next: unknown;
    app.get('/x', async () => {
      throw next;
    });
    await app.ready();
    await fc.assert(
      fc.asyncProperty(thrownValue, async (thrown) => {
        next = thrown;
        const res = await app.inject('/x');
        expect(STATUSES.has(res.statusCode)).toBe(true);
        expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
        const body = JSON.parse(res.body) as Record<string, unknown>;
        expect(body.status).toBe(res.statusCode);
        // Field pointers locate the client's own document; everything else must be free of markers.
        const withoutPointers = res.body.replace(/"pointer":"[^"]*"/g, '""');
        expect(withoutPointers).not.toMatch(/LEAK_/);
        expect(JSON.stringify(res.headers)).not.toMatch(/LEAK_/);
      }),
      { numRuns: 150 },
    );
    await app.close();
  });
});
