/**
 * Gateways for JSON:API and negotiating services, run by the real nginx and HAProxy in front of a
 * real Fastify + Faultline backend: with `format: 'jsonapi'` every page the gateway makes itself
 * (unrouted path, body too large, backend down) and every foreign 5xx it replaces is a JSON:API 1.1
 * document (the JSON:API project's schema), with the bare media type, the request's one id and the
 * security headers, while the backend's own JSON:API answers pass through; with `format:
 * 'negotiate'` the gateway's pages are in the default format and the backend's answers pass
 * through in whichever of the three formats the client asked for.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import { freePort, jsonApiSchemaErrors } from '@faultline/testkit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayPages, renderHaproxy } from '../src/index.js';
import { LEAKS } from './answers.js';
import { curl, type Exchange, type Gateway, headerValues, startHaproxy, startNginx } from './gateway.js';

const JSONAPI = 'application/vnd.api+json';

async function backend(format: 'jsonapi' | 'negotiate'): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify({ ...faultlineServerOptions(), logger: false }) as unknown as FastifyInstance;
  await app.register(faultline, { format, reporter: false });
  app.get('/api/crash', async () => {
    throw new Error('connect to 10.0.0.5:5432 failed at /srv/app/db.js');
  });
  app.get('/api/html', async (_request, reply) =>
    reply
      .code(500)
      .type('text/html')
      .send('<h1>Error</h1><pre>TypeError at Orders.insert (/srv/app/orders.js:27:3)</pre>'),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as { port: number }).port };
}

function expectJsonApi(exchange: Exchange, status: number, code: string): string {
  expect(exchange.status).toBe(status);
  const ids = headerValues(exchange, 'x-request-id');
  expect(ids).toHaveLength(1);
  expect(headerValues(exchange, 'content-type')).toEqual([JSONAPI]);
  expect(headerValues(exchange, 'x-content-type-options')).toEqual(['nosniff']);
  expect(headerValues(exchange, 'cache-control')).toEqual(['no-store']);
  const document = JSON.parse(exchange.body) as { errors: Record<string, unknown>[] };
  expect(jsonApiSchemaErrors(document)).toEqual([]);
  expect(document.errors).toHaveLength(1);
  expect(document.errors[0]).toMatchObject({ id: ids[0], status: String(status), code });
  expect(exchange.raw).not.toMatch(LEAKS);
  return ids[0] as string;
}

it('renders every gateway page as a JSON:API document, and negotiate pages in the default format', () => {
  for (const page of gatewayPages({ format: 'jsonapi' })) {
    expect(page.headers['content-type']).toBe(JSONAPI);
    expect(jsonApiSchemaErrors(JSON.parse(page.body))).toEqual([]);
  }
  expect(gatewayPages({ format: 'negotiate', defaultFormat: 'envelope' })[0]?.headers['content-type']).toBe(
    'application/json; charset=utf-8',
  );
  const config = renderHaproxy({ upstreams: ['127.0.0.1:1'], format: 'negotiate' });
  expect(config).toContain(
    `-m str "application/problem+json; charset=utf-8" "application/json; charset=utf-8" "${JSONAPI}"`,
  );
  expect(() => renderHaproxy({ upstreams: ['127.0.0.1:1'], defaultFormat: 'jsonapi' })).toThrow(/negotiate/);
});

it('the CLI takes --format jsonapi, and --format negotiate with --default-format', () => {
  const cli = fileURLToPath(new URL('../bin/faultline-edge.js', import.meta.url));
  const out = mkdtempSync(join(tmpdir(), 'faultline-edge-jsonapi-'));
  const run = (args: readonly string[]) => spawnSync(cli, args, { encoding: 'utf8' });
  const made = run(['haproxy', '--upstream', '127.0.0.1:3000', '--out', out, '--format', 'jsonapi']);
  expect(made.status, made.stderr).toBe(0);
  expect(readFileSync(join(out, 'haproxy.cfg'), 'utf8')).toContain(`content-type "${JSONAPI}"`);
  const negotiating = run([
    'nginx',
    '--upstream',
    '127.0.0.1:3000',
    '--out',
    out,
    '--format',
    'negotiate',
    '--default-format',
    'envelope',
  ]);
  expect(negotiating.status, negotiating.stderr).toBe(0);
  expect(readFileSync(join(out, 'faultline.js'), 'utf8')).toContain(JSONAPI);
  const refused = run(['nginx', '--upstream', '127.0.0.1:3000', '--out', out, '--default-format', 'jsonapi']);
  expect(refused.status).toBe(2);
  expect(refused.stderr).toMatch(/default format "jsonapi" is not valid/);
});

describe.each(['nginx', 'haproxy'] as const)('%s in front of a JSON:API service', (kind) => {
  let service: { app: FastifyInstance; port: number };
  let gateway: Gateway;
  let down: Gateway;
  let base = '';

  beforeAll(async () => {
    service = await backend('jsonapi');
    const start = kind === 'nginx' ? startNginx : startHaproxy;
    gateway = await start(await freePort(), {
      upstreams: [`127.0.0.1:${service.port}`],
      routes: ['/api/'],
      format: 'jsonapi',
      ...(kind === 'nginx' ? { maxBodySize: '64k' } : { maxBodyBytes: 65_536 }),
    });
    down = await start(await freePort(), { upstreams: [`127.0.0.1:${await freePort()}`], format: 'jsonapi' });
    base = `http://127.0.0.1:${gateway.port}`;
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await down?.stop();
    await service?.app.close();
  });

  it('answers its own failures as JSON:API', async () => {
    expectJsonApi(await curl([`${base}/admin`]), 404, 'NOT_FOUND');
    expectJsonApi(
      await curl(['-X', 'POST', '--data-binary', 'x'.repeat(70_000), `${base}/api/crash`]),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    // nginx says 502 when it cannot connect; HAProxy, with no server up, 503.
    const unreachable = await curl([`http://127.0.0.1:${down.port}/api/crash`]);
    if (unreachable.status === 503) expectJsonApi(unreachable, 503, 'UNAVAILABLE');
    else expectJsonApi(unreachable, 502, 'BAD_GATEWAY');
  });

  it('replaces a foreign 5xx with a JSON:API page, and passes the backend JSON:API answer through', async () => {
    const replaced = await curl([`${base}/api/html`]);
    expectJsonApi(replaced, 500, 'INTERNAL');
    const passed = await curl([`${base}/api/crash`]);
    const id = expectJsonApi(passed, 500, 'INTERNAL');
    // The backend's answer, not a gateway page: it carries the backend's Vary-free headers and the same id.
    expect(passed.body).toContain(id);
  });
});

describe.each(['nginx', 'haproxy'] as const)('%s in front of a negotiating service', (kind) => {
  let service: { app: FastifyInstance; port: number };
  let gateway: Gateway;
  let base = '';

  beforeAll(async () => {
    service = await backend('negotiate');
    const start = kind === 'nginx' ? startNginx : startHaproxy;
    gateway = await start(await freePort(), {
      upstreams: [`127.0.0.1:${service.port}`],
      routes: ['/api/'],
      format: 'negotiate',
      defaultFormat: 'jsonapi',
    });
    base = `http://127.0.0.1:${gateway.port}`;
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await service?.app.close();
  });

  it.each([
    ['application/problem+json', 'application/problem+json; charset=utf-8'],
    ['application/json', 'application/json; charset=utf-8'],
    [JSONAPI, JSONAPI],
  ])('passes the backend answer through in the format asked for (Accept %s)', async (accept, type) => {
    const answer = await curl(['-H', `accept: ${accept}`, `${base}/api/crash`]);
    expect(answer.status).toBe(500);
    expect(headerValues(answer, 'content-type')).toEqual([type]);
    expect(headerValues(answer, 'vary')).toEqual(['Accept']);
    expect(answer.raw).not.toMatch(LEAKS);
  });

  it('answers its own pages, and replaced foreign 5xx, in the default format', async () => {
    expectJsonApi(await curl(['-H', 'accept: application/json', `${base}/admin`]), 404, 'NOT_FOUND');
    expectJsonApi(await curl([`${base}/api/html`]), 500, 'INTERNAL');
  });
});
