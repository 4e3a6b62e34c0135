/**
 * nginx over HTTP/2 (the TLS listener), for the requests it refuses before they reach a location:
 * what the client gets, and an access log whose every line stays JSON even for a request nginx
 * never answered (logged with status 0).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, makeDrainCertificates } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, expectFaultlineAnswer, LEAKS, logged } from './answers.js';
import { type Backend, startBackend } from './backend.js';
import { curl, type Gateway, startNginx } from './gateway.js';

let backend: Backend;
let gateway: Gateway;
let certDir = '';

beforeAll(async () => {
  backend = await startBackend();
  const certs = makeDrainCertificates();
  certDir = certs.dir;
  gateway = await startNginx(await freePort(), {
    upstreams: [`127.0.0.1:${backend.port}`],
    routes: ['/api/'],
    tls: { certificate: join(certs.dir, 'server.crt'), key: join(certs.dir, 'server.key') },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await backend?.close();
});

const h2 = (path: string, ...args: string[]) =>
  curl(['--http2', '--cacert', join(certDir, 'ca.crt'), ...args, `https://127.0.0.1:${gateway.port}${path}`]);

/** The access log's lines so far. */
const logLines = () => readFileSync(join(gateway.dir, 'access.log'), 'utf8').split('\n').filter(Boolean);

describe('nginx over HTTP/2: the access log', () => {
  it('a URL over the limit closes the connection; its log line (never answered: status 0) is JSON', async () => {
    const exchange = await h2(`/api/${'u'.repeat(20_000)}`);
    expect(exchange.raw).not.toMatch(LEAKS);
    const unanswered = await eventually(() => logLines().find((line) => /"status":0+,/.test(line)));
    expect(unanswered).toBeDefined();
    for (const line of logLines()) expect(() => JSON.parse(line), line).not.toThrow();
    expect(JSON.parse(unanswered as string)).toMatchObject({ status: 0, protocol: 'HTTP/2.0' });
  });
});

describe('nginx over HTTP/2: requests over the limits', () => {
  // HPACK-compressed, two 9000-byte lines fit nginx's buffers; the backend's HTTP parser (Node:
  // 16 KiB of headers) refuses them with its own 431 and an id of its own, replaced by the page.
  it('headers nginx lets through but the backend refuses: 431 in the same shape, one id', async () => {
    const exchange = await h2('/api/echo', '-H', `X-A: ${'a'.repeat(9000)}`, '-H', `X-B: ${'b'.repeat(9000)}`);
    const id = expectFaultlineAnswer(exchange, 431, 'HEADER_FIELDS_TOO_LARGE');
    expect(await logged(gateway.dir, id)).toMatchObject({ status: 431, upstream_status: '431' });
  });
});
