/**
 * Chained gateways: generated nginx in front of generated HAProxy and the reverse (the outer with
 * TLS 1.3 and HTTP/2, the inner plain, trusting the outer's address), in front of a real Fastify +
 * Faultline service, and a stock nginx in front of a generated one. One id from the outer hop to
 * the service's record; the inner's own pages pass the outer unchanged; nothing names a hop.
 */
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFaultlineAnswer, logged, recorded, UUID_V4, V4_ID, V7_ID } from './answers.js';
import { type Backend, startBackend } from './backend.js';
import { answerId, type Chain, type ChainKind, startChain, startStockNginx } from './chain-helpers.js';
import { curl, type Exchange, type Gateway, headerValues, startHaproxy, startNginx } from './gateway.js';
import { openWs, startWsBackend, type WsBackend } from './nginx-ws-backend.js';
import { opsCertificate } from './ops-helpers.js';

const KINDS: readonly ChainKind[] = ['nginx>haproxy', 'haproxy>nginx'];
let backend: Backend;
let ws: WsBackend;
const chains = new Map<string, Chain>();
const lone: Gateway[] = [];
let stock: { port: number; stop(): void } | undefined;
let stockInner: Gateway | undefined;

beforeAll(async () => {
  [backend, ws] = await Promise.all([startBackend(2500), startWsBackend()]);
  const cert = opsCertificate();
  const dead = `127.0.0.1:${await freePort()}`;
  const up = `127.0.0.1:${backend.port}`;
  await Promise.all(
    KINDS.flatMap((kind) => [
      // The inner answers first: its readTimeout (1 s) and body limit (1000 bytes) are below the outer's.
      startChain(kind, cert, {
        upstream: up,
        outer: { readTimeout: 3, idVersions: [4, 7] },
        inner: { readTimeout: 1, ...(kind === 'nginx>haproxy' ? { maxBodyBytes: 1000 } : { maxBodySize: '1000' }) },
      }).then((chain) => chains.set(kind, chain)),
      startChain(kind, cert, { upstream: dead }).then((chain) => chains.set(`${kind} down`, chain)),
      startChain(kind, cert, { upstream: `127.0.0.1:${ws.port}` }).then((chain) => chains.set(`${kind} ws`, chain)),
    ]),
  );
  // A gateway that trusts another address: its peer (127.0.0.1) is an ordinary client.
  const others = { upstreams: [up], routes: ['/api/'], trustedGateways: ['127.0.0.2'] };
  lone.push(await startNginx(await freePort(), others), await startHaproxy(await freePort(), others));
  stockInner = await startNginx(await freePort(), {
    upstreams: [up],
    routes: ['/api/'],
    readTimeout: 1,
    trustedGateways: ['127.0.0.1'],
  });
  stock = await startStockNginx(`127.0.0.1:${stockInner.port}`);
});

afterAll(async () => {
  stock?.stop();
  for (const gateway of [...[...chains.values()].flatMap((c) => [c.outer, c.inner]), ...lone, stockInner])
    await gateway?.stop();
  await ws?.stop();
  await backend?.close();
});

const chain = (name: string) => chains.get(name) as Chain;
/** curl through the outer gateway of chain `name` (TLS, HTTP/2 by ALPN). */
const through = (name: string, path: string, ...args: string[]) =>
  curl(['-k', ...args, `https://127.0.0.1:${chain(name).outer.port}${path}`]);

/** Both hops logged `id` with `status`; the inner's port is named in no header or body of `exchange`. */
async function expectOneTrail(name: string, exchange: Exchange, id: string, status: number): Promise<void> {
  expect(await logged(chain(name).outer.dir, id)).toMatchObject({ request_id: id, status });
  expect(await logged(chain(name).inner.dir, id)).toMatchObject({ request_id: id, status });
  expect(exchange.raw).not.toContain(String(chain(name).inner.port));
  for (const header of ['server', 'via', 'x-powered-by'])
    expect(exchange.headers.map(([n]) => n)).not.toContain(header);
}

