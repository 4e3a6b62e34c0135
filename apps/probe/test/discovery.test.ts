/**
 * Blind discovery: given only a base URL, the probe finds the leaks planted on ten independent
 * targets (plain node:http, Fastify, Express, ws, grpc-js) on paths it is not told about, and
 * finds nothing at medium or above on a clean Faultline service discovered the same way.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../demo/src/http-app.js';
import { startUpstreams, type Upstreams } from '../../demo/src/upstreams.js';
import { attachWebSocket } from '../../demo/src/ws-endpoint.js';
import { EXPOSED_LOCATIONS, isExposed } from '../src/http/exposed.js';
import { atLeast, type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { devModeApp, jwtApp } from './leaky/express.js';
import { invoicesApi, reportsSite } from './leaky/fastify.js';
import { cartGrpc, inventoryGrpc } from './leaky/grpc.js';
import { accountsApi, flagsApi, usersApi } from './leaky/http-plain.js';
import type { LeakyTarget, Planted } from './leaky/planted.js';
import { chatWs } from './leaky/ws.js';

const found = (result: RunResult, planted: Planted) =>
  result.findings.some(
    (f) =>
      f.rule === planted.rule && (f.locations ?? [f.location]).some((location) => location.includes(planted.where)),
  );

describe('blind discovery on independent leaky targets', () => {
  let targets: LeakyTarget[] = [];
  const results = new Map<string, RunResult>();
  beforeAll(async () => {
    targets = await Promise.all([
      usersApi(),
      flagsApi(),
      accountsApi(),
      invoicesApi(),
      reportsSite(),
      devModeApp(),
      jwtApp(),
      chatWs(),
      inventoryGrpc(),
      cartGrpc(),
    ]);
    await Promise.all(
      targets.map(async (target) =>
        results.set(target.name, await runProbe(parseTarget(target.url, false), { timeoutMs: 30_000 })),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all(targets.map((t) => t.close()));
  });

  it('finds at least 26 of the 28 planted leaks, given only each base URL', () => {
    const missed: string[] = [];
    let planted = 0;
    for (const target of targets) {
      const result = results.get(target.name) as RunResult;
      for (const leak of target.planted) {
        planted += 1;
        if (!found(result, leak)) missed.push(`${target.name}: ${leak.rule} at ${leak.where}`);
      }
    }
    console.log(`planted ${planted}, found ${planted - missed.length}; missed: ${missed.join('; ') || 'none'}`);
    expect(planted).toBe(28);
    expect(planted - missed.length, missed.join('\n')).toBeGreaterThanOrEqual(26);
    // The well-known files are found each (not within the two misses allowed), at their severity.
    const exposed = targets.flatMap((t) => t.planted.filter((p) => p.rule === 'leak/exposed-file'));
    expect(exposed).toHaveLength(4);
    for (const target of targets)
      for (const leak of target.planted.filter((p) => p.rule === 'leak/exposed-file'))
        expect(
          (results.get(target.name) as RunResult).findings.some(
            (f) => f.rule === leak.rule && f.severity === leak.severity && f.location === leak.where,
          ),
          leak.where,
        ).toBe(true);
    // A forbidden `/.env` is no exposure.
    const accounts = results.get('plain http, links and an existence oracle') as RunResult;
    expect(accounts.findings.filter((f) => f.rule === 'leak/exposed-file' && f.location === 'GET /.env')).toEqual([]);
  });

  it('prints what was discovered and how: OpenAPI/Swagger, links, reflection, health, ws paths', () => {
    const how = (name: string) => new Set((results.get(name) as RunResult).discovered.map((d) => d.how.split(' ')[0]));
    expect(how('Fastify, Swagger 2 document')).toContain('openapi');
    expect(how('plain http, YAML OpenAPI')).toContain('openapi');
    expect(how('Fastify, links on the root page, GraphQL')).toContain('link');
    expect(how('grpc-js with reflection')).toContain('server');
    expect(how('grpc-js JSON codec and health')).toContain('standard');
    expect((results.get('ws server') as RunResult).discovered.map((d) => d.what)).toEqual(
      expect.arrayContaining([expect.stringMatching(/\/ws$/), expect.stringMatching(/\/cable$/)]),
    );
  });

  it('every run is complete and answered', () => {
    for (const [name, result] of results) {
      expect(result.timedOut, name).toBe(false);
      expect(result.verdict, name).toBe('findings');
      expect(result.durationMs, name).toBeLessThan(20_000);
    }
  });
});

describe('clean control: a Faultline Fastify service, discovered blind', () => {
  let upstreams: Upstreams;
  let http: FastifyInstance;
  beforeAll(async () => {
    upstreams = await startUpstreams();
    http = await buildHttpApp({ upstreams, logLevel: 'silent' });
    attachWebSocket(http.server, upstreams);
    await http.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await http.close();
    await upstreams.close();
  });

  it('reads its OpenAPI document, probes every operation and finds nothing at medium or above', async () => {
    const port = (http.server.address() as { port: number }).port;
    const result = await runProbe(parseTarget(`http://127.0.0.1:${port}`, false), { timeoutMs: 30_000 });
    expect(result.discovered.some((d) => d.how === 'openapi /openapi.json' && d.what === 'POST /orders')).toBe(true);
    expect(result.answered).toBeGreaterThan(150);
    expect(result.findings.filter((f) => atLeast(f.severity, 'medium'))).toEqual([]);
    expect(result.verdict).not.toBe('inconclusive');
  });
});

describe('a well-known file is exposed only when served with its telltale content', () => {
  const at = (path: string) => EXPOSED_LOCATIONS.find((l) => l.path === path) as (typeof EXPOSED_LOCATIONS)[number];
  const env = 'DB_PASSWORD=hunter2\nAPP_KEY=base64:x\n';
  const spa = '<!doctype html><html><head><title>Shop</title></head><body><div id="root"></div></body></html>';

  it.each([
    ['a 404, 401 or 403 whose body looks like the file', [404, 401, 403], 'text/plain', env],
    ["a single-page app's index.html, answered 200 for every path", [200], 'text/html; charset=utf-8', spa],
    ['an HTML page that starts like an environment file', [200], 'text/html', env],
    ['a JSON answer', [200], 'application/json', '{"DB_PASSWORD":"x"}'],
  ])('%s is not', (_label, statuses, type, body) => {
    for (const status of statuses)
      for (const location of EXPOSED_LOCATIONS)
        expect(isExposed(location, { status, headers: { 'content-type': type }, body }), location.path).toBe(false);
  });

  it.each([
    ['/.env', 'text/plain', `# settings\n\n${env}`],
    ['/.env', 'application/octet-stream', 'export NODE_ENV=production\n'],
    ['/.git/config', 'text/plain', '[core]\n\trepositoryformatversion = 0\n'],
    [
      '/actuator/env',
      'application/vnd.spring-boot.actuator.v3+json',
      '{"activeProfiles":["prod"],"propertySources":[]}',
    ],
    ['/server-status', 'text/html', '<html><head><title>Apache Status</title></head></html>'],
  ])('%s served is', (path, type, body) => {
    expect(isExposed(at(path), { status: 200, headers: { 'content-type': type }, body })).toBe(true);
  });
});
