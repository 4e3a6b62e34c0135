/**
 * Errors Express and its own modules raise, on real Express 5 and Express 4 servers: `res.json`
 * of a BigInt or a circular value, `res.status` / `res.sendStatus` with a code outside 100-999, `res.sendFile` / `res.download` of a missing file (an ENOENT
 * carrying the server's path), `res.render` of a missing view (its message names the views
 * directory), `express.static` refusing a traversal or a malformed percent-encoding, and
 * body-parser refusing a corrupt gzip body or an unknown Content-Encoding. Each is answered by
 * its status as problem JSON, one id in header and body, nothing of the path or the message in
 * the answer, and a record under the id.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawHttpExchange, recordFor, until } from '@faultline/testkit';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExpressResponse } from '../src/types.js';
import { headerValue, type Major, type RunningApp, startApp } from './helpers.js';

const SECRET = 'hunter2-framework';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const root = mkdtempSync(join(tmpdir(), 'faultline-express-'));
writeFileSync(join(root, 'public.txt'), 'public');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The response methods the routes use. */
type Res = ExpressResponse & {
  json(value: unknown): void;
  status(code: unknown): Res;
  sendStatus(code: unknown): void;
  sendFile(path: string): void;
  download(path: string): void;
  render(view: string): void;
};

describe.each([5, 4] as Major[])('Express %i: errors of Express’s own making', (major) => {
  let app: RunningApp;
  let port: number;
  beforeAll(async () => {
    const factory = (major === 5 ? express5 : express4) as unknown as { static(root: string, o: object): unknown };
    app = await startApp(major, (a) => {
      a.get('/json-bigint', (_req: unknown, res: Res) => res.json({ balance: 10n }));
      a.get('/json-circular', (_req: unknown, res: Res) => {
        const row: Record<string, unknown> = { secret: SECRET };
        row.self = row;
        res.json(row);
      });
      a.get('/send-file', (_req: unknown, res: Res) => res.sendFile(join(root, `backup-${SECRET}.sql`)));
      a.get('/download', (_req: unknown, res: Res) => res.download(join(root, `backup-${SECRET}.sql`)));
      a.get('/render', (_req: unknown, res: Res) => res.render(`admin-${SECRET}`));
      a.use('/static', factory.static(root, { fallthrough: false }));
      a.post('/echo', (_req: unknown, res: Res) => res.json({ ok: true }));
      // Invalid codes: Express 5's res.status throws; Express 4 keeps them and Node's writeHead throws.
      a.get('/status-1000', (_req: unknown, res: Res) => res.status(1000).json({ secret: SECRET }));
      a.get('/status-word', (_req: unknown, res: Res) => res.status(`5${SECRET}`).json({ secret: SECRET }));
      a.get('/send-status-99', (_req: unknown, res: Res) => res.sendStatus(99));
    });
    port = Number(new URL(app.url).port);
  });
  afterAll(async () => {
    await app.stop();
  });

  /** One problem answer with `status`, nothing of the server in it, a record under its id. */
  async function expectProblem(raw: string, status: string): Promise<Record<string, unknown>> {
    expect(raw).not.toMatch(/hunter2|faultline-express-|backup|views|ENOENT|BigInt|circular|<html/i);
    const end = raw.indexOf('\r\n\r\n');
    const [line, ...lines] = raw.slice(0, end).split('\r\n');
    expect(line).toBe(`HTTP/1.1 ${status}`);
    expect(headerValue(lines, 'content-type')).toBe('application/problem+json; charset=utf-8');
    const id = headerValue(lines, 'x-request-id');
    expect(id).toMatch(UUID);
    expect((JSON.parse(raw.slice(end + 4)) as { request_id: string }).request_id).toBe(id);
    await until(() => recordFor(app.records, id) !== undefined, 1000);
    const record = recordFor(app.records, id);
    expect(record).toBeDefined();
    return record as Record<string, unknown>;
  }

  const get = (path: string) => rawHttpExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

  it.each([
    ['/json-bigint', '500 Internal Server Error'],
    ['/json-circular', '500 Internal Server Error'],
    ['/send-file', '404 Not Found'],
    ['/download', '404 Not Found'],
    ['/render', '500 Internal Server Error'],
    ['/static/..%2f..%2fetc%2fpasswd', '403 Forbidden'],
    ['/static/%E0%A4%A', '400 Bad Request'],
    ['/static/missing.txt', '404 Not Found'],
    ['/status-1000', '500 Internal Server Error'],
    ['/status-word', '500 Internal Server Error'],
    ['/send-status-99', '500 Internal Server Error'],
  ])('%s is answered %s', async (path, status) => {
    await expectProblem(await get(path), status);
  });

  it('the log keeps what the answer leaves out (the missing file’s errno)', async () => {
    const record = await expectProblem(await get('/send-file'), '404 Not Found');
    expect(JSON.stringify(record)).toContain('ENOENT');
  });

  it.each([
    ['a corrupt gzip body', 'Content-Encoding: gzip\r\n', '400 Bad Request'],
    ['an unknown Content-Encoding', `Content-Encoding: x-${SECRET}\r\n`, '415 Unsupported Media Type'],
  ])('body-parser refusing %s', async (_label, header, status) => {
    const body = `not gzip ${SECRET}`;
    const raw = await rawHttpExchange(
      port,
      `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${header}` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    await expectProblem(raw, status);
  });
});
