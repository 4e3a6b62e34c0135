/**
 * Round 8: the Express development target's errno text is reported beside its path; driver, ORM
 * and runtime errors serialized whole or in their own words, Node's system errors, environment
 * dumps, a working directory, a backend's host name and a proxy's version are reported from a real
 * server whatever carries them (JSON, gzip, SSE, NDJSON, a field); a clean server whose answers
 * look like them is not flagged; the new signatures read hostile bodies in linear time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAnswer } from '../src/answer.js';
import { type RunResult, runProbe } from '../src/index.js';
import { SIGNATURES } from '../src/signatures.js';
import { parseTarget } from '../src/target.js';
import { devModeApp } from './leaky/express.js';
import { type LeakyTarget, missed } from './leaky/planted.js';
import { ROUND8_CLEAN, round8Clean } from './leaky/round8-clean.js';
import { ROUND8_TEXTS, round8Texts } from './leaky/round8-texts.js';

const leaks = (result: RunResult) => result.findings.filter((f) => f.rule.startsWith('leak/'));

describe('Express in development mode: an errno text with a path', () => {
  it('reports leak/errno at GET /admin, and the path too', async () => {
    const target = await devModeApp();
    try {
      const result = await runProbe(parseTarget(target.url, false), {
        noDiscovery: true,
        paths: ['/admin'],
        timeoutMs: 30_000,
      });
      expect(missed([{ rule: 'leak/errno', where: 'GET /admin' }], result.findings)).toEqual([]);
      expect(missed([{ rule: 'leak/path', where: 'GET /admin' }], result.findings)).toEqual([]);
    } finally {
      await target.close();
    }
  });
});

describe('round 8 texts from a real server', () => {
  let target: LeakyTarget;
  let result: RunResult;
  beforeAll(async () => {
    target = await round8Texts();
    const paths = ROUND8_TEXTS.map((t) => t.where);
    result = await runProbe(parseTarget(target.url, false), { noDiscovery: true, paths, timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await target.close();
  });

  it.each(ROUND8_TEXTS)('$where ($carrier): $needle reported as $rule ($severity)', (leak) => {
    const reported = result.findings.filter((f) => missed([leak], [f]).length === 0);
    expect(
      reported.some((f) => f.evidence?.includes(leak.needle)),
      JSON.stringify(leaks(result)),
    ).toBe(true);
  });
});

describe('round 8 clean control: answers that look like the new signatures', () => {
  it('a real server answering them is not flagged, discovered and hinted', async () => {
    const target = await round8Clean();
    try {
      const result = await runProbe(parseTarget(target.url, false), {
        paths: Object.keys(ROUND8_CLEAN),
        timeoutMs: 30_000,
      });
      expect(leaks(result)).toEqual([]);
    } finally {
      await target.close();
    }
  });

  it.each([
    ['a CDN cache node and a varnish via', { 'x-served-by': 'cache-fra19142-FRA', via: '1.1 varnish' }, ''],
    ['a public backend field without a host name', { 'x-backend': 'primary' }, ''],
    ['a path key holding a URL path', {}, '{"path":"/home/featured","href":"/app/settings"}'],
    ['Elasticsearch-like codes without an exception type', {}, '{"error":{"type":"not_found","reason":"No order"}}'],
    ['errno names in help text', {}, '{"help":"ECONNREFUSED: the client could not connect; see /docs/network"}'],
  ])('%s', (_label, headers: Record<string, string>, body) => {
    const found = checkAnswer({ status: 400, headers, body }, { probe: 'unit', location: '/' });
    expect(found.filter((f) => f.rule.startsWith('leak/'))).toEqual([]);
  });

  it('an ODBC connection string with PWD= is a secret, not an environment value', () => {
    const found = checkAnswer(
      { status: 500, headers: {}, body: '{"error":"Driver={ODBC};Server=db01;UID=app;PWD=Hunter2!x;"}' },
      { probe: 'unit', location: '/' },
    );
    expect(found.map((f) => f.rule)).toContain('leak/secret');
    expect(found.map((f) => f.rule)).not.toContain('leak/env');
  });
});

describe('the round 8 signatures read hostile bodies in linear time', () => {
  const SIZE = 320 * 1024;
  it.each([
    'EACCES: a',
    'ENOENT: aa, ',
    'listen EADDRINUSE',
    '"severity":"ERROR",',
    '"file":"a.c",',
    '; SQL [',
    'cannot unmarshal a into Go struct field ',
    'Cannot invoke "a',
    '"cwd":"/a',
    'NODE_ENV=',
    'column a.',
    'operator does not exist: a ',
    'x-backend: a.',
  ])('%j repeated', (seed) => {
    const body = seed.repeat(Math.ceil(SIZE / seed.length)).slice(0, SIZE);
    for (const signature of SIGNATURES) {
      const started = process.cpuUsage();
      new RegExp(signature.pattern.source, signature.pattern.flags).test(body);
      const used = process.cpuUsage(started);
      expect((used.user + used.system) / 1000, signature.description).toBeLessThan(1000);
    }
  });
});
