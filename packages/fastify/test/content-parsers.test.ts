/**
 * Content-type parsers that fail with a falsy value (parser-guard.ts): Fastify's runner tests a
 * parser's error with `!= null`, so a parser throwing `null` or `undefined`, or returning a promise
 * that rejects with one, was a success with an `undefined` body, and the handler ran (an auth or
 * validation step written as a parser was bypassed). Every failure style (a synchronous throw, an
 * async rejection, `done(value)`, a `parseAs: 'string'` parser) with `null`, `undefined`, `0`, `''`
 * and `false`, from parsers added after the plugin in the root scope and in child scopes: each
 * answer is Faultline's 500 (problem JSON, id in header and body, one record under it) and the
 * handler never runs. Real server on 127.0.0.1, undici fetch.
 */
import { createReporter } from '@faultline/core';
import { memoryLog, until } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyRequest, type RawServerDefault } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Falsy values, chosen per request by its `x-value` header. */
const VALUES: Record<string, unknown> = { null: null, undefined: undefined, zero: 0, empty: '', false: false };
const valueFor = (request: FastifyRequest) => VALUES[String(request.headers['x-value'])];

/** Parser styles: each is its content type `application/x-<style>`. */
const STYLES = ['throw', 'reject', 'done', 'string-throw', 'string-reject'] as const;
/** Values `done` takes for success (Fastify's contract: `done(null, body)`); not sent to `done`. */
const DONE_SUCCESS = new Set(['null', 'undefined']);

/** The parsers of every style, under `application/x-<prefix><style>` (a child scope inherits its parent's). */
function addParsers(scope: FastifyInstance, prefix: string): void {
  scope.addContentTypeParser(`application/x-${prefix}throw`, (request: FastifyRequest) => {
    throw valueFor(request);
  });
  scope.addContentTypeParser(`application/x-${prefix}reject`, async (request: FastifyRequest) => {
    await Promise.resolve();
    throw valueFor(request);
  });
  scope.addContentTypeParser(`application/x-${prefix}done`, (request, _payload, done) => {
    setImmediate(() => done(valueFor(request) as Error));
  });
  scope.addContentTypeParser(
    `application/x-${prefix}string-throw`,
    { parseAs: 'string' },
    (request: FastifyRequest) => {
      throw valueFor(request);
    },
  );
  scope.addContentTypeParser(
    [`application/x-${prefix}string-reject`],
    { parseAs: 'string' },
    (request: FastifyRequest) => Promise.reject(valueFor(request)),
  );
}

describe('content-type parsers failing with falsy values', () => {
  const log = memoryLog();
  let app: FastifyInstance;
  let base = '';
  /** Handler runs: a parser failure must never reach the handler. */
  let ran = 0;

  beforeAll(async () => {
    app = Fastify(faultlineServerOptions<RawServerDefault>());
    await app.register(faultline, {
      reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    const handler = () => {
      ran += 1;
      return { ok: true };
    };
    addParsers(app, '');
    app.post('/root', handler);
    await app.register(async (child) => {
      await child.register(async (grandchild) => {
        addParsers(grandchild, 'nested-');
        grandchild.post('/nested', handler);
      });
    });
    // Callback-style success stays success: `done(null, body)` and a pass-through `done()`.
    await app.register(async (scope) => {
      scope.addContentTypeParser('application/x-ok', (_request, payload, done) => {
        payload.resume();
        payload.on('end', () => done(null, { parsed: true }));
      });
      scope.addContentTypeParser('application/x-pass', (_request, _payload, done) => done(null));
      scope.post('/ok', (request) => ({ body: request.body ?? 'none' }));
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app.close();
  });

  const post = async (path: string, type: string, value: string) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': `application/x-${type}`, 'x-value': value },
      body: 'payload',
      signal: AbortSignal.timeout(3000),
    });
    return { status: response.status, id: response.headers.get('x-request-id'), body: await response.text() };
  };

  it.each([
    ['/root', ''],
    ['/nested', 'nested-'],
  ])('fails the request on %s, in every style, with every falsy value', async (path, prefix) => {
    const wrong: string[] = [];
    const ids: string[] = [];
    for (const style of STYLES) {
      for (const value of Object.keys(VALUES)) {
        if (style === 'done' && DONE_SUCCESS.has(value)) continue;
        const before = ran;
        const answer = await post(path, `${prefix}${style}`, value);
        let body: { code?: string; request_id?: string } = {};
        try {
          body = JSON.parse(answer.body) as typeof body;
        } catch {}
        const ok =
          answer.status === 500 &&
          body.code === 'INTERNAL' &&
          UUID_V4.test(answer.id ?? '') &&
          body.request_id === answer.id &&
          ran === before;
        if (ok) ids.push(answer.id as string);
        else wrong.push(`${style} ${value}: ${answer.status} ${answer.body.slice(0, 120)} handler ran ${ran - before}`);
      }
    }
    expect(wrong).toEqual([]);
    const count = (id: string) => log.records.filter((r) => r.request_id === id).length;
    await until(() => ids.every((id) => count(id) >= 1));
    expect(ids.filter((id) => count(id) !== 1)).toEqual([]);
  });

  it('keeps done(null, body) and done(null) successes', async () => {
    expect(await post('/ok', 'ok', 'null')).toMatchObject({ status: 200, body: '{"body":{"parsed":true}}' });
    expect(await post('/ok', 'pass', 'null')).toMatchObject({ status: 200, body: '{"body":"none"}' });
  });
});
