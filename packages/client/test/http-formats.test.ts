/**
 * `decodeFault` on the three HTTP formats a Faultline server writes (RFC 9457 problem JSON, the
 * `{"error":{…}}` envelope, JSON:API 1.1 error documents), served by a real HTTP server on
 * 127.0.0.1 and fetched with the platform's fetch; then hostile answers in each: JSON:API documents
 * whose `errors` is not an array, has thousands of entries, mismatched ids, huge members or
 * `__proto__` keys, and 64 MB details. Each decodes bounded and safe, and says its format.
 */
import { createServer, type Server } from 'node:http';
import { defineCatalog } from '@faultline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECODE_LIMITS, decodeFault } from '../src/index.js';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const OTHER_ID = '0b7f4a1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b';
const HEADER_ID = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';
const errors = defineCatalog({
  HTTP_TOO_MANY_ITEMS: { category: 'validation', message: 'At most {limit} items.', params: { limit: 'integer' } },
});
const PROBLEM = 'application/problem+json';
const JSON_TYPE = 'application/json';
const JSONAPI = 'application/vnd.api+json';

const jsonapiError = (fields: Record<string, unknown>) => ({
  id: ID,
  status: '400',
  code: 'VALIDATION_FAILED',
  title: 'Bad Request',
  links: { type: 'https://docs.example.com/errors/validation' },
  ...fields,
});

/** Each path's answer: status, content type and body (a string, or a byte count of filler). */
const ANSWERS: Record<string, { status: number; type: string; body: unknown; raw?: string; size?: number }> = {
  '/problem': {
    status: 409,
    type: PROBLEM,
    body: { type: 'about:blank', title: 'Conflict', status: 409, detail: 'Taken.', code: 'SEAT_TAKEN', request_id: ID },
  },
  '/envelope': {
    status: 409,
    type: JSON_TYPE,
    body: { error: { status: 409, code: 'SEAT_TAKEN', message: 'Taken.', request_id: ID } },
  },
  '/jsonapi': {
    status: 400,
    type: JSONAPI,
    body: {
      errors: [
        jsonapiError({ code: 'HTTP_TOO_MANY_ITEMS', detail: 'At most 100 items.', meta: { limit: 100 } }),
        jsonapiError({
          code: 'HTTP_TOO_MANY_ITEMS',
          detail: 'Is above the maximum.',
          source: { pointer: '/items' },
          meta: { limit: 100 },
        }),
        jsonapiError({
          code: 'HTTP_TOO_MANY_ITEMS',
          detail: 'Is not one of the allowed values.',
          source: { parameter: 'sort' },
          meta: { limit: 100 },
        }),
        jsonapiError({
          code: 'HTTP_TOO_MANY_ITEMS',
          detail: 'Has an invalid format.',
          source: { header: 'If-Match' },
          meta: { limit: 100 },
        }),
      ],
    },
  },
  '/jsonapi-violations-only': {
    status: 400,
    type: JSONAPI,
    body: { errors: [jsonapiError({ detail: 'Is required.', source: { pointer: '/sku' } })] },
  },
  '/jsonapi-as-json': {
    status: 409,
    type: JSON_TYPE,
    body: { errors: [jsonapiError({ status: '409', code: 'SEAT_TAKEN', detail: 'Taken.' })] },
  },
  '/jsonapi-not-array': { status: 409, type: JSONAPI, body: { errors: { code: 'SEAT_TAKEN', id: ID } } },
  '/jsonapi-empty': { status: 409, type: JSONAPI, body: { errors: [] } },
  '/jsonapi-not-objects': { status: 409, type: JSONAPI, body: { errors: ['SEAT_TAKEN', 42, null, [1]] } },
  '/jsonapi-thousands': {
    status: 400,
    type: JSONAPI,
    body: {
      errors: [
        { id: ID, code: 'VALIDATION_FAILED', detail: 'The request is invalid.' },
        ...Array.from({ length: 1400 }, (_, i) => ({ detail: 'x', source: { pointer: `/${i}` } })),
      ],
    },
  },
  '/jsonapi-over-bound': {
    status: 400,
    type: JSONAPI,
    body: {
      errors: Array.from({ length: 5000 }, (_, i) => ({
        id: ID,
        code: 'VALIDATION_FAILED',
        detail: 'x',
        source: { pointer: `/${i}` },
      })),
    },
  },
  '/jsonapi-mismatched-ids': {
    status: 400,
    type: JSONAPI,
    body: {
      errors: [
        jsonapiError({ detail: 'The request is invalid.' }),
        jsonapiError({ id: OTHER_ID, detail: 'Is required.', source: { pointer: '/sku' } }),
      ],
    },
  },
  '/jsonapi-huge-members': {
    status: 400,
    type: JSONAPI,
    body: {
      errors: [
        jsonapiError({
          code: 'HTTP_FREE',
          detail: 'd'.repeat(20_000),
          meta: { note: 'n'.repeat(5000), ok: 'fine' },
          title: 't'.repeat(20_000),
        }),
        jsonapiError({ detail: 'Is required.', source: { pointer: `/${'p'.repeat(5000)}` } }),
        jsonapiError({ detail: 'x'.repeat(5000), source: { parameter: 'q' } }),
        jsonapiError({ detail: 'Is required.', source: { header: 'h'.repeat(5000) } }),
      ],
    },
  },
  '/jsonapi-proto': {
    status: 400,
    type: JSONAPI,
    body: undefined,
    raw: `{"__proto__":{"errors":[{"code":"EVIL"}]},"errors":[{"__proto__":{"code":"EVIL","polluted":1},"id":"${ID}","code":"HTTP_FREE","detail":"Free.","meta":{"__proto__":{"polluted":1},"constructor":"x","toString":"y","hasOwnProperty":"z","ok":"fine"},"source":{"__proto__":{"pointer":"/evil"}}},{"id":"${ID}","code":"HTTP_FREE","detail":"Is required.","source":{"pointer":"/a","__proto__":{"x":1}}}]}`,
  },
  '/jsonapi-contradicting': {
    status: 400,
    type: JSONAPI,
    body: {
      errors: [jsonapiError({ code: 'HTTP_TOO_MANY_ITEMS', detail: 'x', meta: { limit: 'DROP TABLE', other: 1 } })],
    },
  },
  '/problem-long-detail': {
    status: 400,
    type: PROBLEM,
    body: { status: 400, detail: 'x'.repeat(DECODE_LIMITS.message + 1), code: 'HTTP_FREE', request_id: ID },
  },
  // More than loopback's socket buffers can take at once, so a body read to its end is seen.
  '/problem-64mb': { status: 400, type: PROBLEM, body: undefined, size: 64 * 1024 * 1024 },
  '/jsonapi-64mb': { status: 400, type: JSONAPI, body: undefined, size: 64 * 1024 * 1024 },
};

