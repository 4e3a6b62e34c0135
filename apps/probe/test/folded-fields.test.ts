/**
 * HTTP/1.1 head text that a parser joins or rejects: a field continued by an obsolete line folding
 * is read as one value (RFC 9112 §5.2), a field name is read too, and a head that cannot be parsed
 * (a bare LF), an answer that is not HTTP and a head that never ends are still checked as text:
 * the leak is reported, along with the unparseable or timed-out answer, never masked by it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { foldedFields } from './leaky/folded-fields.js';
import { type LeakyTarget, missed } from './leaky/planted.js';

describe('folded, odd and unparseable HTTP/1.1 heads', () => {
  let target: LeakyTarget;
  let result: RunResult;
  beforeAll(async () => {
    target = await foldedFields();
    result = await runProbe(parseTarget(target.url, false), {
      noDiscovery: true,
      paths: target.planted.map((p) => p.where),
      // The stalled head holds each of its probes this long.
      requestTimeoutMs: 800,
      timeoutMs: 20_000,
    });
  });
  afterAll(() => target.close());

  it.each([0, 1, 2, 3, 4, 5])('planted leak %i is reported', (index) => {
    const leak = target.planted[index];
    expect(leak && missed([leak], result.findings)).toEqual([]);
  });

  it('the unparseable answers are still reported as unparseable (and not counted as answered)', () => {
    expect(result.findings.some((f) => f.rule === 'protocol/unparseable')).toBe(true);
    expect(result.unanswered.unparseable).toBeGreaterThan(0);
  });
});