describe.each(KINDS)('chain %s', (kind) => {
  it('one id made at the outer hop: the answer, both access logs, the service; the scheme the client used', async () => {
    const exchange = await through(kind, '/api/headers');
    const id = answerId(exchange);
    expect(id).toMatch(UUID_V4);
    expect(JSON.parse(exchange.body)).toMatchObject({ 'x-request-id': id, 'x-forwarded-proto': 'https' });
    await expectOneTrail(kind, exchange, id, 200);
  });

  it("the service's error and its record carry the outer hop's id", async () => {
    const exchange = await through(kind, '/api/crash', '-H', `X-Request-ID: ${V4_ID}`);
    expect(expectFaultlineAnswer(exchange, 500, 'INTERNAL')).toBe(V4_ID);
    expect(await recorded(backend.records, V4_ID)).toMatchObject({ request_id: V4_ID, code: 'INTERNAL' });
    await expectOneTrail(kind, exchange, V4_ID, 500);
  });

  it('an id the outer keeps by its own policy (v7) is the one the inner that trusts it logs and sends on', async () => {
    // The service keeps it too only when its own acceptIdVersions has v7 (its default is v4 only).
    const id = V7_ID.replace(/.{4}$/, kind === 'nginx>haproxy' ? '0001' : '0002');
    const exchange = await through(kind, '/api/echo', '-H', `X-Request-ID: ${id}`);
    expect(answerId(exchange)).toBe(id);
    expect(JSON.parse(exchange.body)).toEqual({ seen: id });
    await expectOneTrail(kind, exchange, id, 200);
  });

  it('two client ids: replaced at the outer hop only, the same new id all the way', async () => {
    const exchange = await through(kind, '/api/echo', '-H', `X-Request-ID: ${V4_ID}`, '-H', `X-Request-ID: ${V7_ID}`);
    const id = answerId(exchange);
    expect(id).toMatch(UUID_V4);
    expect(JSON.parse(exchange.body)).toEqual({ seen: id });
    await expectOneTrail(kind, exchange, id, 200);
  });

  it("the inner's own 504 and 413 pass the outer unchanged: one page, one id", async () => {
    const [slow, large] = await Promise.all([
      through(kind, '/api/slow'),
      through(kind, '/api/echo', '--data-binary', 'x'.repeat(10_000), '-H', 'content-type: text/plain'),
    ]);
    for (const [exchange, status, code] of [
      [slow, 504, 'TIMEOUT'],
      [large, 413, 'PAYLOAD_TOO_LARGE'],
    ] as const) {
      const id = expectFaultlineAnswer(exchange, status, code);
      // The outer relayed the inner's page (its upstream answered this status), not a page of its own.
      expect(await logged(chain(kind).outer.dir, id)).toMatchObject({ upstream_status: String(status) });
      await expectOneTrail(kind, exchange, id, status);
    }
  });

  it("the service down: the inner's page, with the outer's id, passes", async () => {
    const exchange = await through(`${kind} down`, '/api/echo');
    const status = kind === 'nginx>haproxy' ? 503 : 502; // HAProxy: no server left; nginx: refused
    const id = expectFaultlineAnswer(exchange, status, status === 503 ? 'UNAVAILABLE' : 'BAD_GATEWAY');
    await expectOneTrail(`${kind} down`, exchange, id, status);
  });

  it('a WebSocket through both hops: the 101 carries the id the service keeps', async () => {
    const probe = `chain-${kind}`;
    const opened = await openWs(`wss://127.0.0.1:${chain(`${kind} ws`).outer.port}/api/echo`, {
      rejectUnauthorized: false,
      headers: { 'x-probe': probe },
    });
    if (!('socket' in opened)) throw new Error(`refused: ${opened.status}`);
    opened.socket.send('hello');
    expect(String((await new Promise<Buffer>((resolve) => opened.socket.once('message', resolve))) as Buffer)).toBe(
      'hello',
    );
    opened.socket.close();
    expect(opened.headers['x-request-id']).toMatch(UUID_V4);
    expect(ws.ids.get(probe)).toBe(opened.headers['x-request-id']);
    for (const header of ['server', 'via', 'x-powered-by']) expect(opened.headers[header]).toBeUndefined();
  });
});

