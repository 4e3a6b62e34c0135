/**
 * The newer probes (a form, an XML and a multipart body, a wrong Content-Encoding, a browser's
 * Accept, a CORS preflight, a second request on a keep-alive connection) reach the routes discovery finds, not only the base path: linked
 * routes, and a common path that exists. They never send PUT, PATCH or DELETE to a discovered
 * route, and a common path that does not exist (404) does not get them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { missed } from './leaky/planted.js';
import { routesTarget } from './leaky/routes.js';

describe('the newer probes on discovered routes', () => {
  let target: Awaited<ReturnType<typeof routesTarget>>;
  let result: RunResult;
  beforeAll(async () => {
    target = await routesTarget();
    result = await runProbe(parseTarget(target.url, false), { timeoutMs: 30_000 });
  });
  afterAll(() => target.close());

  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8])('planted leak %i is reported', (index) => {
    const leak = target.planted[index];
    expect(leak && missed([leak], result.findings)).toEqual([]);
  });

  it('no PUT, PATCH or DELETE reaches a discovered route, and a missing common path gets no form body', () => {
    const routes = target.planted.map((p) => p.where.replace(/^HEAD /, ''));
    const destructive = [...target.received].filter((r) => {
      const [method, path] = r.split(' ');
      return ['PUT', 'PATCH', 'DELETE'].includes(method ?? '') && routes.includes(path ?? '');
    });
    expect(destructive).toEqual([]);
    expect(target.received.has('POST /api/v1/login application/x-www-form-urlencoded')).toBe(false);
    expect(result.timedOut).toBe(false);
  });
});
