/**
 * The README's path, run: answer a safe error, see its record, find it by id, see it on a span;
 * and the HTTP examples of the guides, each answering as its text says.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { poll, runToEnd, start } from './run.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function get(port: number, path: string, init: RequestInit = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, init);
  return { response, body: (await response.json()) as Record<string, unknown> };
}

describe('README: fastify.ts', () => {
  it('answers a safe error, records it on stdout, keyed by the id the client saw', async () => {
    const app = await start('fastify');
    try {
      const { response, body } = await get(app.port, '/orders/42');
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(body).toMatchObject({ code: 'ORDER_NOT_FOUND', detail: 'The order does not exist.' });
      const id = String(body.request_id);
      expect(id).toMatch(UUID);
      expect(response.headers.get('x-request-id')).toBe(id);
      await app.waitFor((out) => out.includes(id));
      expect(app.records().find((r) => r.request_id === id)).toMatchObject({ code: 'ORDER_NOT_FOUND', status: 404 });

      const crash = await get(app.port, '/orders');
      expect(crash.response.status).toBe(500);
      expect(JSON.stringify(crash.body)).not.toMatch(/hunter2|postgres|10\.0\.4\.12|ECONN/);
      const crashId = String(crash.body.request_id);
      await app.waitFor((out) => out.includes(crashId));
      const record = app.records().find((r) => r.request_id === crashId);
      expect(record).toMatchObject({ code: 'INTERNAL', category: 'internal' });
      expect(JSON.stringify(record)).toMatch(/query failed/);
      expect(JSON.stringify(record)).not.toMatch(/hunter2/);
    } finally {
      await app.stop();
    }
  });

  it('with tracing.ts preloaded, the body and the record carry the trace id and the span carries the id', async () => {
    const app = await start('fastify', { preload: ['tracing'] });
    try {
      const { body } = await get(app.port, '/orders/42');
      const id = String(body.request_id);
      const traceId = String(body.trace_id);
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      await app.waitFor((out) => out.includes(`'app.error.id': '${id}'`) && out.includes(`"request_id":"${id}"`));
      expect(app.stdout()).toContain(`traceId: '${traceId}'`);
      expect(app.records().find((r) => r.request_id === id)?.trace_id).toBe(traceId);
    } finally {
      await app.stop();
    }
  });
});

describe('README: client.ts', () => {
  it('decodes the fault of fastify.ts by its catalog code', async () => {
    const app = await start('fastify');
    try {
      const out = await runToEnd('client', { PORT: String(app.port) });
      expect(out).toMatch(/^no such order \(request [0-9a-f-]{36}\)\n$/);
    } finally {
      await app.stop();
    }
  });
});

describe('README: express.ts', () => {
  it('answers the catalog code and a not-found route as problem JSON, each recorded', async () => {
    const app = await start('express');
    try {
      const { response, body } = await get(app.port, '/orders/42');
      expect(response.status).toBe(404);
      expect(body.code).toBe('ORDER_NOT_FOUND');
      const missing = await get(app.port, '/nowhere/<script>');
      expect(missing.body.code).toBe('NOT_FOUND');
      expect(JSON.stringify(missing.body)).not.toContain('nowhere');
      await app.waitFor(
        (out) => out.includes(String(body.request_id)) && out.includes(String(missing.body.request_id)),
      );
    } finally {
      await app.stop();
    }
  });
});

describe('README: reporter.ts', () => {
  it('records to the rotating file and flushes it when SIGTERM closes the server', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faults-')), 'faults.ndjson');
    const app = await start('reporter', { env: { FAULT_LOG: file } });
    const { body } = await get(app.port, '/orders/42');
    expect(await app.stop()).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`"request_id":"${String(body.request_id)}"`);
  });
});

describe('guide express.md: express-options.ts', () => {
  it('answers with the envelope, the application classifier, and the trusted gateway id', async () => {
    const app = await start('express-options');
    try {
      const id = '5b0f1e3c-8a4d-4f6e-9b2a-1c3d5e7f9a0b';
      const { response, body } = await get(app.port, '/payments', { method: 'POST', headers: { 'x-request-id': id } });
      expect(response.status).toBe(409);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(body).toEqual({ error: { status: 409, code: 'CONFLICT', message: expect.any(String), request_id: id } });
      expect(JSON.stringify(body)).not.toMatch(/4242|issuer/);
      await app.waitFor((out) => out.includes(id) && out.includes('card-declined'));
    } finally {
      await app.stop();
    }
  });
});

describe('guide fastify.md: fastify-options.ts', () => {
  it('renders the public parameter, translates it, and logs through Fastify with one request_id field', async () => {
    const app = await start('fastify-options');
    try {
      const json = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items":[]}' };
      const en = await get(app.port, '/orders', json);
      expect(en.body).toMatchObject({ code: 'TOO_MANY_ITEMS', detail: 'At most 100 items per order.' });
      expect(en.body.params).toEqual({ limit: 100 });
      const de = await get(app.port, '/orders', { ...json, headers: { ...json.headers, 'accept-language': 'de' } });
      expect(de.body.detail).toBe('Höchstens 100 Artikel pro Bestellung.');
      expect(de.response.headers.get('content-language')).toBe('de');
      const invalid = await get(app.port, '/orders', { ...json, body: '{}' });
      expect(invalid.body.code).toBe('VALIDATION_FAILED');
      const id = String(invalid.body.request_id);
      await app.waitFor((out) => out.split('\n').filter((l) => l.includes(`"request_id":"${id}"`)).length >= 2);
    } finally {
      await app.stop();
    }
  });
});

describe('guide migrating.md', () => {
  it('before: the driver text goes out; after: a generic answer with an id, the text in the record', async () => {
    const before = await start('migrating-before');
    try {
      const { body } = await get(before.port, '/orders/1');
      expect(JSON.stringify(body)).toContain('relation');
    } finally {
      await before.stop();
    }
    const after = await start('migrating-after');
    try {
      const { response, body } = await get(after.port, '/orders/1');
      expect(response.status).toBe(500);
      expect(JSON.stringify(body)).not.toContain('relation');
      await after.waitFor((out) => out.includes(String(body.request_id)) && out.includes('does not exist'));
    } finally {
      await after.stop();
    }
  });
});

describe('package README of @faultline/openapi: openapi.ts', () => {
  it('serves the OpenAPI document with the declared code, and the code page', async () => {
    const app = await start('openapi');
    try {
      const { body } = await get(app.port, '/openapi.json');
      expect(JSON.stringify(body)).toContain('ORDER_NOT_FOUND');
      const page = await fetch(`http://127.0.0.1:${app.port}/errors/order-not-found`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('The order does not exist.');
    } finally {
      await app.stop();
    }
  });
});

it('poll gives up with a clear error', async () => {
  await expect(poll(() => false, 50)).rejects.toThrow(/not met within 50 ms/);
});
