/**
 * A client that goes away during `res.sendFile` (client-aborted.ts): Express calls the route's
 * callback with its own `Error('Request aborted')`, `code: 'ECONNABORTED'`, which the documented
 * pattern passes to `next`. It was recorded as a 502 `BAD_GATEWAY` (core reads the code as an
 * upstream connection's): every cancelled download counted as a server fault. On real Express 5
 * and Express 4 servers on 127.0.0.1, a raw client reads the head and leaves: the record under
 * the head's id is `CANCELLED` (499), once, and the server serves the next request. A client
 * still there when the same error is passed on gets the 500 it is owed, not a 499. A client that
 * leaves while its JSON body is read (body-parser's `request aborted`, the same code) is recorded
 * as its cancellation too, not as its invalid request (`VALIDATION_FAILED`, 400).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawHttpExchange, until } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExpressResponse, NextFunction } from '../src/types.js';
import { headerValue, type Major, type RunningApp, startApp } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-abort-'));
// Large enough that the answer is still being written when the client leaves.
writeFileSync(join(root, 'big.bin'), Buffer.alloc(64 * 1024 * 1024, 97));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Res = ExpressResponse & { sendFile(path: string, callback: (error: unknown) => void): void };

/** Sends a GET for `path`, reads the head, leaves, and resolves with the head's request id. */
function leaveAfterHead(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.destroy();
      resolve(headerValue(text.slice(0, end).split('\r\n'), 'x-request-id') ?? '');
    });
    socket.on('error', reject);
  });
}

/**
 * Sends a POST head with `Expect: 100-continue`, waits for the `100 Continue` (the request is in
 * the app, its body being read), sends part of the body and leaves.
 */
function leaveMidBody(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n`,
      ),
    );
    socket.setEncoding('latin1');
    socket.once('data', () => {
      socket.write('{"order":');
      setImmediate(() => socket.destroy());
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

describe.each([5, 4] as Major[])('Express %i: a client leaving a res.sendFile answer', (major) => {
  let app: RunningApp;
  let port: number;
  beforeAll(async () => {
    app = await startApp(major, (a) => {
      a.get('/ok', (_req: unknown, res: ExpressResponse) => res.end('fine'));
      a.get('/download', (_req: unknown, res: Res, next: NextFunction) =>
        res.sendFile(join(root, 'big.bin'), (error) => {
          if (error) next(error);
        }),
      );
      // The same error while the client is still there: the server's own failure.
      a.get('/same-error', (_req: unknown, _res: unknown, next: NextFunction) =>
        next(Object.assign(new Error('Request aborted'), { code: 'ECONNABORTED' })),
      );
    });
    port = Number(new URL(app.url).port);
  });
  afterAll(async () => {
    await app.stop();
  });

  it('is recorded as the client’s cancellation (499), not a 502', async () => {
    const id = await leaveAfterHead(port, '/download');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const recordsOf = () => app.records.filter((r) => r.request_id === id);
    await until(() => recordsOf().length > 0, 5000);
    expect(recordsOf().map((r) => [r.code, r.status])).toEqual([['CANCELLED', 499]]);
    expect(
      (await rawHttpExchange(port, 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).endsWith('fine'),
    ).toBe(true);
  });

  it('a client leaving while its body is read: its cancellation (499), not its invalid request', async () => {
    const before = app.records.length;
    await leaveMidBody(port, '/upload');
    const recorded = () => app.records.slice(before).filter((r) => r.code !== undefined);
    await until(() => recorded().length > 0, 5000);
    expect(recorded().map((r) => [r.code, r.status, r.reason])).toEqual([
      ['CANCELLED', 499, 'body:request.aborted:client-gone'],
    ]);
    expect(
      (await rawHttpExchange(port, 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).endsWith('fine'),
    ).toBe(true);
  });

  it('while the client is still there, the same error is answered as a server failure', async () => {
    const raw = await rawHttpExchange(port, 'GET /same-error HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(raw.startsWith('HTTP/1.1 499')).toBe(false);
    expect(raw).toMatch(/^HTTP\/1\.1 5\d\d /);
  });
});