let server: Server;
let base = '';
const outcome: Record<string, 'finished' | 'aborted'> = {};
beforeAll(async () => {
  server = createServer((request, response) => {
    const answer = ANSWERS[request.url ?? ''];
    if (answer === undefined) return response.writeHead(404).end();
    response.writeHead(answer.status, { 'content-type': answer.type, 'x-request-id': HEADER_ID });
    response.on('close', () => {
      outcome[request.url ?? ''] = response.writableFinished ? 'finished' : 'aborted';
    });
    if (answer.size === undefined) return response.end(answer.raw ?? JSON.stringify(answer.body));
    // A huge detail in 64 KiB chunks, written as fast as the client reads them.
    const size = answer.size;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    response.write(
      answer.type === JSONAPI ? '{"errors":[{"code":"HTTP_FREE","detail":"' : '{"code":"HTTP_FREE","detail":"',
    );
    const pump = () => {
      while (sent < size && !response.destroyed) {
        sent += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      if (!response.destroyed) response.end(answer.type === JSONAPI ? '"}]}' : '"}');
    };
    response.on('error', () => undefined);
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const get = async (path: string, catalog?: typeof errors) => decodeFault(await fetch(`${base}${path}`), catalog);

describe('the three formats, told apart by their shape', () => {
  it.each([
    ['/problem', 'problem'],
    ['/envelope', 'envelope'],
    ['/jsonapi-as-json', 'jsonapi'],
  ])('%s -> %s', async (path, format) => {
    expect(await get(path)).toMatchObject({
      format,
      conforming: true,
      code: 'SEAT_TAKEN',
      category: 'conflict',
      status: 409,
      message: 'Taken.',
      requestId: ID,
    });
  });

  it('JSON:API: the code, the message, one violation per error object (pointer, parameter, header), meta as params, the shared id', async () => {
    expect(await get('/jsonapi', errors)).toEqual({
      protocol: 'http',
      format: 'jsonapi',
      status: 400,
      category: 'validation',
      code: 'HTTP_TOO_MANY_ITEMS',
      message: 'At most 100 items.',
      requestId: ID,
      retryAfter: undefined,
      fieldViolations: [
        { pointer: '/items', detail: 'Is above the maximum.' },
        { pointer: '', parameter: 'sort', detail: 'Is not one of the allowed values.' },
        { pointer: '', header: 'If-Match', detail: 'Has an invalid format.' },
      ],
      params: { limit: 100 },
      retryable: false,
      conforming: true,
    });
  });

  it('JSON:API with only violation objects: the generic message of the category', async () => {
    expect(await get('/jsonapi-violations-only')).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'The request is invalid.',
      fieldViolations: [{ pointer: '/sku', detail: 'Is required.' }],
    });
  });
});

describe('hostile JSON:API documents stay bounded and safe', () => {
  it.each(['/jsonapi-not-array', '/jsonapi-empty', '/jsonapi-not-objects'])(
    '%s decodes by status, not conforming',
    async (path) => {
      expect(await get(path)).toMatchObject({
        format: 'unknown',
        conforming: false,
        code: 'CONFLICT',
        category: 'conflict',
        requestId: HEADER_ID,
      });
    },
  );

  it('thousands of entries: at most 100 violations; a document over the body bound decodes by status', async () => {
    const fault = await get('/jsonapi-thousands');
    expect(fault).toMatchObject({ conforming: true, code: 'VALIDATION_FAILED' });
    expect(fault.fieldViolations).toHaveLength(DECODE_LIMITS.violations);
    expect(fault.fieldViolations[0]).toEqual({ pointer: '/0', detail: 'x' });
    expect(await get('/jsonapi-over-bound')).toMatchObject({ conforming: false, fieldViolations: [] });
  });

  it('mismatched ids: the request id comes from X-Request-ID', async () => {
    expect(await get('/jsonapi-mismatched-ids')).toMatchObject({ requestId: HEADER_ID, conforming: true });
  });

  it('huge members are dropped, never cut', async () => {
    const fault = await get('/jsonapi-huge-members');
    expect(fault).toMatchObject({ code: 'HTTP_FREE', message: 'The request is invalid.', params: { ok: 'fine' } });
    expect(fault.fieldViolations).toEqual([]);
    expect(JSON.stringify(fault).length).toBeLessThan(2000);
  });

  it('__proto__ keys neither pollute nor leak', async () => {
    const fault = await get('/jsonapi-proto');
    expect(fault).toMatchObject({ format: 'jsonapi', code: 'HTTP_FREE', message: 'Free.', requestId: ID });
    expect(fault.params).toEqual({ ok: 'fine' });
    expect(fault.fieldViolations).toEqual([{ pointer: '/a', detail: 'Is required.' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(String(fault.params)).toBe('[object Object]');
  });

  it('meta contradicting the catalog is dropped', async () => {
    expect((await get('/jsonapi-contradicting', errors)).params).toEqual({});
  });
});

describe('sizes are bounded on HTTP too', () => {
  it('a detail over 1024 characters becomes the generic message', async () => {
    expect(await get('/problem-long-detail')).toMatchObject({
      code: 'HTTP_FREE',
      conforming: true,
      message: 'The request is invalid.',
    });
  });

  it.each(['/problem-64mb', '/jsonapi-64mb'])('%s: decodes by status, reading at most 256 KiB', async (path) => {
    const fault = await get(path);
    expect(fault).toMatchObject({
      format: 'unknown',
      conforming: false,
      status: 400,
      message: 'The request is invalid.',
    });
    // The reader cancelled the body: the server's answer ends before it is all written.
    const deadline = Date.now() + 5000;
    while (outcome[path] === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(outcome[path]).toBe('aborted');
  });
});
