/**
 * Round 9: gateway scenarios against the real nginx and HAProxy, over HTTP/1.1 (the internal
 * listener) and HTTP/2 (the TLS listener): a request the HTTP/2 layer finds malformed (a `:method`
 * that is not a token) still gets one id in the page, its header and the log line; a backend's
 * `Set-Cookie` whose `Domain` names an internal host loses that name.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:http2';
import { join } from 'node:path';
import { freePort, makeDrainCertificates } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEAKS, logged, UUID_V4 } from './answers.js';
import { curl, type Gateway, headerValues, startHaproxy, startNginx } from './gateway.js';
import { type RawBackend, startRawBackend } from './raw-backend.js';

const EXPIRES = 'Expires=Wed, 21 Oct 2037 07:28:00 GMT';
/** The backend's cookies: internal domains (named, a cluster suffix with its dot, an IP) and a public one. */
const COOKIES = [
  'sid=1; Domain=orders-svc.internal; Path=/; HttpOnly',
  `k8s=2; ${EXPIRES}; domain=.svc.cluster.local`,
  'ip=3; Path=/; Domain=10.0.0.5; Secure',
  'pub=4; Domain=example.com; Path=/',
];

let backend: RawBackend;
let certDir = '';
const gateways = {} as Record<'nginx' | 'haproxy', Gateway & { tls: number }>;

beforeAll(async () => {
  backend = await startRawBackend((head, socket) => {
    const path = head.split(' ')[1] ?? '';
    const cookies = path === '/api/cookies' ? COOKIES.map((c) => `set-cookie: ${c}\r\n`).join('') : '';
    socket.end(`HTTP/1.1 200 OK\r\n${cookies}content-type: application/json\r\ncontent-length: 2\r\n\r\n{}`);
  });
  const certs = makeDrainCertificates();
  certDir = certs.dir;
  const bundle = join(certDir, 'bundle.pem');
  writeFileSync(
    bundle,
    readFileSync(join(certDir, 'server.crt'), 'utf8') + readFileSync(join(certDir, 'server.key'), 'utf8'),
  );
  for (const name of ['nginx', 'haproxy'] as const) {
    const [plain, tls] = [await freePort(), await freePort()];
    const base = {
      upstreams: [`127.0.0.1:${backend.port}`],
      routes: ['/api/'],
      listen: [`127.0.0.1:${tls}`],
      internalListen: [`127.0.0.1:${plain}`],
    };
    const gateway =
      name === 'nginx'
        ? await startNginx(plain, {
            ...base,
            tls: { certificate: join(certDir, 'server.crt'), key: join(certDir, 'server.key') },
          })
        : await startHaproxy(plain, { ...base, tls: { certificate: bundle } });
    gateways[name] = { ...gateway, tls };
  }
}, 60_000);

afterAll(async () => {
  await gateways.nginx?.stop();
  await gateways.haproxy?.stop();
  await backend?.stop();
});

/** One HTTP/2 request with `headers` as given (Node checks no pseudo-header's value): status, headers, body. */
function h2(port: number, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const client = connect(`https://127.0.0.1:${port}`, {
      ca: readFileSync(join(certDir, 'ca.crt')),
      servername: 'localhost',
    });
    client.on('error', reject);
    const request = client.request(headers);
    let body = '';
    let answer: Record<string, unknown> = {};
    request.setEncoding('utf8');
    request.on('response', (h) => {
      answer = h;
    });
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('error', reject);
    request.on('close', () => {
      client.close();
      resolve({ status: Number(answer[':status']), headers: answer, body });
    });
    request.end();
  });
}

describe.each(['nginx', 'haproxy'] as const)('%s: a :method the HTTP/2 layer refuses', (name) => {
  it.each(['G"E\\T', 'A","status":200,"b":"', 'GÉT'])(
    '%s: the 400 page with one id, in the header, the body and the log line',
    async (method) => {
      const answer = await h2(gateways[name].tls, { ':method': method, ':path': '/api/echo' });
      expect(answer.status).toBe(400);
      const id = answer.headers['x-request-id'];
      expect(id).toMatch(UUID_V4);
      expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(JSON.parse(answer.body)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', request_id: id });
      expect(answer.body).not.toMatch(LEAKS);
      expect(await logged(gateways[name].dir, id as string)).toMatchObject({ request_id: id, status: 400 });
    },
  );
});

describe.each(['nginx', 'haproxy'] as const)('%s: Set-Cookie naming an internal host', (name) => {
  const over = {
    'HTTP/1.1': () => curl([`http://127.0.0.1:${gateways[name].port}/api/cookies`]),
    'HTTP/2': () =>
      curl(['--http2', '--cacert', join(certDir, 'ca.crt'), `https://localhost:${gateways[name].tls}/api/cookies`]),
  };
  it.each(Object.keys(over) as (keyof typeof over)[])(
    '%s: the internal Domain is emptied, the rest of each cookie kept; a public Domain passes',
    async (protocol) => {
      const exchange = await over[protocol]();
      expect(exchange.status).toBe(200);
      expect(headerValues(exchange, 'set-cookie')).toEqual([
        'sid=1; Domain=; Path=/; HttpOnly',
        `k8s=2; ${EXPIRES}; domain=`,
        'ip=3; Path=/; Domain=; Secure',
        'pub=4; Domain=example.com; Path=/',
      ]);
      expect(exchange.raw).not.toMatch(/internal|cluster\.local|10\.0\.0\.5/);
    },
  );
});
