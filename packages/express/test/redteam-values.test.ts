/**
 * Red team (attacker's audit): testkit's extreme hostile values (`EXTREME_VALUES`) through
 * Express 5 and 4 failure styles: a sync throw, `next(err)`, an async rejection (`asyncHandler` on
 * Express 4), an error middleware that throws the value, `res.json` of a cyclic object whose keys
 * name a table, and a stream piped to the answer that fails mid-way. Wired as the README shows
 * (requestId first, notFound, errorHandler last). Each answer: an expected status, problem JSON
 * with the generic message, a UUID v4 id equal to X-Request-ID, nothing of the value; the record
 * under the id exists, bounded and redacted; the server keeps serving. Real servers on 127.0.0.1
 * port 0.
 */
import { TAXONOMY } from '@faultline/core';
import {
  crashWatch,
  EXTREME_VALUES,
  extremeLeaks,
  type HttpAnswer,
  httpAnswerProblems,
  httpGetUntilCut,
  makeExtreme,
  problemsByStyle,
  recordFor,
  recordProblems,
  SECRET,
  streamFailingMidway,
  UUID_V4,
  until,
} from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExpressRequest, ExpressResponse, NextFunction } from '../src/types.js';
import { type Major, type RunningApp, startApp } from './helpers.js';

type Req = ExpressRequest & { headers: Record<string, string | undefined> };
type Res = ExpressResponse & { json(value: unknown): void; setHeader(n: string, v: string): void };
const hostileOf = (req: Req) => makeExtreme(String(req.headers['x-value']));
const STYLES = ['sync', 'next', 'async', 'error-mw', 'json-cyclic'] as const;
const genericMessage = (status: number) => Object.values(TAXONOMY).find((spec) => spec.http === status)?.message;

async function get(url: string, value: string): Promise<HttpAnswer> {
  const response = await fetch(url, { headers: { 'x-value': value }, signal: AbortSignal.timeout(10_000) });
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => {
    headers[k] = v;
  });
  return { status: response.status, headers, body: await response.text() };
}

const watch = crashWatch();
beforeAll(() => watch.start());
afterAll(() => watch.stop());

describe.each([5, 4] as Major[])('extreme hostile values through Express %i', (major) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(
      major,
      (express, wrap) => {
        express.get('/sync', (req: Req) => {
          throw hostileOf(req);
        });
        express.get('/next', (req: Req, _res: Res, next: NextFunction) => next(hostileOf(req)));
        express.get(
          '/async',
          wrap((async (req: Req) => {
            await new Promise((resolve) => setImmediate(resolve));
            throw hostileOf(req);
          }) as never),
        );
        express.get('/error-mw', () => {
          throw new Error('first failure');
        });
        express.get('/json-cyclic', (req: Req, res: Res) => {
          const cyclic: Record<string, unknown> = { users_private: { [`pw_${SECRET}`]: {} } };
          (
            (cyclic.users_private as Record<string, Record<string, unknown>>)[`pw_${SECRET}`] as Record<string, unknown>
          )[`back_${String(req.headers['x-value']).length}`] = cyclic;
          res.json(cyclic);
        });
        express.get('/stream-midway', (req: Req, res: Res) => {
          res.setHeader('content-type', 'application/json');
          const stream = streamFailingMidway((self) => self.emit('error', hostileOf(req)));
          stream.on('error', (error: unknown) => (req as unknown as { next?: (e: unknown) => void }).next?.(error));
          stream.pipe(res as unknown as NodeJS.WritableStream);
        });
        express.get('/health', (_req: Req, res: Res) => res.json({ ok: true }));
      },
      // An application error middleware that fails itself with the value.
      ((error: unknown, req: Req, _res: Res, next: NextFunction) => {
        if ((req as unknown as { path: string }).path === '/error-mw') throw hostileOf(req);
        next(error);
      }) as never,
    );
  });
  afterAll(() => app.stop());

  it.each(Object.entries(EXTREME_VALUES))('%s', { timeout: 60_000 }, async (name, { statuses }) => {
    const wrong = await problemsByStyle(STYLES, async (style) => {
      const answer = await get(`${app.url}/${style}`, name);
      await until(() => recordFor(app.records, answer.headers['x-request-id']) !== undefined);
      return httpAnswerProblems(answer, style === 'json-cyclic' ? [500] : statuses, app.records, genericMessage);
    });
    expect((await get(`${app.url}/health`, 'none')).status).toBe(200);
    expect(wrong).toEqual([]);
    expect(watch.crashes).toEqual([]);
  });

  it.each(Object.keys(EXTREME_VALUES))('stream failing mid-way: %s', { timeout: 60_000 }, async (name) => {
    const { headers, body } = await httpGetUntilCut(new URL(app.url).port, '/stream-midway', { 'x-value': name });
    const id = String(headers['x-request-id']);
    expect(id).toMatch(UUID_V4);
    expect(extremeLeaks(`${JSON.stringify(headers)}\n${body}`)).toEqual([]);
    await until(() => recordFor(app.records, id) !== undefined);
    expect(recordProblems(app.records, id)).toEqual([]);
    expect((await get(`${app.url}/health`, 'none')).status).toBe(200);
    expect(watch.crashes).toEqual([]);
  });
});
