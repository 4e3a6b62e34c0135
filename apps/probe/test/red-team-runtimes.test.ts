/**
 * Red team, runtimes: texts of other runtimes and settings (private addresses, runtime versions,
 * framework debug pages and fields, exception messages without a stack, Rust panics, environment
 * dumps, system paths) are reported under their rule and severity from real HTTP/1.1, gRPC and
 * WebSocket servers, on every channel they came by; and what an ordinary safe API answers (a UUID
 * request id, an RFC 9457 `type` URL, `Retry-After`, the word "error", an API version) is not a leak.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAnswer } from '../src/answer.js';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { type LeakyTarget, missed } from './leaky/planted.js';
import { RUNTIME_PLANTED, redTeamRuntimes } from './leaky/red-team-runtimes.js';
import { RUNTIME_GRPC_PLANTED, RUNTIME_WS_PLANTED, runtimesGrpc, runtimesWs } from './leaky/red-team-runtimes-rpc.js';

const options = { noDiscovery: true, requestTimeoutMs: 3000, timeoutMs: 40_000 } as const;

describe('red team runtimes over HTTP/1.1, gRPC and WebSocket', () => {
  let targets: LeakyTarget[];
  let http: RunResult;
  let grpc: RunResult;
  let ws: RunResult[];
  beforeAll(async () => {
    targets = await Promise.all([redTeamRuntimes(), runtimesGrpc(), runtimesWs()]);
    const [httpTarget, grpcTarget, wsTarget] = targets as [LeakyTarget, LeakyTarget, LeakyTarget];
    const paths = [...new Set(RUNTIME_PLANTED.map((p) => p.where))];
    [http, grpc, ws] = await Promise.all([
      runProbe(parseTarget(httpTarget.url, false), { ...options, paths }),
      runProbe(parseTarget(grpcTarget.url, false), {
        ...options,
        grpcMethods: RUNTIME_GRPC_PLANTED.map((p) => p.where),
      }),
      Promise.all(
        RUNTIME_WS_PLANTED.map(({ where }) => runProbe(parseTarget(`${wsTarget.url}${where}`, false), options)),
      ),
    ]);
  });
  afterAll(async () => {
    await Promise.all(targets.map((t) => t.close()));
  });

  it.each(RUNTIME_PLANTED)('HTTP $where $needle: reported as $rule ($severity)', (leak) => {
    const reported = http.findings.filter((f) => missed([leak], [f]).length === 0);
    expect(reported.map((f) => f.evidence).filter((evidence) => evidence?.includes(leak.needle))).toHaveLength(1);
  });

  it.each(RUNTIME_GRPC_PLANTED)('gRPC $where: reported as $rule ($severity)', (leak) => {
    expect(missed([leak], grpc.findings)).toEqual([]);
  });

  it.each(RUNTIME_WS_PLANTED)('WebSocket $where: reported as $rule ($severity)', (leak) => {
    expect(
      missed(
        [leak],
        ws.flatMap((r) => r.findings),
      ),
    ).toEqual([]);
  });

  it('an exception reported with its stack is one finding, under the stack', () => {
    const found = checkAnswer(
      {
        status: 500,
        headers: {},
        body: "TypeError: Cannot read properties of undefined (reading 'id')\n    at get (/srv/api/orders.js:4:9)",
      },
      { probe: 'unit', location: '/' },
    );
    expect(found.filter((f) => f.rule.startsWith('leak/')).map((f) => f.rule)).toEqual(['leak/stack-node']);
  });
});

describe('what a safe API answers is not a leak', () => {
  const uuid = '123e4567-e89b-42d3-a456-426614174000';
  it.each([
    [
      'a UUID request id and a generic type URL',
      { 'x-request-id': uuid },
      '{"type":"https://example.com/probs/out-of-credit","title":"Error","status":403,"detail":"error"}',
    ],
    [
      'Retry-After and rate limit fields',
      { 'retry-after': '120', 'ratelimit-reset': '30', 'x-runtime': '0.0123' },
      '{"error":"rate_limited"}',
    ],
    [
      'an RFC 9110 type URL',
      {},
      '{"type":"https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1","title":"Bad Request"}',
    ],
    [
      'an API version',
      { 'api-version': '2023-10-01' },
      '{"detail":"API version v2.1 is not supported; use 3.0 or later"}',
    ],
    ['an error class named without a message', {}, '{"error":"TypeError","code":"VALIDATION_FAILED"}'],
    [
      'a route under /api/v1 and a relative instance',
      {},
      '{"instance":"/api/v1/etc/orders","links":{"next":"/v1/var/items?page=2"}}',
    ],
    ['a public product field', { server: 'cloudflare', via: '1.1 varnish', 'x-served-by': 'cache-fra19146-FRA' }, ''],
    [
      'hex and base64 identifiers',
      { etag: 'W/"5e-1a2b3c4d"' },
      '{"id":"fd12a3b4c5d6","traceId":"4bf92f3577b34da6a3ce929d0e0e4736"}',
    ],
    [
      'a public IPv6 address and a version-like number',
      {},
      '{"client":"2001:db8::1","retryIn":"1.5 s","build":"20.11"}',
    ],
    [
      'a validation message naming a password field',
      {},
      '{"errors":[{"field":"DB_PASS","code":"required"},{"field":"password","code":"too_short"}]}',
    ],
  ])('%s', (_label, headers: Record<string, string>, body) => {
    const found = checkAnswer({ status: 400, headers, body }, { probe: 'unit', location: '/' });
    expect(found.filter((f) => f.rule.startsWith('leak/'))).toEqual([]);
  });
});
