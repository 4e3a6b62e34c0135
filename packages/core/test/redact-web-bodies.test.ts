/**
 * Values that hold what they say in internal slots, not own keys, and what an HTTP client's
 * error holds:
 * - a thrown `Response` (`if (!res.ok) throw res`), a `Request`, a `Blob`/`File` and a web stream
 *   were walked as objects: the record was `{}`. Now their class and fields, the headers under
 *   the key rules, a body never read;
 * - axios' `request` (a `ClientRequest`, its socket, listeners and buffers) was walked key by key:
 *   a 20 kB record whose budget could cut the upstream's answer. Now its class and which call it was.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture, createRedactor } from './support/source.js';

const redactor = createRedactor();
type Record = { [key: string]: unknown };

const server = createServer((_request, response) => {
  response.writeHead(500, { 'content-type': 'application/json', 'set-cookie': 'sid=abcdef' });
  response.end(JSON.stringify({ error: 'ledger down', apiKey: 'sk_live_abcdefghijklmnopqrstuvwx' }));
});
let base = '';

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('web values thrown or held by an error', () => {
  it('a fetched Response thrown: its status, url and headers, redacted; its body unread; answered as an upstream', async () => {
    const response = await fetch(`${base}/ledger?token=abcdefghijklmnop`);
    const out = redactor.redact(response) as Record;
    expect(out).toMatchObject({ '[type]': 'Response', status: 500, url: `${base}/ledger?token=[REDACTED]` });
    expect(out.headers).toMatchObject({ 'content-type': 'application/json', 'set-cookie': '[REDACTED]' });
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual({ error: 'ledger down', apiKey: 'sk_live_abcdefghijklmnopqrstuvwx' });
    expect([capture(response).status, capture(response).code]).toEqual([502, 'BAD_GATEWAY']);
  });

  it('a Request: method, url and headers, Authorization redacted', () => {
    const request = new Request('http://billing.internal/charge?api_key=abcdefghijkl', {
      method: 'POST',
      headers: { Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz', 'x-trace': '7' },
      body: '{"password":"hunter2"}',
    });
    const out = redactor.redact(Object.assign(new Error('charge failed'), { request })) as Record;
    expect(out.request).toEqual({
      '[type]': 'Request',
      method: 'POST',
      url: 'http://billing.internal/charge?api_key=[REDACTED]',
      bodyUsed: false,
      headers: { authorization: '[REDACTED]', 'content-type': 'text/plain;charset=UTF-8', 'x-trace': '7' },
    });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|abcdefghijklmnopqrstuvwxyz/);
  });

  it('a Blob, a File and a ReadableStream: their class and size or state', () => {
    const out = redactor.redact({
      blob: new Blob(['secret body'], { type: 'text/plain' }),
      file: new File(['x'], 'upload.csv'),
      stream: new ReadableStream(),
    });
    expect(out).toEqual({
      blob: { '[type]': 'Blob', size: 11, type: 'text/plain' },
      file: { '[type]': 'File', name: 'upload.csv', size: 1, type: '' },
      stream: { '[type]': 'ReadableStream', locked: false },
    });
  });
});

describe("an HTTP client's request and socket", () => {
  it("axios: the request is its class and call, the upstream's answer is kept, redacted", async () => {
    const thrown = await axios
      .get(`${base}/ledger`, { headers: { Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz' } })
      .catch((error: unknown) => error);
    const out = redactor.redact(thrown) as Record & { response: Record };
    const request = { '[type]': 'ClientRequest', method: 'GET', protocol: 'http:', host: '127.0.0.1', path: '/ledger' };
    expect(out.request).toEqual(request);
    expect(out.response.request).toEqual(request);
    expect(out.response.status).toBe(500);
    expect(out.response.data).toEqual({ error: 'ledger down', apiKey: '[REDACTED]' });
    const text = JSON.stringify(out);
    expect(text).not.toMatch(/sk_live|abcdefghijklmnopqrstuvwxyz|sid=abcdef/);
    // The socket graph is cut, not walked: a few kilobytes, no listeners or stream state.
    expect(text).not.toMatch(/_events|_writableState|_readableState/);
    expect(text.length).toBeLessThan(6000);
  });

  it('a socket an error holds is its class and addresses', async () => {
    const port = (server.address() as AddressInfo).port;
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const out = redactor.redact(Object.assign(new Error('reset'), { socket })) as Record;
    expect(out.socket).toEqual({
      '[type]': 'Socket',
      remoteAddress: '127.0.0.1',
      remotePort: port,
      localAddress: '127.0.0.1',
      localPort: socket.localPort,
    });
    socket.destroy();
  });
});
