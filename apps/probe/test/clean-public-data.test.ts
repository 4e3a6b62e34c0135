/**
 * Clean public data is not a leak: an API (not Faultline's) whose answers hold hashes and hex ids,
 * base64 images, lists of numbers and Buffers, dashed release names and slugs, public domains named
 * like internal ones (`api.consul.io`, `www.local.com`) and prose naming runtimes gets no leak finding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { cleanPublicData, PUBLIC_DATA_PATHS } from './leaky/clean-public-data.js';

describe('a clean API of public data', () => {
  let target: { url: string; close(): Promise<void> };
  let result: RunResult;
  beforeAll(async () => {
    target = await cleanPublicData();
    result = await runProbe(parseTarget(target.url, false), {
      noDiscovery: true,
      paths: PUBLIC_DATA_PATHS,
      requestTimeoutMs: 3000,
      timeoutMs: 30_000,
    });
  });
  afterAll(async () => {
    await target.close();
  });

  it('is answered and reached', () => {
    expect(result.coverage.reached.length).toBeGreaterThan(0);
    expect(result.unanswered).toMatchObject({ timeout: 0, closed: 0, unparseable: 0 });
  });

  it('gets no leak finding', () => {
    expect(result.findings.filter((f) => f.rule.startsWith('leak/')).map((f) => [f.rule, f.evidence])).toEqual([]);
  });
});
