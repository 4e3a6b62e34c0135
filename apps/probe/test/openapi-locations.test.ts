/**
 * Blind discovery of OpenAPI documents where frameworks serve them by default (NestJS, ASP.NET,
 * springfox): given only a base URL, the probe reads the document and finds the leak of an
 * operation it names, under a path no common path guesses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { ELSEWHERE, openapiElsewhere } from './leaky/openapi-elsewhere.js';
import { type LeakyTarget, missed } from './leaky/planted.js';

describe('OpenAPI documents at framework default locations', () => {
  let targets: LeakyTarget[];
  let results: RunResult[];
  beforeAll(async () => {
    targets = await Promise.all(ELSEWHERE.map((e) => openapiElsewhere(e.location, e.collection)));
    results = await Promise.all(targets.map((t) => runProbe(parseTarget(t.url, false), { timeoutMs: 30_000 })));
  });
  afterAll(async () => {
    await Promise.all(targets.map((t) => t.close()));
  });

  it.each(ELSEWHERE.map((e, i) => [e.location, i] as const))('%s: read, and its operation probed', (location, i) => {
    const result = results[i] as RunResult;
    expect(result.discovered.some((d) => d.how === `openapi ${location}`)).toBe(true);
    expect(missed(targets[i]?.planted ?? [], result.findings)).toEqual([]);
  });
});
