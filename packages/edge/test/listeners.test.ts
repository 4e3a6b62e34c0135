/**
 * One configuration with every listener a deployment needs, run by the real nginx and HAProxy on
 * ephemeral ports: the public TLS 1.3 + HTTP/2 listener, an internal plain listener for
 * service-to-service traffic, and a plain port that only redirects to HTTPS, all at once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, makeDrainCertificates, rawHttpExchange } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFaultlineAnswer, LEAKS, logged, V4_ID } from './answers.js';
import { type Backend, startBackend } from './backend.js';
import { curl, type Gateway, headerValues, rawExchange, startHaproxy, startNginx } from './gateway.js';

let backend: Backend;
let certDir = '';

beforeAll(async () => {
  backend = await startBackend();
  certDir = makeDrainCertificates().dir;
  writeFileSync(
    join(certDir, 'server-bundle.pem'),
    `${readFileSync(join(certDir, 'server.crt'), 'utf8')}${readFileSync(join(certDir, 'server.key'), 'utf8')}`,
  );
});

afterAll(async () => {
  await backend?.close();
});

interface Ports {
  readonly tls: number;
  readonly internal: number;
  readonly redirect: number;
}

const starters: Record<'nginx' | 'HAProxy', (ports: Ports) => Promise<Gateway>> = {
  nginx: (ports) =>
    startNginx(ports.tls, {
      upstreams: [`127.0.0.1:${backend.port}`],
      routes: ['/api/'],
      listen: [`127.0.0.1:${ports.tls}`],
      internalListen: [`127.0.0.1:${ports.internal}`],
      redirectListen: [`127.0.0.1:${ports.redirect}`],
      tls: { certificate: join(certDir, 'server.crt'), key: join(certDir, 'server.key') },
    }),
  HAProxy: (ports) =>
    startHaproxy(ports.tls, {
      upstreams: [`127.0.0.1:${backend.port}`],
      routes: ['/api/'],
      listen: [`127.0.0.1:${ports.tls}`],
      internalListen: [`127.0.0.1:${ports.internal}`],
      redirectListen: [`127.0.0.1:${ports.redirect}`],
      tls: { certificate: join(certDir, 'server-bundle.pem') },
    }),
};

describe.each(Object.keys(starters) as (keyof typeof starters)[])(
  '%s: public, internal and redirect listeners',
  (name) => {
    let gateway: Gateway;
    let ports: Ports;

    beforeAll(async () => {
      ports = { tls: await freePort(), internal: await freePort(), redirect: await freePort() };
      gateway = await starters[name](ports);
    });

    afterAll(async () => {
      await gateway?.stop();
    });

    const tls = (path: string, ...args: string[]) =>
      curl(['--cacert', join(certDir, 'ca.crt'), ...args, `https://127.0.0.1:${ports.tls}${path}`]);

    it('public: TLS 1.3 with HTTP/2, proxied with the edge id', async () => {
      const exchange = await tls('/api/echo', '--http2', '--tlsv1.3');
      expect(exchange.protocol).toBe('HTTP/2');
      expect(exchange.status).toBe(200);
      const [id] = headerValues(exchange, 'x-request-id');
      expect(JSON.parse(exchange.body)).toEqual({ seen: id });
      expectFaultlineAnswer(await tls('/admin', '--http2'), 404, 'NOT_FOUND');
    });

    it('public: the backend is told the scheme was https, whatever the client claims', async () => {
      const exchange = await tls('/api/headers', '--http2', '-H', 'X-Forwarded-Proto: http');
      expect(JSON.parse(exchange.body)).toMatchObject({ 'x-forwarded-proto': 'https' });
    });

    it('public: refuses TLS 1.2', async () => {
      expect((await tls('/api/echo', '--tlsv1.0', '--tls-max', '1.2')).exit).toBe(35);
    });

    it('internal: plain HTTP/1.1 to the same routes, ids and pages', async () => {
      const url = `http://127.0.0.1:${ports.internal}`;
      const echo = await curl(['-H', `X-Request-ID: ${V4_ID}`, `${url}/api/echo`]);
      expect(echo.protocol).toBe('HTTP/1.1');
      expect(echo.status).toBe(200);
      expect(headerValues(echo, 'x-request-id')).toEqual([V4_ID]);
      expect(JSON.parse(echo.body)).toEqual({ seen: V4_ID });
      const id = expectFaultlineAnswer(await curl([`${url}/admin`]), 404, 'NOT_FOUND');
      expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, status: 404 });
      expectFaultlineAnswer(await curl([`${url}/api/html`]), 500, 'INTERNAL');
    });

    it('redirect: 301 to the public listener with the path and query, no body, nothing named', async () => {
      const exchange = await curl([`http://127.0.0.1:${ports.redirect}/api/echo?a=1&b=2`]);
      expect(exchange.status).toBe(301);
      expect(headerValues(exchange, 'location')).toEqual([`https://127.0.0.1:${ports.tls}/api/echo?a=1&b=2`]);
      expect(exchange.body).toBe('');
      expect(headerValues(exchange, 'server')).toEqual([]);
      // (The Location names the address, 127.0.0.1: everything else must name nothing.)
      expect(exchange.raw.replace(/\r\nlocation: [^\r]*/i, '')).not.toMatch(LEAKS);
      const [id] = headerValues(exchange, 'x-request-id');
      expect(await logged(gateway.dir, id as string)).toMatchObject({ status: 301 });
    });

    it('redirect: a client that follows it reaches the service over TLS', async () => {
      const exchange = await curl([
        '--cacert',
        join(certDir, 'ca.crt'),
        '-L',
        '--max-redirs',
        '1',
        `http://127.0.0.1:${ports.redirect}/api/echo`,
      ]);
      // curl -i prints both answers: the last one is the service's.
      expect(exchange.raw).toMatch(/^HTTP\/1\.1 301 /);
      expect(exchange.raw).toMatch(/\r\n\r\nHTTP\/2 200 \r\n[\s\S]*"seen":"[0-9a-f-]{36}"}$/);
    });

    it.each([
      ['none', ''],
      ['with a space', 'Host: a b\r\n'],
      ['with a slash', 'Host: evil.example/x?\r\n'],
    ])('redirect: a Host (%s) that cannot make a Location: 400 in the same shape, no Location', async (_n, host) => {
      const exchange = await rawExchange(ports.redirect, `GET /api/echo HTTP/1.1\r\n${host}Connection: close\r\n\r\n`);
      const id = expectFaultlineAnswer(exchange, 400, 'VALIDATION_FAILED');
      expect(headerValues(exchange, 'location')).toEqual([]);
      expect(await logged(gateway.dir, id)).toMatchObject({ status: 400 });
    });

    it('redirect: a malformed request gets the gateway page, not the product page', async () => {
      const raw = await rawHttpExchange(
        ports.redirect,
        'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      );
      expect(raw).toMatch(/^HTTP\/1\.1 400 /);
      expect(raw).not.toMatch(LEAKS);
      expect(raw).not.toMatch(/\r\nserver:/i);
    });
  },
);
