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
    ['a web server named without its version', { server: 'nginx', via: '1.1 varnish' }, ''],
    ['Apache with ServerTokens Prod', { server: 'Apache' }, ''],
    ['an nginx ETag', { etag: '"65a1f0c2-2d"' }, ''],
    ['an Apache 2.4 ETag (size and time)', { etag: '"2d-5b1e4a4f8c2c0"' }, ''],
    ['an Express ETag', { etag: 'W/"2a-5d1bGhIjKlMnOpQrStUvWxYz01"' }, ''],
    ['a version ETag', { etag: '"1-2-3"' }, ''],
    ['a product domain starting with a word of an internal suffix', {}, '{"docs":"https://docs.internal-tools.dev"}'],
    ['hex that is no IPv6 address', {}, '{"t":"fc12:34:56","mac":"fd:ab:cd:12:34:56"}'],
    [
      'SKUs starting like a token prefix',
      {},
      '{"skus":["sk-proj-roadmap","sk-ant-farm-kit","SG.Series.X200","hvs.north"]}',
    ],
    [
      'documentation of the Authorization field',
      {},
      '{"example":"Authorization: Bearer YOUR_API_TOKEN","basic":"Authorization: Basic <credentials>"}',
    ],
    ['a redacted Authorization echo', {}, '{"headers":{"authorization":"Bearer [REDACTED]"}}'],
    [
      'an S3 presigned URL',
      {},
      '{"url":"https://b.s3.amazonaws.com/a?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240101%2Fus-east-1%2Fs3%2Faws4_request"}',
    ],
    ['prose naming scripts and times', {}, '{"help":"Meet at the booth (hall 3) at 12:30; look at main.js:12"}'],
    ["a health answer with the API's own version", {}, '{"status":"ok","version":"2.4.1","service":"orders"}'],
    [
      'a public Server-Timing',
      {
        'server-timing':
          'cache;desc="hit", total;dur=12, db;dur=53, db-query;dur=4, query_plan;dur=1, table-render;dur=5, app;desc="from cache";dur=2',
      },
      '',
    ],
    [
      'a GraphQL error without suggestions, and introspection turned off',
      {},
      '{"errors":[{"message":"Cannot query field \\"usr\\" on type \\"Query\\".","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}},{"message":"GraphQL introspection is not allowed, but the query contained __schema or __type."}]}',
    ],
    [
      "Google's documented resource names",
      {},
      '{"help":"Name it projects/PROJECT_ID/secrets/SECRET_ID/versions/latest; topics are projects/my-project/topics/orders"}',
    ],
    ['a generator named without its version', { 'x-generator': 'Hugo' }, '<meta name="generator" content="Hugo">'],
  ])('%s', (_label, headers: Record<string, string>, body) => {
    const found = checkAnswer({ status: 400, headers, body }, { probe: 'unit', location: '/' });
    expect(found.filter((f) => f.rule.startsWith('leak/'))).toEqual([]);
  });
});

describe('newer credential formats and echoed credentials (round 6)', () => {
  const rules = (body: string, headers: Record<string, string> = {}) =>
    checkAnswer({ status: 500, headers, body }, { probe: 'unit', location: '/' })
      .map((f) => f.rule)
      .filter((rule) => rule.startsWith('leak/'));
  const random = 'AbC123dEf456GhI789jKl012MnO345pQr678StU901vWx234YzA567bCd890eFg';

  it.each([
    ['GitHub fine-grained', `github_pat_11ABCDEFG0123456789_${random}`],
    ['OpenAI project key', `sk-proj-${random}`],
    ['OpenAI legacy key', 'sk-AbC123dEf456GhI789jKT3BlbkFJl012MnO345pQr678StU'],
    ['Anthropic key', `sk-ant-api03-${random}-AbCdEfAA`],
    ['Vault service token', 'hvs.CAESIJlWh2Ls5AbC123dEf456GhI789jKl012MnO345pQr6GiQK'],
    ['SendGrid key', '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'],
    ['Stripe webhook secret', 'whsec_AbC123dEf456GhI789jKl012MnO345pQ'],
    ['Hugging Face token', 'hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567'],
    ['GitLab runner token', 'glrt-AbC123dEf456GhI789jK'],
    ['Slack webhook', 'https://hooks.slack.com/services/T0123ABCD/B0456EFGH/AbCdEfGhIjKlMnOpQrStUvWx'],
    ['Azure AD client secret', 'Xy78Q~AbCdEfGhIjKlMnOpQrStUvWxYz0123456'],
    [
      'Azure Service Bus SAS token',
      'SharedAccessSignature sr=shop.example.net&sig=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789%3D&se=1700000000&skn=Root',
    ],
    ['a PGP private key block', '-----BEGIN PGP PRIVATE KEY BLOCK-----'],
    ['an echoed Basic Authorization field', '{"headers":{"authorization":"Basic YWRtaW46czNjcjN0UGFzcw=="}}'],
    ['an echoed Bearer Authorization field', 'Authorization: Bearer 8f2c1e9a7b3d4c5e6f708192a3b4c5d6'],
  ])('%s is a secret', (_label, text) => {
    expect(rules(JSON.stringify({ error: text }))).toContain('leak/secret');
  });

  it('a Google Cloud service account is a cloud resource name, not an e-mail address', () => {
    const found = rules('{"error":"123456-compute@developer.gserviceaccount.com cannot read the bucket"}');
    expect(found).toContain('leak/private-ip');
    expect(found).not.toContain('leak/email');
  });

  it.each([
    ['an ETag holding a file inode', { etag: '"4c1b3-2d-5b1e4a4f8c2c0"' }, 'leak/inode'],
    ["Django's debug page's rows", {}, 'leak/debug', '<th>Python Executable:</th><td>/usr/bin/python3</td>'],
    ['an address of the shared range 100.64/10', {}, 'leak/private-ip', 'upstream 100.72.3.4:8080 refused'],
    ['an S3 bucket ARN', {}, 'leak/private-ip', 'AccessDenied: arn:aws:s3:::shop-private-backups/db.sql'],
    [
      'a GraphQL introspection answer',
      {},
      'leak/graphql-schema',
      '{"data":{"__schema":{"queryType":{"name":"Query"}}}}',
    ],
    ['a generator meta tag with its version', {}, 'leak/version', '<meta name="generator" content="Hugo 0.120.4" />'],
  ])('%s is reported', (_label, headers: Record<string, string>, rule, body = '') => {
    expect(rules(body, headers)).toContain(rule);
  });
});
