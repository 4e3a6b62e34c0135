/**
 * Red team, third round: leaks only for another `Accept` value, another client (a language, an XHR,
 * a foreign origin, HTTP/1.0 without Host), a query switch or a text body; leaks provoked by deep
 * JSON, a key twice, an object for an id, a long query or field, an unknown method; leaks in pages
 * and places the probe did not read (a bundled Express or Next.js development page, Jetty's page,
 * a PHP notice, Django's debug 404, a `Warning` agent, a realm, an `X-Exception-*` field, a 204's
 * body) are each reported under their rule; and a clean API whose answers hold SQL words in prose,
 * `trace`, URL paths under `/home`, dates, versions, UUIDs and hex ids gets a clean verdict; a
 * common path answered with text that is not HTTP is not taken for a route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveRoutes } from '../src/http/routes.js';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { CLEAN_PATHS, cleanWords } from './leaky/clean-words.js';
import { type LeakyTarget, missed } from './leaky/planted.js';
import {
  DISCOVERED_ROUTE,
  DISCOVERED_SWITCHES,
  NEGOTIATION_ROUTES,
  redTeamNegotiation,
} from './leaky/red-team-negotiation.js';
import { PAGE_ROUTES } from './leaky/red-team-pages.js';

const probe = (url: string, paths: readonly string[]) =>
  runProbe(parseTarget(url, false), {
    noDiscovery: true,
    paths: [...paths],
    requestTimeoutMs: 2000,
    timeoutMs: 30_000,
    maxRequests: 3000,
  });

describe('red team: negotiation, provoked errors, pages and places', () => {
  let target: LeakyTarget;
  let result: RunResult;
  beforeAll(async () => {
    target = await redTeamNegotiation();
    result = await probe(
      target.url,
      target.planted.map((p) => p.where),
    );
  });
  afterAll(async () => {
    await target.close();
  });

  it.each([...NEGOTIATION_ROUTES, ...PAGE_ROUTES, { where: '/unknown-method', rule: 'leak/path' }])(
    '$where: reported as $rule',
    (leak) => {
      expect(missed([leak], result.findings)).toEqual([]);
    },
  );

  it('every request was answered, within the run', () => {
    expect(result.unanswered).toEqual({ timeout: 0, closed: 0, unparseable: 0, refused: 0, aborted: 0 });
    expect(result.incomplete).toBe(false);
  });

  it('a route only discovery finds is asked for other media types too', async () => {
    const found = await runProbe(parseTarget(target.url, false), { requestTimeoutMs: 2000, timeoutMs: 30_000 });
    expect(found.discovered.map((d) => d.what)).toContain(`GET ${DISCOVERED_ROUTE.where}`);
    expect(missed([DISCOVERED_ROUTE], found.findings)).toEqual([]);
    // Round 5: and gets the switches `?debug=1` and an XHR client's field.
    expect(missed(DISCOVERED_SWITCHES, found.findings)).toEqual([]);
  });
});

describe('a clean API whose answers hold words of leaks', () => {
  it('is clean', async () => {
    const api = await cleanWords();
    try {
      const result = await probe(api.url, CLEAN_PATHS);
      expect(result.findings).toEqual([]);
      expect(result.verdict).toBe('clean');
    } finally {
      await api.close();
    }
  });
});

describe('a common path answered with text that is not HTTP', () => {
  it('is not known to exist: it gets no route probes (a flood of them on a target that answers no HTTP)', () => {
    const login = { method: 'GET', path: '/login', guessed: true };
    expect(liveRoutes([login], new Map([['/login', 0]]), new Set())).toEqual([]);
    expect(liveRoutes([login], new Map([['/login', 401]]), new Set())).toEqual(['/login']);
  });
});
