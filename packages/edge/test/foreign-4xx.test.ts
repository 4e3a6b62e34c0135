/**
 * A backend's own 4xx that is not JSON (Tomcat's HTML 404 naming its version, Express's "Cannot
 * GET", Go's text, an XML 422, a 401 with no body): both gateways replace it by the page of the
 * status's category with the status kept; a JSON 4xx passes as it came; `passForeign4xx` passes
 * them all. A raw TCP backend, so every header and body is exactly what a foreign server sends.
 */
import type { Socket } from 'node:net';
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFaultlineAnswer, logged } from './answers.js';
import { type Gateway, headerValues, rawExchange, startHaproxy, startNginx } from './gateway.js';
import { type RawBackend, startRawBackend } from './raw-backend.js';

const TOMCAT =
  '<!doctype html><html lang="en"><head><title>HTTP Status 404 - Not Found</title></head><body><h1>HTTP Status 404 - Not Found</h1><h3>Apache Tomcat/9.0.71</h3></body></html>';

/** Path → status line, headers and body (HEAD gets the headers only). */
const ROUTES: Record<string, [string, string[], string]> = {
  '/api/tomcat': ['404 ', ['content-type: text/html;charset=utf-8', 'content-language: en'], TOMCAT],
  '/api/express': [
    '404 Not Found',
    ['x-powered-by: Express', 'content-type: text/html; charset=utf-8'],
    '<pre>Cannot GET /api/express</pre>',
  ],
  '/api/go': ['404 Not Found', ['content-type: text/plain; charset=utf-8'], '404 page not found\n'],
  '/api/gone': ['410 Gone', ['content-type: text/html'], '<h1>Gone</h1> nginx/1.18.0'],
  '/api/teapot': ["418 I'm a teapot", [], 'stack: at Teapot.brew (/srv/app/tea.js:1:1)'],
  '/api/xml-422': ['422 Unprocessable Entity', ['content-type: application/xml'], '<error>at /srv/app</error>'],
  '/api/legal': ['451 Unavailable For Legal Reasons', ['content-type: text/html'], '<p>Jetty 9.4.1</p>'],
  '/api/empty-403': ['403 Forbidden', [], ''],
  '/api/basic': [
    '401 Unauthorized',
    ['www-authenticate: Basic realm="Tomcat Manager Application"', 'content-type: text/html'],
    '<h1>401</h1>',
  ],
  '/api/no-challenge': ['401 Unauthorized', ['content-type: text/plain'], 'no'],
  '/api/allow': ['405 Method Not Allowed', ['allow: GET, POST', 'content-type: text/plain'], 'no'],
  '/api/bad-allow': ['405 Method Not Allowed', ['allow: GET; rm -rf', 'content-type: text/plain'], 'no'],
  '/api/retry': ['429 Too Many Requests', ['retry-after: 30', 'content-type: text/html'], '<h1>slow down</h1>'],
  '/api/bad-retry': ['429 Too Many Requests', ['retry-after: 999999', 'content-type: text/html'], 'x'],
  '/api/retry-503': ['503 Service Unavailable', ['retry-after: 120', 'content-type: text/html'], '<pre>stack'],
  '/api/json-404': ['404 Not Found', ['content-type: application/json'], '{"error":"no such order"}'],
  '/api/problem-409': ['409 Conflict', ['content-type: application/problem+json'], '{"title":"taken"}'],
  '/api/vnd-422': ['422 Unprocessable Entity', ['content-type: application/vnd.api+json'], '{"errors":[]}'],
};

/** Answers one request head with its route's status, fields and body (no body to HEAD). */
function answer(head: string, socket: Socket): void {
  const [method = '', path = ''] = head.split(' ');
  const [status, headers, body] = ROUTES[path] ?? ['200 OK', [], ''];
  const lines = [`HTTP/1.1 ${status}`, ...headers, `content-length: ${Buffer.byteLength(body)}`];
  socket.write(`${lines.join('\r\n')}\r\n\r\n${method === 'HEAD' ? '' : body}`);
}
let backend: RawBackend | undefined;

type Name = 'nginx' | 'haproxy';
const gateways = {} as Record<Name | 'nginx-pass' | 'haproxy-pass', Gateway>;

beforeAll(async () => {
  backend = await startRawBackend(answer);
  const options = { upstreams: [`127.0.0.1:${backend.port}`], routes: ['/api/'] };
  gateways.nginx = await startNginx(await freePort(), options);
  gateways.haproxy = await startHaproxy(await freePort(), options);
  gateways['nginx-pass'] = await startNginx(await freePort(), { ...options, passForeign4xx: true });
  gateways['haproxy-pass'] = await startHaproxy(await freePort(), { ...options, passForeign4xx: true });
});

