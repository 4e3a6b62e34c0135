/**
 * JSON:API on real Express 5 and Express 4 servers: `format: 'jsonapi'` answers (route errors,
 * 404, malformed HTTP) that the JSON:API 1.1 schema accepts, sent with the bare media type and the
 * usual headers; `format: 'negotiate'` choosing by `Accept` with `Vary: Accept` (curl and fetch);
 * `strictJsonApi`'s 415 and 406 before any body parser runs; and the adversarial corpus in
 * `jsonapi` and `negotiate` with 0 leaks.
 */
import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import { promisify } from 'node:util';
import { type Category, isUuid, TAXONOMY } from '@faultline/core';
import { CORPUS, type CorpusCase, jsonApiSchemaErrors, leaksIn, rawHttpExchange } from '@faultline/testkit';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncHandler, type FaultlineExpressOptions, faultline } from '../src/index.js';
import type { RequestHandler } from '../src/types.js';
import type { ExpressLike, Major } from './helpers.js';

const run = promisify(execFile);
const JSONAPI = 'application/vnd.api+json';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

async function fetchAnswer(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, headers, body: await response.text() };
}

async function curl(url: string, args: readonly string[]): Promise<Answer> {
  const { stdout } = await run('curl', ['-sS', '-i', '--http1.1', '--max-time', '10', ...args, url], {
    encoding: 'utf8',
  });
  const split = stdout.indexOf('\r\n\r\n');
  const head = stdout.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head[0] ?? '')?.[1]), headers, body: stdout.slice(split + 4) };
}

