/**
 * The client against real Faultline servers in every format: an Express server with
 * `format: 'negotiate'` answers problem JSON, the envelope or a JSON:API document as `Accept`
 * asks, and `decodeFault` reads each (code, message, request id, field violations, params) and
 * says which format it saw. A JSON:API client library from the registry (`@orbit/jsonapi`, the
 * Orbit.js request processor) reads the JSON:API errors too, where problem JSON is opaque to it.
 */
import type { Server } from 'node:http';
import { defineCatalog, FaultError } from '@faultline/core';
import { faultline } from '@faultline/express';
import { ClientError, JSONAPIRequestProcessor, ServerError } from '@orbit/jsonapi';
import { RecordSchema } from '@orbit/records';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFault } from '../src/index.js';

const JSONAPI = 'application/vnd.api+json';
const errors = defineCatalog({
  CL_ARTICLE_LIMIT: {
    category: 'validation',
    message: 'At most {limit} articles.',
    params: { limit: 'integer' },
    type: 'https://docs.example.com/errors/article-limit',
  },
});

let server: Server;
let base = '';

beforeAll(async () => {
  const fl = faultline({ format: 'negotiate', reporter: false });
  const app = express();
  app.use(fl.requestId);
  app.get('/articles/:id', () => {
    throw new Error('SELECT * FROM articles -- hunter2');
  });
  app.post('/articles', () => {
    throw errors.CL_ARTICLE_LIMIT({
      params: { limit: 5 },
      fieldViolations: [
        { pointer: '/data/attributes/title', detail: 'Is required.' },
        { pointer: '/query/page/size', detail: 'Is above the maximum.' },
      ],
    });
  });
  app.get('/gone', () => {
    throw FaultError.of('not_found');
  });
  app.use(fl.notFound);
  app.use(fl.errorHandler);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('decodeFault over a negotiating server', () => {
  it.each([
    ['application/problem+json', 'problem'],
    ['application/json', 'envelope'],
    [JSONAPI, 'jsonapi'],
  ] as const)('Accept %s -> the fault, and format %s', async (accept, format) => {
    const response = await fetch(`${base}/articles?page[size]=500`, { method: 'POST', headers: { accept } });
    const fault = await decodeFault(response, errors);
    expect(fault).toMatchObject({
      protocol: 'http',
      format,
      conforming: true,
      category: 'validation',
      code: 'CL_ARTICLE_LIMIT',
      status: 400,
      message: 'At most 5 articles.',
      requestId: response.headers.get('x-request-id'),
      params: { limit: 5 },
    });
    expect(fault.fieldViolations.map((v) => v.pointer)).toContain('/data/attributes/title');
    if (format === 'jsonapi')
      expect(fault.fieldViolations).toContainEqual(expect.objectContaining({ parameter: 'page[size]' }));
  });

  it('reads an internal fault in every format without its text', async () => {
    for (const accept of ['application/problem+json', 'application/json', JSONAPI]) {
      const fault = await decodeFault(await fetch(`${base}/articles/1`, { headers: { accept } }));
      expect(fault).toMatchObject({ code: 'INTERNAL', status: 500, category: 'internal', conforming: true });
      expect(JSON.stringify(fault)).not.toContain('hunter2');
    }
  });
});

describe('a JSON:API client library reads the errors (@orbit/jsonapi)', () => {
  const schema = new RecordSchema({ models: { article: { attributes: { title: { type: 'string' } } } } });
  const processor = new JSONAPIRequestProcessor({ sourceName: 'remote', schema, host: base });

  async function orbitError(path: string, init: Record<string, unknown> = {}): Promise<Error & { data?: unknown }> {
    try {
      await processor.fetch(`${base}${path}`, init);
    } catch (error) {
      return error as Error & { data?: unknown };
    }
    throw new Error('the request did not fail');
  }

  it('gets a ClientError whose data is the JSON:API error document', async () => {
    const error = await orbitError('/articles', { method: 'POST', json: { data: { type: 'articles' } } });
    expect(error).toBeInstanceOf(ClientError);
    const { errors: objects } = error.data as { errors: Record<string, unknown>[] };
    expect(objects[0]).toMatchObject({ status: '400', code: 'CL_ARTICLE_LIMIT', meta: { limit: 5 } });
    expect(objects.slice(1).map((e) => e.source)).toEqual([
      { pointer: '/data/attributes/title' },
      { parameter: 'page[size]' },
    ]);
    // Orbit reads a 404 as "no such record" (no error); a 500 is a ServerError with the document.
    const internal = await orbitError('/articles/1');
    expect(internal).toBeInstanceOf(ServerError);
    expect((internal.data as { errors: { code: string }[] }).errors[0]?.code).toBe('INTERNAL');
    expect(JSON.stringify(internal.data)).not.toContain('hunter2');
  });
});
