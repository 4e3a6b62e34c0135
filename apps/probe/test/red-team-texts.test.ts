/**
 * Red team, texts: the error texts of other runtimes, drivers, clouds and settings are reported
 * under their rule and severity from a real server, and benign text that looks like them (a
 * validation error naming a password field, a redacted setting, random base64, prose, ordinary
 * product and cookie fields) is not a leak.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAnswer } from '../src/answer.js';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { type LeakyTarget, missed } from './leaky/planted.js';
import { RED_TEAM_TEXTS, redTeamTexts } from './leaky/red-team-texts.js';

describe('red team texts from a real server', () => {
  let target: LeakyTarget;
  let result: RunResult;
  beforeAll(async () => {
    target = await redTeamTexts();
    const paths = [...new Set(target.planted.map((p) => p.where))];
    result = await runProbe(parseTarget(target.url, false), { noDiscovery: true, paths, timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await target.close();
  });

  it.each(RED_TEAM_TEXTS)('$needle: reported as $rule ($severity)', (leak) => {
    const reported = result.findings.filter((f) => missed([leak], [f]).length === 0);
    expect(reported.map((f) => f.evidence).filter((evidence) => evidence?.includes(leak.needle))).toHaveLength(1);
  });
});

describe('benign text is not a leak', () => {
  const uuid = '123e4567-e89b-42d3-a456-426614174000';
  it.each([
    ['a validation error naming password fields', {}, '{"errors":{"new_password":"required","password":"too_short"}}'],
    ['field violations', {}, '{"fieldViolations":[{"field":"dbPassword","code":"required"},{"field":"apiKey"}]}'],
    ['redacted settings', {}, '{"config":{"dbPassword":"********","jwtSecret":"[REDACTED]","apiKey":"[FILTERED]"}}'],
    ['prose', {}, 'Look at System settings. Caused by a typo on line 3; see Foo.Bar(String) in the manual.'],
    [
      'random base64 and hashes',
      {},
      '{"nonce":"q83vEjRWeJCrze8SNFZ4mQ==","sri":"sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"}',
    ],
    [
      'base64 of plain prose',
      {},
      `{"hint":"${Buffer.from('The request is invalid. Please try again.').toString('base64')}"}`,
    ],
    ['a form-encoded search redirect', { location: '/search?q=select+from+list&sort=price%20asc' }, ''],
    [
      'a session cookie and product fields',
      { 'set-cookie': 's=s%3AJ8sN2kLq9XvP1mZ0.aB3cD4eF5gH6; Path=/', server: 'cloudflare', via: 'HTTP/1.1 edge' },
      '',
    ],
    [
      'a request id and a trace context',
      { 'x-request-id': uuid, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      '',
    ],
    ['a relative URL path', {}, '{"instance":"/api/v1/users/settings/notifications","type":"about:blank"}'],
  ])('%s', (_label, headers: Record<string, string>, body) => {
    const found = checkAnswer({ status: 400, headers, body }, { probe: 'unit', location: '/' });
    expect(found.filter((f) => f.rule.startsWith('leak/'))).toEqual([]);
  });
});