afterAll(async () => {
  for (const gateway of Object.values(gateways)) await gateway?.stop();
  await backend?.stop();
});

const send = (name: keyof typeof gateways, path: string, method = 'GET') =>
  rawExchange(gateways[name].port, `${method} ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);

describe.each(['nginx', 'haproxy'] as const)('%s: a backend 4xx that is not JSON', (name: Name) => {
  it.each([
    ['/api/tomcat', 404, 'NOT_FOUND'],
    ['/api/express', 404, 'NOT_FOUND'],
    ['/api/go', 404, 'NOT_FOUND'],
    ['/api/gone', 410, 'NOT_FOUND'],
    ['/api/teapot', 418, 'VALIDATION_FAILED'],
    ['/api/xml-422', 422, 'VALIDATION_FAILED'],
    ['/api/legal', 451, 'VALIDATION_FAILED'],
    ['/api/empty-403', 403, 'FORBIDDEN'],
  ])('%s: replaced, status %i kept, %s', async (path, status, code) => {
    const exchange = await send(name, path);
    expect(exchange.raw).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    const id = expectFaultlineAnswer(exchange, status, code);
    expect(exchange.raw).not.toMatch(/tomcat|express|jetty|page not found|Cannot GET|content-language/i);
    expect(await logged(gateways[name].dir, id)).toMatchObject({ status, upstream_status: String(status) });
  });

  it('HEAD: the page headers, with the length of the page, and no body', async () => {
    const exchange = await send(name, '/api/tomcat', 'HEAD');
    expect(exchange.status).toBe(404);
    expect(headerValues(exchange, 'content-type')).toEqual(['application/problem+json; charset=utf-8']);
    expect(headerValues(exchange, 'x-content-type-options')).toEqual(['nosniff']);
    expect(headerValues(exchange, 'x-request-id')).toHaveLength(1);
    const page = (await send(name, '/api/tomcat')).body;
    expect(headerValues(exchange, 'content-length')).toEqual([String(page.length)]);
    expect(exchange.body).toBe('');
  });

  it.each([
    ['/api/basic', 401, 'UNAUTHENTICATED', 'www-authenticate', 'Basic'],
    ['/api/no-challenge', 401, 'UNAUTHENTICATED', 'www-authenticate', 'Bearer'],
    ['/api/allow', 405, 'METHOD_NOT_ALLOWED', 'allow', 'GET, POST'],
    ['/api/bad-allow', 405, 'METHOD_NOT_ALLOWED', 'allow', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'],
    ['/api/retry', 429, 'RATE_LIMITED', 'retry-after', '30'],
    ['/api/bad-retry', 429, 'RATE_LIMITED', 'retry-after', '1'],
    ['/api/retry-503', 503, 'UNAVAILABLE', 'retry-after', '120'],
  ])('%s: %i %s keeps a well-formed %s of the backend (%s)', async (path, status, code, header, value) => {
    const exchange = await send(name, path);
    expectFaultlineAnswer(exchange, status, code);
    expect(headerValues(exchange, header)).toEqual([value]);
    expect(exchange.raw).not.toMatch(/realm|rm -rf/);
  });

  it.each([
    ['/api/json-404', 404, '{"error":"no such order"}'],
    ['/api/problem-409', 409, '{"title":"taken"}'],
    ['/api/vnd-422', 422, '{"errors":[]}'],
  ])('%s: a JSON %i passes as it came', async (path, status, body) => {
    const exchange = await send(name, path);
    expect(exchange.status).toBe(status);
    expect(exchange.body).toBe(body);
  });
});

describe.each(['nginx-pass', 'haproxy-pass'] as const)('%s (passForeign4xx): foreign 4xx pass', (name) => {
  it.each([
    ['/api/tomcat', 404, TOMCAT],
    ['/api/gone', 410, '<h1>Gone</h1> nginx/1.18.0'],
  ])('%s: %i as it came', async (path, status, body) => {
    const exchange = await send(name, path);
    expect(exchange.status).toBe(status);
    expect(exchange.body).toBe(body);
  });

  it('a foreign 5xx is still replaced', async () => {
    expectFaultlineAnswer(await send(name, '/api/retry-503'), 503, 'UNAVAILABLE');
  });
});
