/**
 * WebSocket: an error sent late (0.5 s and 1.5 s after the bad message, after a clean welcome) is
 * read and reported; the session listens long enough for it, within the run's deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { type LeakyTarget, missed } from './leaky/planted.js';
import { lateWs } from './leaky/ws-late.js';

describe('a WebSocket leak sent late', () => {
  let target: LeakyTarget;
  let results: RunResult[];
  beforeAll(async () => {
    target = await lateWs();
    results = await Promise.all(
      target.planted.map(({ where }) =>
        runProbe(parseTarget(`${target.url}${where}`, false), { noDiscovery: true, timeoutMs: 20_000 }),
      ),
    );
  });
  afterAll(() => target.close());

  it.each([
    ['/late-500', 0],
    ['/late-1500', 1],
  ])('a stack sent after a clean welcome, late, on %s: reported', (where, index) => {
    const result = results[index] as RunResult;
    expect(missed([{ rule: 'leak/stack-node', where }], result.findings)).toEqual([]);
    // The run waited for the late frame, not for its whole deadline.
    expect(result.timedOut).toBe(false);
    expect(result.durationMs).toBeLessThan(10_000);
  });
});
