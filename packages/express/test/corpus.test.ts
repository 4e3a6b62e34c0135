/**
 * The adversarial corpus through real Express 5 and Express 4 servers over sockets: every case
 * thrown synchronously, rejected asynchronously (through `asyncHandler`), passed to `next(value)`,
 * and (Express 5) thrown or rejected by an unwrapped handler. Expected status and code, no
 * forbidden substring in status line, headers or body, a UUID v4 id with a log record. A falsy
 * value passed to `next` means "no error" to Express itself; such values are covered by the
 * wrapped styles only.
 */
import { type Category, TAXONOMY } from '@faultline/core';
import { CORPUS, type CorpusCase, leaksIn, recordFor } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncHandler } from '../src/index.js';
import type { RequestHandler } from '../src/types.js';
import { type Major, type RunningApp, startApp } from './helpers.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const make = (req: { params: { i: string } }) => (CORPUS[Number(req.params.i)] as CorpusCase).make();

describe.each([5, 4] as Major[])('corpus over Express %i', (major) => {
  let app: RunningApp;
  const ids = new Set<string>();
  beforeAll(async () => {
    app = await startApp(major, (a) => {
      const h = (fn: (req: { params: { i: string } }, next: (e?: unknown) => void) => unknown): RequestHandler =>
        ((req: unknown, _res: unknown, next: (e?: unknown) => void) =>
          fn(req as { params: { i: string } }, next)) as RequestHandler;
      a.post(
        '/sync/:i',
        asyncHandler(
          h((req) => {
            throw make(req);
          }),
        ),
      );
      a.post(
        '/async/:i',
        asyncHandler(
          h(async (req) => {
            await new Promise((resolve) => setImmediate(resolve));
            throw make(req);
          }),
        ),
      );
      a.post(
        '/next/:i',
        h((req, next) => next(make(req))),
      );
      if (major === 5) {
        a.post(
          '/native-sync/:i',
          h((req) => {
            throw make(req);
          }),
        );
        a.post(
          '/native-async/:i',
          h(async (req) => {
            await new Promise((resolve) => setImmediate(resolve));
            throw make(req);
          }),
        );
      }
    });
  });
  afterAll(async () => {
    await app.stop();
  });

  it.each(CORPUS.map((c, i) => [c.name, i] as const))('%s', async (_name, index) => {
    const testCase = CORPUS[index] as CorpusCase;
    const falsy = !testCase.make();
    const styles = [
      'sync',
      'async',
      ...(falsy ? [] : ['next']),
      ...(major === 5 && !falsy ? ['native-sync', 'native-async'] : []),
    ];
    const spec = TAXONOMY[(testCase.liveHttpCategory ?? testCase.category) as Category];
    for (const style of styles) {
      const response = await fetch(`${app.url}/${style}/${index}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(testCase.input ?? {}),
        signal: AbortSignal.timeout(5000),
      });
      const text = await response.text();
      const headers = JSON.stringify(Object.fromEntries(response.headers));
      try {
        expect(response.status).toBe(spec.http);
        const body = JSON.parse(text) as { code: string; request_id: string };
        expect(body.code).toBe(spec.code);
        expect(body.request_id).toMatch(UUID_V4);
        expect(response.headers.get('x-request-id')).toBe(body.request_id);
        expect(leaksIn(`${response.status}\n${headers}\n${text}`, testCase)).toEqual([]);
        ids.add(body.request_id);
      } catch (failure) {
        throw new Error(`${style}: ${(failure as Error).message}`);
      }
    }
  });

  it('logged a record for every answered id', async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([...ids].filter((id) => recordFor(app.records, id) === undefined)).toEqual([]);
  });
});