describe('a peer that is not a trusted gateway', () => {
  it.each(['nginx', 'haproxy'])('%s replaces its scheme and keeps its id only by the version policy', async (which) => {
    const gateway = lone[which === 'nginx' ? 0 : 1] as Gateway;
    const exchange = await curl([
      ...['-H', 'X-Forwarded-Proto: https', '-H', `X-Request-ID: ${V7_ID}`],
      `http://127.0.0.1:${gateway.port}/api/headers`,
    ]);
    const id = answerId(exchange);
    expect(id).toMatch(UUID_V4);
    expect(JSON.parse(exchange.body)).toMatchObject({ 'x-request-id': id, 'x-forwarded-proto': 'http' });
  });
});

describe('a trusted peer (the inner hop reached directly from the outer address)', () => {
  it.each(KINDS)('%s: only one well-formed UUID and one http or https are kept from it', async (kind) => {
    const inner = `http://127.0.0.1:${chain(kind).inner.port}/api/headers`;
    const v1 = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    const cases: [string[], string | undefined, string][] = [
      [['-H', `X-Request-ID: ${v1.toUpperCase()}`, '-H', 'X-Forwarded-Proto: https'], v1, 'https'],
      [['-H', `X-Request-ID: ${v1}`, '-H', `X-Request-ID: ${V4_ID}`], undefined, 'http'],
      [
        ['-H', 'X-Request-ID: 6ba7b810-9dad-01d1-80b4-00c04fd430c8', '-H', 'X-Forwarded-Proto: gopher'],
        undefined,
        'http',
      ],
      [['-H', `X-Request-ID: ${V4_ID}x`, '-H', 'X-Forwarded-Proto: https, http'], undefined, 'http'],
      [['-H', 'X-Request-ID: "../../x"', '-H', 'X-Forwarded-Proto: wss'], undefined, 'http'],
    ];
    for (const [args, kept, proto] of cases) {
      const exchange = await curl([...args, inner]);
      const id = answerId(exchange);
      if (kept === undefined) expect(id).toMatch(UUID_V4);
      else expect(id).toBe(kept);
      expect(JSON.parse(exchange.body)).toMatchObject({ 'x-request-id': id, 'x-forwarded-proto': proto });
    }
  });
});

describe('a stock nginx (not Faultline) in front of a generated one', () => {
  const get = (path: string) => curl([`http://127.0.0.1:${stock?.port}${path}`]);

  it("the inner's page and the service's error pass with one id; the scheme the stock hop sets is kept", async () => {
    const [slow, crash, headers] = await Promise.all([get('/api/slow'), get('/api/crash'), get('/api/headers')]);
    // The stock hop adds its own Server header (nginx/<version>): only its own configuration removes it.
    for (const exchange of [slow, crash])
      expect(headerValues(exchange, 'server')).toEqual([expect.stringMatching(/^nginx/)]);
    const [slowId, crashId] = [answerId(slow), answerId(crash)];
    expect([slow.status, JSON.parse(slow.body)]).toEqual([
      504,
      expect.objectContaining({ code: 'TIMEOUT', request_id: slowId }),
    ]);
    expect(await logged(stockInner?.dir as string, slowId)).toMatchObject({ status: 504 });
    expect([crash.status, JSON.parse(crash.body)]).toEqual([
      500,
      expect.objectContaining({ code: 'INTERNAL', request_id: crashId }),
    ]);
    expect(await recorded(backend.records, crashId)).toMatchObject({ request_id: crashId });
    expect(JSON.parse(headers.body)).toMatchObject({ 'x-request-id': answerId(headers), 'x-forwarded-proto': 'https' });
  });
});
