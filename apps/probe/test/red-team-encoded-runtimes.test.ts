/**
 * Red team, encodings, internal hosts and runtimes: stacks and driver errors written as hex or as a
 * list of byte values, Kubernetes pod names without a port, and the stacks of Elixir, Erlang, Swift,
 * Dart, Deno, C# async methods, Kotlin coroutines, Akka, Clojure, Perl, Lua, Haskell and C++ are each
 * reported under their rule and severity, from a real HTTP/1.1 server, with the text in the evidence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProbe } from '../src/index.js';
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
