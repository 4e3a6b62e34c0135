/**
 * Leaks carried escaped (JSON strings, HTML pages, UTF-16) or in texts of other stacks: every leak
 * planted by the escaped-leaks target is reported under its rule, at its path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAnswer } from '../src/answer.js';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { escapedApi } from './leaky/escaped.js';
import type { LeakyTarget } from './leaky/planted.js';

describe('leaks carried escaped or in unusual texts', () => {
  let target: LeakyTarget;
  let result: RunResult;
  beforeAll(async () => {
    target = await escapedApi();
    result = await runProbe(parseTarget(target.url, false), {
      noDiscovery: true,
      paths: target.planted.map((p) => p.where),
      timeoutMs: 30_000,
    });
  });
  afterAll(async () => {
    await target.close();
  });

  it('reports every planted leak under its rule', () => {
    const missed = target.planted.filter(
      (leak) =>
        !result.findings.some(
          (f) => f.rule === leak.rule && (f.locations ?? [f.location]).some((l) => l.includes(leak.where)),
        ),
    );
    expect(missed).toEqual([]);
    expect(result.verdict).toBe('findings');
  });
});

describe('benign text is not a leak', () => {
  it.each([
    ['a redirect to the target itself', { location: 'http://localhost:3000/login' }, ''],
    ['a stable error code naming a token', {}, '{"code":"INVALID_TOKEN","title":"The token is invalid."}'],
    ['assets on a root page', {}, '<script src="/static/js/main.4f2a.js"></script><a href="/docs/api.html">'],
    ['a problem type URI', {}, '{"type":"about:blank","status":404,"instance":"/orders/1"}'],
    ['an escaped quote in a message', {}, '{"title":"Field \\"email\\" is required."}'],
  ])('%s', (_label, headers: Record<string, string>, body) => {
    const rules = checkAnswer({ status: 400, headers, body }, { probe: 'unit', location: '/' }).map((f) => f.rule);
    expect(rules.filter((rule) => rule.startsWith('leak/'))).toEqual([]);
  });
});

describe('escaped stacks are reported once, under their true kind', () => {
  it.each([
    ['a JSON-escaped Python frame', '{"error":"File \\"/srv/api/views.py\\", line 12, in get"}', 'leak/stack-python'],
    ['an HTML-escaped Python frame', '<pre>File &quot;/srv/app/x.py&quot;, line 3, in f</pre>', 'leak/stack-python'],
    ['a JSON-escaped Node frame, relative path', '{"stack":"Error: x\\n    at foo (app.js:1:1)"}', 'leak/stack-node'],
  ])('%s', (_label, body, rule) => {
    const rules = checkAnswer({ status: 500, headers: {}, body }, { probe: 'unit', location: '/' }).map((f) => f.rule);
    expect(rules).toEqual([rule]);
  });
});
