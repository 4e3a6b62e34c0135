/**
 * Leaks only in the answers to OPTIONS and HEAD are found, and an answer to HEAD (a Content-Length,
 * no body) is read at the end of its head, not waited on until it times out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { methodsApi } from './leaky/methods.js';
import type { LeakyTarget } from './leaky/planted.js';

describe('leaks only on OPTIONS and HEAD', () => {
  let target: LeakyTarget;
  let result: RunResult;
  beforeAll(async () => {
    target = await methodsApi();
    result = await runProbe(parseTarget(target.url, false), {
      noDiscovery: true,
      requestTimeoutMs: 1000,
      timeoutMs: 20_000,
    });
  });
  afterAll(async () => {
    await target.close();
  });

  it('reports each planted leak under its rule and method', () => {
    for (const leak of target.planted)
      expect(
        result.findings.some(
          (f) => f.rule === leak.rule && (f.locations ?? [f.location]).some((l) => l.startsWith(leak.where)),
        ),
        `${leak.rule} at ${leak.where}`,
      ).toBe(true);
  });

  it('the answer to HEAD is read, not timed out', () => {
    expect(result.unanswered.timeout).toBe(0);
    expect(result.findings.map((f) => f.rule)).not.toContain('availability/unanswered');
  });
});
