/**
 * The adversarial corpus through `capture` and both body formats: the expected category, and no
 * forbidden substring in anything public. The adapters run the same table over real sockets.
 */
import { CORPUS, leaksIn } from '@faultline/testkit';
import { describe, expect, it } from 'vitest';
import { capture, publicView, renderEnvelope, renderProblem } from './support/source.js';

describe('adversarial corpus through capture', () => {
  it('has at least 120 cases with unique names', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(120);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
  });

  it.each(CORPUS.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const fault = capture(testCase.make(), { input: testCase.input === undefined ? [] : [testCase.input] });
    expect(fault.category).toBe(testCase.category);
    const visible = [renderProblem(fault), renderEnvelope(fault), JSON.stringify(publicView(fault))].join('\n');
    expect(leaksIn(visible, testCase)).toEqual([]);
  });
});
