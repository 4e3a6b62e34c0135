/**
 * Operations: several `upstreams`, some of them broken, behind the real nginx and HAProxy (plain
 * internal listener and TLS 1.3 + HTTP/2 public listener). One server is down (nothing listens),
 * one takes each request and closes the connection without answering (a crash, or a kept-alive
 * connection it closed as the gateway reused it), and two are Faultline services whose
 * `/api/slow` is silent past `readTimeout`. A GET must reach a live server (each gateway retries
 * elsewhere: nginx by default, HAProxy with `retryClosed`), with one id in the answer, the
 * upstream request and the access log; a request the servers leave silent gets the 504 page after
 * one `readTimeout`, not one per server.
 */
import { Agent } from 'node:http';
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFaultlineAnswer, logged, V4_ID } from './answers.js';
import { type Backend, startBackend } from './backend.js';
import { curl, type Gateway, headerValues, startHaproxy, startNginx } from './gateway.js';
import { get, opsCertificate } from './ops-helpers.js';
import { type RawBackend, startRawBackend } from './raw-backend.js';

let live: Backend[] = [];
let closing: RawBackend;
const gateways = {} as Record<'nginx' | 'haproxy', Gateway & { internal: number }>;

beforeAll(async () => {
  live = [await startBackend(3000), await startBackend(3000)];
  closing = await startRawBackend((_head, socket) => socket.destroy());
  const cert = opsCertificate();
  const upstreams = [
    `127.0.0.1:${closing.port}`,
    `127.0.0.1:${await freePort()}`,
    ...live.map((b) => `127.0.0.1:${b.port}`),
  ];
  const common = { upstreams, routes: ['/api/'], readTimeout: 1 };
  for (const name of ['nginx', 'haproxy'] as const) {
    const [port, internal] = [await freePort(), await freePort()];
    const listeners = { listen: [`127.0.0.1:${port}`], internalListen: [`127.0.0.1:${internal}`] };
    const gateway =
      name === 'nginx'
        ? await startNginx(port, {
            ...common,
            ...listeners,
            tls: { certificate: cert.crt, key: cert.key },
          })
        : await startHaproxy(port, { ...common, ...listeners, tls: { certificate: cert.bundle }, retryClosed: true });
    gateways[name] = { ...gateway, internal };
  }
});

afterAll(async () => {
  await gateways.nginx?.stop();
  await gateways.haproxy?.stop();
  await closing?.stop();
  for (const backend of live) await backend.close();
});

/** GETs `path` `count` times over one kept-alive HTTP/1.1 connection (status 0: closed without an answer). */
async function keptAlive(port: number, path: string, count: number, id: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const answers: Awaited<ReturnType<typeof get>>[] = [];
  try {
    for (let i = 0; i < count; i++) answers.push(await get(port, path, id, agent));
  } finally {
    agent.destroy();
  }
  return answers;
}

describe.each(['nginx', 'haproxy'] as const)('%s with one server down and one closing without an answer', (name) => {
  it.each(['internal', 'tls'] as const)(
    'every GET over %s (new connections) reaches a live server: 200, one id in the answer, upstream and log',
    async (listener) => {
      const gateway = gateways[name];
      const url =
        listener === 'tls'
          ? `https://127.0.0.1:${gateway.port}/api/echo`
          : `http://127.0.0.1:${gateway.internal}/api/echo`;
      for (let i = 0; i < 6; i++) {
        const id = `${V4_ID.slice(0, -2)}${listener === 'tls' ? 'b' : 'c'}${i}`;
        const exchange = await curl(['-k', '-H', `X-Request-ID: ${id}`, url]);
        expect(exchange.status).toBe(200);
        expect(headerValues(exchange, 'x-request-id')).toEqual([id]);
        expect(JSON.parse(exchange.body)).toEqual({ seen: id });
        expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, status: 200 });
      }
    },
  );

  it('every GET on one kept-alive connection reaches a live server (HAProxy 2.6 without retryClosed closes it, no answer, no log line)', async () => {
    const id = `${V4_ID.slice(0, -2)}aa`;
    const answers = await keptAlive(gateways[name].internal, '/api/echo', 6, id);
    expect(answers).toEqual(Array.from({ length: 6 }, () => ({ status: 200, id, body: JSON.stringify({ seen: id }) })));
  });

  it('a GET every live server leaves silent: the 504 page with its id after one readTimeout (one attempt logged)', async () => {
    const exchange = await curl([`http://127.0.0.1:${gateways[name].internal}/api/slow`]);
    const id = expectFaultlineAnswer(exchange, 504, 'TIMEOUT');
    const line = await logged(gateways[name].dir, id);
    expect(line).toMatchObject({ request_id: id, status: 504 });
    // nginx: the attempts' statuses, comma-separated ("502, 504"); one 504 only: no further server
    // was tried once readTimeout had passed. HAProxy: no answer from a server at all ("-").
    expect(String(line?.upstream_status).match(/504/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });
});
