/**
 * HTTP/2's own frames: GOAWAY debug data and the header fields of a stream reset (RST_STREAM)
 * before its body are read like an answer, and their leaks reported at the request that caused them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { goawayH2 } from './leaky/h2-goaway.js';
import { type LeakyTarget, missed } from './leaky/planted.js';

describe('HTTP/2 GOAWAY debug data and RST_STREAM after leaky fields', () => {
  let target: LeakyTarget;
  let result: RunResult;
  beforeAll(async () => {
    target = await goawayH2();
    result = await runProbe(parseTarget(target.url, false), {
      http2: true,
      noDiscovery: true,
      paths: ['/goaway', '/rst'],
      timeoutMs: 20_000,
    });
  });
  afterAll(() => target.close());

  it('every planted leak is reported', () => {
    expect(missed(target.planted, result.findings)).toEqual([]);
  });

  it('the GOAWAY leak is reported as read from GOAWAY', () => {
    expect(result.findings.some((f) => f.probe === 'http goaway' && f.rule === 'leak/stack-node')).toBe(true);
  });
});
