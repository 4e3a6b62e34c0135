/**
 * `fl.clientError` while an answer is on the wire, on real Express 5 and Express 4 servers over
 * raw sockets: a malformed request pipelined behind a streamed answer, or a request body whose
 * chunk framing breaks while its echo streams, made Node's parser fail after that answer's head
 * had left; the listener wrote its whole HTTP/1.1 400 answer into that answer's chunked body. It
 * now writes nothing there, records the client error and closes the connection (Node's own
 * rule): the client sees the streamed answer cut short. With no head on the wire yet, the 400 is
 * answered as before.
 */
import { rawHttpExchange } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExpressRequest, ExpressResponse } from '../src/types.js';
import { headerValue, type Major, type RunningApp, startApp } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.each([5, 4] as Major[])('Express %i: a client error behind an answer on the wire', (major) => {
  let app: RunningApp;
  let port: number;
  beforeAll(async () => {
    app = await startApp(major, (a) => {
      a.get('/stream', (_req: unknown, res: ExpressResponse) => {
        res.setHeader('content-type', 'text/plain');
        res.write('first-part;');
        setTimeout(() => res.end('second-part'), 150);
      });
      a.get('/slow', (_req: unknown, res: ExpressResponse) => {
        setTimeout(() => res.end('slow-done'), 150);
      });
      a.post('/echo', (req: ExpressRequest, res: ExpressResponse) => {
        res.setHeader('content-type', 'text/plain');
        res.write('started;');
        req.on('data', (chunk: Buffer) => res.write(chunk));
        req.on('end', () => res.end(';end'));
        // The request stream errors when its framing breaks: the route ends nothing.
        req.on('error', () => undefined);
      });
    });
    port = Number(new URL(app.url).port);
  });
  afterAll(async () => {
    await app.stop();
  });

  /** The client-error records logged since `before` records. */
  async function clientErrorsAfter(before: number): Promise<Record<string, unknown>[]> {
    await new Promise((resolve) => setTimeout(resolve, 200));
    return app.records.slice(before).filter((record) => record.source === 'http.client_error');
  }

  it.each([
    [
      'a malformed request pipelined behind a streamed answer',
      'GET /stream HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n',
    ],
    [
      'a body whose chunk framing breaks while its echo streams',
      'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nZZZ\r\n',
    ],
  ])('%s: no HTTP text inside the answer, which is cut short; the error is recorded', async (_label, request) => {
    const before = app.records.length;
    const raw = await rawHttpExchange(port, request);
    // Never a second status line: one answer's bytes, whichever came first.
    expect((raw.match(/HTTP\/1\.1 /g) ?? []).length).toBeLessThanOrEqual(1);
    if (raw.startsWith('HTTP/1.1 400 ')) {
      // Node 24 reads the whole pipelined buffer, so the parser can refuse the second request
      // before the first answer's head leaves: then the 400 alone, whole, is right.
      expect(raw).not.toMatch(/first-part|started;/);
      const end = raw.indexOf('\r\n\r\n');
      const id = headerValue(raw.slice(0, end).split('\r\n'), 'x-request-id');
      expect((JSON.parse(raw.slice(end + 4)) as { request_id: string }).request_id).toBe(id);
    } else {
      // Nothing, when the connection closed before the answer's first bytes were flushed, or that
      // answer's head and first chunks, never given their final chunk: no problem body inside.
      if (raw !== '') expect(raw.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
      expect(raw).not.toMatch(/problem\+json|VALIDATION_FAILED|request_id/);
      expect(raw).not.toMatch(/\r\n0\r\n\r\n$/);
    }
    const records = await clientErrorsAfter(before);
    expect(records).toHaveLength(1);
    expect(records[0]?.status).toBe(400);
    expect(records[0]?.request_id).toMatch(UUID);
  });

  it('behind an answer whose head has not left, the 400 is answered, one id in header and body', async () => {
    const before = app.records.length;
    const raw = await rawHttpExchange(
      port,
      'GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(raw.startsWith('HTTP/1.1 400 Bad Request\r\n')).toBe(true);
    expect(raw).not.toContain('slow-done');
    const end = raw.indexOf('\r\n\r\n');
    const id = headerValue(raw.slice(0, end).split('\r\n'), 'x-request-id');
    expect(id).toMatch(UUID);
    expect((JSON.parse(raw.slice(end + 4)) as { request_id: string }).request_id).toBe(id);
    const records = await clientErrorsAfter(before);
    expect(records.map((record) => record.request_id)).toEqual([id]);
  });
});