interface Running {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

async function start(major: Major, options: FaultlineExpressOptions): Promise<Running> {
  const fl = faultline({ reporter: false, ...options });
  const factory = (major === 5 ? express5 : express4) as unknown as (() => ExpressLike) & { json(o?: object): unknown };
  const app = factory();
  app.use(fl.requestId);
  app.use(factory.json({ type: ['application/json', JSONAPI] }));
  const make = (req: unknown) => (CORPUS[Number((req as { params: { i: string } }).params.i)] as CorpusCase).make();
  app.post(
    '/corpus/:i',
    asyncHandler((async (req: unknown) => {
      await new Promise((resolve) => setImmediate(resolve));
      throw make(req);
    }) as unknown as RequestHandler),
  );
  app.get(
    '/boom',
    asyncHandler((() => {
      throw new Error('password=hunter2 at /srv/app/db.js:12');
    }) as unknown as RequestHandler),
  );
  app.post('/articles', ((_req: unknown, res: { json(v: unknown): void }) =>
    res.json({ ok: true })) as unknown as RequestHandler);
  app.use(fl.notFound);
  app.use(fl.errorHandler);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  server.on('clientError', fl.clientError);
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function expectJsonApi(answer: Answer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe(JSONAPI);
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['cache-control']).toBe('no-store');
  const id = answer.headers['x-request-id'];
  expect(isUuid(id)).toBe(true);
  const document = JSON.parse(answer.body) as { errors: Record<string, unknown>[] };
  expect(jsonApiSchemaErrors(document)).toEqual([]);
  expect(document.errors[0]).toMatchObject({ id, status: String(status), code });
  expect(answer.body).not.toContain('hunter2');
}

describe.each([5, 4] as Major[])('Express %i', (major) => {
  describe("format: 'jsonapi'", () => {
    let app: Running;
    beforeAll(async () => {
      app = await start(major, { format: 'jsonapi' });
    });
    afterAll(() => app.stop());

    it('answers route errors and 404s as JSON:API documents', async () => {
      expectJsonApi(await fetchAnswer(`${app.url}/boom`), 500, 'INTERNAL');
      expectJsonApi(await fetchAnswer(`${app.url}/missing?q=hunter2`), 404, 'NOT_FOUND');
      expectJsonApi(
        await fetchAnswer(`${app.url}/articles`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"a":',
        }),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('answers malformed HTTP in JSON:API too', async () => {
      const raw = await rawHttpExchange(app.port, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
      expect(raw).toMatch(/^HTTP\/1\.1 400 /);
      expect(raw.toLowerCase()).toContain(`content-type: ${JSONAPI}\r\n`);
      expect(jsonApiSchemaErrors(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)))).toEqual([]);
    });
  });

  describe("format: 'negotiate'", () => {
    let app: Running;
    beforeAll(async () => {
      app = await start(major, { format: 'negotiate', defaultFormat: 'envelope' });
    });
    afterAll(() => app.stop());

    it.each([
      [undefined, 'application/json; charset=utf-8'],
      ['*/*', 'application/json; charset=utf-8'],
      [JSONAPI, JSONAPI],
      ['application/problem+json', 'application/problem+json; charset=utf-8'],
      [`application/json;q=0.2, ${JSONAPI};q=0.9`, JSONAPI],
      ['text/html, application/problem+json;q=0.1', 'application/problem+json; charset=utf-8'],
    ])('curl Accept %j -> %s with Vary: Accept', async (accept, type) => {
      const answer = await curl(
        `${app.url}/boom`,
        accept === undefined ? ['-H', 'Accept:'] : ['-H', `Accept: ${accept}`],
      );
      expect(answer.status).toBe(500);
      expect(answer.headers['content-type']).toBe(type);
      expect(answer.headers.vary).toBe('Accept');
      if (type === JSONAPI) expect(jsonApiSchemaErrors(JSON.parse(answer.body))).toEqual([]);
      expect(answer.body).not.toContain('hunter2');
    });

    it('hostile Accept headers get a bounded answer (fetch)', async () => {
      for (const accept of [
        Array.from({ length: 1200 }, (_, i) => `text/x-${i}`).join(','),
        Array.from({ length: 600 }, (_, i) => `application/json;q=${i}x`).join(','),
      ]) {
        const answer = await fetchAnswer(`${app.url}/boom`, { headers: { accept } });
        expect(answer.status).toBe(500);
        expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(answer.body).not.toContain('text/x');
      }
      // Past Node's header limit (16 KB by default) the parser refuses it: 431 in the default format.
      const huge = await fetchAnswer(`${app.url}/boom`, {
        headers: { accept: `${JSONAPI},${'text/x-y,'.repeat(7300)}` },
      });
      expect(huge.status).toBe(431);
      expect(huge.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(huge.body).not.toContain('text/x');
    });
  });

  describe('strictJsonApi', () => {
    let app: Running;
    beforeAll(async () => {
      app = await start(major, { strictJsonApi: true });
    });
    afterAll(() => app.stop());

    it('415 for JSON:API content types with parameters, 406 for Accept with only such JSON:API types', async () => {
      expectJsonApi(
        await curl(`${app.url}/articles`, ['-H', `content-type: ${JSONAPI}; charset=utf-8`, '--data', '{"data":']),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
      expectJsonApi(
        await curl(`${app.url}/articles`, ['-H', `accept: ${JSONAPI}; ext="https://example.com/e"`]),
        406,
        'NOT_ACCEPTABLE',
      );
      const ok = await fetchAnswer(`${app.url}/articles`, {
        method: 'POST',
        headers: { 'content-type': `${JSONAPI}; profile="https://example.com/p"`, accept: JSONAPI },
        body: '{"data":{"type":"articles"}}',
      });
      expect(ok.status).toBe(200);
    });

    it('refuses contradictory options', () => {
      expect(() => faultline({ strictJsonApi: true, format: 'envelope', reporter: false })).toThrow(/strictJsonApi/);
    });
  });

  describe.each(['jsonapi', 'negotiate'] as const)('corpus in %s', (format) => {
    let app: Running;
    beforeAll(async () => {
      app = await start(major, { format });
    });
    afterAll(() => app.stop());

    it('every case answers as expected with 0 leaks', async () => {
      let leaks = 0;
      for (const [index, testCase] of CORPUS.entries()) {
        const spec = TAXONOMY[(testCase.liveHttpCategory ?? testCase.category) as Category];
        const accept = format === 'negotiate' && index % 2 === 0 ? 'application/json' : JSONAPI;
        const answer = await fetchAnswer(`${app.url}/corpus/${index}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept },
          body: JSON.stringify(testCase.input ?? {}),
        });
        expect(answer.status, testCase.name).toBe(spec.http);
        if (answer.headers['content-type'] === JSONAPI) {
          const document = JSON.parse(answer.body);
          expect(jsonApiSchemaErrors(document)).toEqual([]);
          expect(document.errors[0].code).toBe(spec.code);
        } else {
          expect(format).toBe('negotiate');
          expect(JSON.parse(answer.body).error.code).toBe(spec.code);
        }
        const found = leaksIn(`${answer.status}\n${JSON.stringify(answer.headers)}\n${answer.body}`, testCase);
        leaks += found.length;
        expect(found, testCase.name).toEqual([]);
      }
      expect(leaks).toBe(0);
    });
  });
});
