/**
 * Errors of Express's own modules that framework-errors.test.ts leaves out, on real Express 5 and
 * Express 4 servers over raw sockets and curl: `express.raw()`, `text()` and `urlencoded()`
 * refusing a body (too large, a bad charset, an unknown or corrupt encoding, too many
 * parameters, too deep), `express.static` refusing a name too long, a NUL byte, a path through a
 * file or a lone `%`, a route parameter with malformed percent-encoding, `res.sendFile` of a
 * relative, overlong or NUL-carrying path, and a stream piped to the answer that fails after the
 * head (`pipe`) or destroys it (`pipeline`). Each: its status, problem JSON, one id in header and
 * body, exactly one record under it, nothing of the server's paths in the answer, and the server
 * answers the next request.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { rawHttpExchange } from '@faultline/testkit';
import express5 from 'express';
import express4 from 'express4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExpressResponse, NextFunction } from '../src/types.js';
import { headerValue, type Major, type RunningApp, startApp } from './helpers.js';

const run = promisify(execFile);
const SECRET = 'hunter2-modules';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const root = mkdtempSync(join(tmpdir(), 'faultline-modules-'));
writeFileSync(join(root, 'a.txt'), 'a');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const FORBIDDEN = /hunter2|faultline-modules-|<html|ENAMETOOLONG|ENOTDIR|sendFile|klingon/i;

type Res = ExpressResponse & { sendFile(path: string): void };
type Parsers = Record<'raw' | 'text' | 'urlencoded', (options: object) => unknown> & {
  static(root: string, options: object): unknown;
};
const ok = (_req: unknown, res: ExpressResponse) => res.end('fine');

describe.each([5, 4] as Major[])('Express %i: errors of its modules', (major) => {
  let app: RunningApp;
  let port: number;
  beforeAll(async () => {
    const factory = (major === 5 ? express5 : express4) as unknown as Parsers;
    app = await startApp(major, (a) => {
      a.get('/ok', ok);
      a.post('/raw', factory.raw({ limit: 10 }), ok);
      a.post('/text', factory.text({ limit: 10 }), ok);
      a.post('/form', factory.urlencoded({ extended: true, parameterLimit: 5, depth: 2 }), ok);
      a.use('/static', factory.static(root, { fallthrough: false }));
      a.get('/param/:id', ok);
      a.get('/send/relative', (_req: unknown, res: Res) => res.sendFile(`backup-${SECRET}.sql`));
      a.get('/send/long', (_req: unknown, res: Res) => res.sendFile(join(root, `${'x'.repeat(300)}${SECRET}`)));
      a.get('/send/nul', (_req: unknown, res: Res) => res.sendFile(join(root, `a\0${SECRET}`)));
      a.get('/stream/after-head', (_req: unknown, res: ExpressResponse, next: NextFunction) => {
        const source = new Readable({ read() {} });
        source.on('error', next);
        source.pipe(res);
        source.push('partial');
        setTimeout(() => source.destroy(new Error(`after the head ${SECRET}`)), 20);
      });
      a.get('/stream/pipeline', (_req: unknown, res: ExpressResponse, next: NextFunction) => {
        const source = new Readable({
          read() {
            this.destroy(new Error(`before the head ${SECRET}`));
          },
        });
        pipeline(source, res, (error) => {
          if (error) next(error);
        });
      });
    });
    port = Number(new URL(app.url).port);
  });
  afterAll(async () => {
    await app.stop();
  });

  const exchange = (head: string, body = '') =>
    rawHttpExchange(
      port,
      `${head}\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );

  /** The records under `id`, after the reporter wrote them. */
  async function recordsOf(id: string | undefined): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 30));
    return app.records.filter((r) => r.request_id === id).length;
  }

  /** Asserts one clean problem answer with `status`, one record, and that the server still serves. */
  async function expectProblem(raw: string, status: number): Promise<void> {
    expect(raw).not.toMatch(FORBIDDEN);
    const end = raw.indexOf('\r\n\r\n');
    const [line = '', ...lines] = raw.slice(0, end).split('\r\n');
    expect(line.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(headerValue(lines, 'content-type')).toBe('application/problem+json; charset=utf-8');
    const id = headerValue(lines, 'x-request-id');
    expect(id).toMatch(UUID);
    expect((JSON.parse(raw.slice(end + 4)) as { request_id: string }).request_id).toBe(id);
    expect(await recordsOf(id)).toBe(1);
    expect((await exchange('GET /ok HTTP/1.1')).endsWith('fine')).toBe(true);
  }

  it.each([
    ['raw() over its limit', 'raw', 'application/octet-stream', '', 'x'.repeat(100), 413],
    ['raw() with a corrupt deflate body', 'raw', 'application/octet-stream', 'Content-Encoding: deflate', 'xx', 400],
    ['text() over its limit', 'text', 'text/plain', '', 'x'.repeat(100), 413],
    ['text() with an unknown charset', 'text', `text/plain; charset=klingon-${SECRET}`, '', 'x', 415],
    ['text() with an unknown encoding', 'text', 'text/plain', `Content-Encoding: x-${SECRET}`, 'x', 415],
    [
      'urlencoded() with too many parameters',
      'form',
      'application/x-www-form-urlencoded',
      '',
      'a=1&b=2&c=3&d=4&e=5&f=6',
      413,
    ],
    ['urlencoded() too deep', 'form', 'application/x-www-form-urlencoded', '', 'a[b][c][d][e][f]=1', 400],
    ['urlencoded() in latin1', 'form', 'application/x-www-form-urlencoded; charset=latin1', '', 'a=1', 415],
  ])('%s', async (_label, path, type, extra, body, status) => {
    const head = `POST /${path} HTTP/1.1\r\nContent-Type: ${type}${extra === '' ? '' : `\r\n${extra}`}`;
    await expectProblem(await exchange(head, body), status);
  });

  it.each([
    ['static: a name too long', `/static/${'n'.repeat(300)}`, 404],
    ['static: a NUL byte', '/static/a%00b', 400],
    ['static: a path through a file', '/static/a.txt/x', 404],
    ['static: a lone %', '/static/%', 400],
    ['a route parameter cut mid-sequence', '/param/%E0%A4%A', 400],
    ['a route parameter with %ZZ', '/param/%ZZ', 400],
    ['sendFile: a relative path', '/send/relative', 500],
    ['sendFile: a name too long', '/send/long', 404],
    ['sendFile: a NUL byte', '/send/nul', 400],
  ])('%s (%s) is answered %i', async (_label, path, status) => {
    await expectProblem(await exchange(`GET ${path} HTTP/1.1`), status);
  });

  it('a stream failing after the head: the answer is cut short (no last chunk), one record', async () => {
    const raw = await exchange('GET /stream/after-head HTTP/1.1');
    expect(raw.startsWith('HTTP/1.1 200 ')).toBe(true);
    expect(raw).not.toMatch(/hunter2|\r\n0\r\n\r\n$/);
    expect(await recordsOf(headerValue(raw.split('\r\n'), 'x-request-id'))).toBe(1);
  });

  it('pipeline destroying the answer before its head: nothing to answer, one record, the server goes on', async () => {
    const before = app.records.length;
    expect(await exchange('GET /stream/pipeline HTTP/1.1')).not.toContain('hunter2');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(app.records.slice(before)).toHaveLength(1);
    expect((await exchange('GET /ok HTTP/1.1')).endsWith('fine')).toBe(true);
  });

  it.each(['/param/%E0%A4%A', `/static/${'n'.repeat(300)}`, '/send/long'])('curl %s: the same answer', async (path) => {
    const { stdout } = await run('curl', ['-s', '-i', '--path-as-is', `${app.url}${path}`]);
    const end = stdout.indexOf('\r\n\r\n');
    const id = headerValue(stdout.slice(0, end).split('\r\n'), 'x-request-id');
    expect(stdout).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect(stdout).not.toMatch(FORBIDDEN);
    expect((JSON.parse(stdout.slice(end + 4)) as { request_id: string }).request_id).toBe(id);
    expect(await recordsOf(id)).toBe(1);
  });
});
