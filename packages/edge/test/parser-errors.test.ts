/**
 * The gateways' own HTTP/1 parser errors, sent on raw TCP sockets: a malformed request line, a
 * request line or header block over the limits, a request over HAProxy's buffer, a head that never
 * ends. What carries the request id: nginx answers every parser error with its page (the id in
 * the header, the body and the access log line); HAProxy answers the limits with its pages (its
 * rules run once the head is parsed), but a request its HTTP/1 parser refuses gets HAProxy 2.6's
 * built-in page (no rule runs, and `errorfile` can only silence it), and a head cut short its
 * built-in 408 (`gateway-scenarios.test.ts`); nginx closes such a connection in silence.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFaultlineAnswer, LEAKS, logged } from './answers.js';
import { type Gateway, headerValues, idle, rawExchange, startHaproxy, startNginx } from './gateway.js';

const gateways = {} as Record<'nginx' | 'haproxy', Gateway>;

beforeAll(async () => {
  // No backend: every request here is refused before one would be asked.
  // headerTimeout 1 s, the least (10 s by default): the head that never ends below waits it out.
  const options = { upstreams: [`127.0.0.1:${await freePort()}`], routes: ['/api/'], headerTimeout: 1 };
  gateways.nginx = await startNginx(await freePort(), options);
  gateways.haproxy = await startHaproxy(await freePort(), options);
});

afterAll(async () => {
  await gateways.nginx?.stop();
  await gateways.haproxy?.stop();
});

const REQUESTS = {
  'bad request line': 'GET /\x01 HTTP/9.9\r\n\r\n',
  'request line over the limit': `GET /api/${'a'.repeat(9000)} HTTP/1.1\r\nHost: a\r\n\r\n`,
  'header block over the limit': `GET /api/x HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(24_000)}\r\n\r\n`,
  "request over HAProxy's 128 KB buffer": `GET /api/x HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(140_000)}\r\n\r\n`,
} as const;

// Each exchange is a connection of its own, found in the access log by its own id: all run at once.
describe.concurrent.each([
  ['nginx', 'bad request line', 400, 'VALIDATION_FAILED'],
  ['nginx', 'request line over the limit', 414, 'URI_TOO_LONG'],
  ['nginx', 'header block over the limit', 431, 'HEADER_FIELDS_TOO_LARGE'],
  ['nginx', "request over HAProxy's 128 KB buffer", 431, 'HEADER_FIELDS_TOO_LARGE'],
  ['haproxy', 'request line over the limit', 414, 'URI_TOO_LONG'],
  ['haproxy', 'header block over the limit', 431, 'HEADER_FIELDS_TOO_LARGE'],
] as const)('%s, %s', (name, request, status, code) => {
  it(`${status} ${code} in the application's shape, its id in the access log`, async () => {
    const exchange = await rawExchange(gateways[name].port, REQUESTS[request]);
    const id = expectFaultlineAnswer(exchange, status, code);
    expect(await logged(gateways[name].dir, id)).toMatchObject({ request_id: id, status });
  });
});

describe.concurrent.each(['bad request line', "request over HAProxy's 128 KB buffer"] as const)(
  'haproxy, %s',
  (request) => {
    it("HAProxy 2.6's built-in 400: no id (its HTTP/1 parser answers before any rule), naming nothing", async () => {
      const exchange = await rawExchange(gateways.haproxy.port, REQUESTS[request]);
      expect(exchange.status).toBe(400);
      expect(headerValues(exchange, 'x-request-id')).toEqual([]);
      expect(headerValues(exchange, 'content-type')).toEqual(['text/html']);
      expect(headerValues(exchange, 'server')).toEqual([]);
      expect(exchange.raw).not.toMatch(LEAKS);
    });
  },
);

describe.concurrent('nginx: a head that never ends', () => {
  it('is closed in silence after headerTimeout (as HAProxy times it out), logged 408 with an id', async () => {
    const started = Date.now();
    const cut = await idle(gateways.nginx.port, 'GET /api/slow-client HTTP/1.1\r\nHost: a\r\nX-Slow: 1', 6000);
    // Closed by the gateway's bound, not by the wait's end.
    expect(Date.now() - started).toBeLessThan(5500);
    expect(cut.closed).toBe(true);
    expect(cut.text).toBe('');
    const lines = readFileSync(join(gateways.nginx.dir, 'access.log'), 'utf8').split('\n').filter(Boolean);
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.uri === '/api/slow-client');
    expect(line).toMatchObject({ status: 408, method: 'GET' });
    expect(String(line?.request_id)).toMatch(/^[0-9a-f-]{36}$/);
  }, 12_000);
});
