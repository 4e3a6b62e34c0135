/**
 * Red team, encodings, internal hosts and runtimes: stacks and driver errors written as hex or as a
 * list of byte values, Kubernetes pod names without a port, and the stacks of Elixir, Erlang, Swift,
 * Dart, Deno, C# async methods, Kotlin coroutines, Akka, Clojure, Perl, Lua, Haskell and C++ are each
 * reported under their rule and severity, from a real HTTP/1.1 server, with the text in the evidence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAnswer, type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { type LeakyTarget, missed } from './leaky/planted.js';
import { ENCODED_RUNTIME_LEAKS, redTeamEncodedRuntimes } from './leaky/red-team-encoded-runtimes.js';

describe('red team hex and byte lists, pod names, more runtimes over HTTP/1.1', () => {
  let target: LeakyTarget;
  let result: RunResult;
  beforeAll(async () => {
    target = await redTeamEncodedRuntimes();
    const paths = [...new Set(ENCODED_RUNTIME_LEAKS.map((leak) => leak.where))];
    result = await runProbe(parseTarget(target.url, false), {
      noDiscovery: true,
      paths,
      requestTimeoutMs: 3000,
      timeoutMs: 30_000,
    });
  });
  afterAll(async () => {
    await target.close();
  });

  it.each(ENCODED_RUNTIME_LEAKS)('$where $needle: reported as $rule ($severity)', (leak) => {
    const reported = result.findings.filter((f) => missed([leak], [f]).length === 0);
    expect(reported.map((f) => f.evidence).filter((evidence) => evidence?.includes(leak.needle))).toHaveLength(1);
  });
});

/** The leak rules `text` (a body) is reported under. */
const rulesOf = (text: string) =>
  checkAnswer({ status: 500, headers: {}, body: text }, { probe: 'unit', location: '/' })
    .map((f) => f.rule)
    .filter((rule) => rule.startsWith('leak/'));

describe('Kubernetes workloads, containers and coroutine dumps (round 5)', () => {
  const hex64 = '3f4e5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081';
  it.each([
    ['leak/private-ip', 'upstream orders-db-0 refused the connection'],
    ['leak/private-ip', 'no route to shop-redis-1'],
    ['leak/private-ip', 'resolved orders-db-0.orders-db'],
    ['leak/private-ip', 'dial kafka-0.kafka.shop'],
    ['leak/private-ip', 'log shipper fluentd-x7k2p is down'],
    ['leak/private-ip', 'kube-proxy-9zq4m restarted'],
    ['leak/private-ip', '{"servedBy":"web-x7k2p"}'],
    ['leak/private-ip', `containerd://${hex64}`],
    ['leak/private-ip', `cgroup /kubepods/burstable/pod9/${hex64}`],
    ['leak/private-ip', 'error in container 3f4e5a6b7c8d: OOMKilled'],
    ['leak/private-ip', '{"containerId":"3f4e5a6b7c8d"}'],
    ['leak/stack-java', 'Coroutine "order-sync#2":DeferredCoroutine{Cancelling}@4d5e6f, state: RUNNING'],
    ['leak/stack-java', 'job: StandaloneCoroutine{Active}@1b2c3d'],
    ['leak/stack-java', 'Coroutines dump 2024/01/15 12:00:00\n\nCoroutine "#2":… (dump of DebugProbes)'],
    ['leak/stack-elixir', 'exited: #PID<0.123.0>'],
  ])('%s: %s', (rule, text) => {
    expect(rulesOf(text)).toContain(rule);
  });

  it.each([
    'release-2024-01, us-east-1, eu-west-2, ap-southeast-2, build-20240115-1432, hotfix-7-x2k, v2-beta-rc1',
    'images: postgres-16, redis-7.2, redis-7-alpine, node-20-slim, mysql-8.0, kafka-3.6, orders-db-2024',
    'skus: sku-4f9a2c, user-5d7c2, item-0, page-1, step-2, part-3.part, order-x7k2p, ref-7k2mp, SAVE-X7K2P',
    'hosts: cdn-1.cdn.example.com, mirror-2.mirror.example.org, kafka-0.kafka, www.example.com',
    'We run Kafka with 3 brokers: kafka-0, kafka-1 and kafka-2. Our db-0 tier is free; see node-1 and worker-3.',
    `digest sha256:${hex64}, commit 3f4e5a6b7c8d, container MSCU1234567, container 123456789012`,
    '{"hostname":"web-frontend","servedBy":"edge-cache","pod":"blue","host":"api.example.com"}',
    'Coroutines{2} and "sync#2": a coroutine is not a leak',
  ])('public data: %s', (text) => {
    expect(rulesOf(text)).toEqual([]);
  });
});
