/**
 * Red team, late stream failures: a server-streaming and a bidi method that fail with a leaky status
 * 700 ms after their first message are reported (a stream is read to its end or its deadline, not
 * 300 ms past its first message), and a clean subscription that never ends is answered with what it
 * sent, reached and clean, not counted a timeout. Streams that never end are read side by side (they
 * cost the run one per-request limit, not one each), but not without bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { type LeakyTarget, missed } from './leaky/planted.js';
import { FEEDS, LATE_LEAKS, mostOpenFeeds, redTeamLateStreams, SUBSCRIBE } from './leaky/red-team-late-streams.js';

describe('red team late gRPC stream failures', () => {
  let target: LeakyTarget;
  let result: RunResult;
  beforeAll(async () => {
    target = await redTeamLateStreams();
    result = await runProbe(parseTarget(target.url, false), {
      grpcMethods: [...LATE_LEAKS.map((leak) => leak.where), SUBSCRIBE],
      noDiscovery: true,
      requestTimeoutMs: 2000,
      timeoutMs: 20_000,
    });
  });
  afterAll(async () => {
    await target.close();
  });

  it.each(LATE_LEAKS)('$where: a status 700 ms after the first message is reported as $rule', (leak) => {
    expect(missed([leak], result.findings)).toEqual([]);
  });

  it('a subscription still open at its deadline is answered, reached and clean', () => {
    expect(result.unanswered).toMatchObject({ timeout: 0, closed: 0, unparseable: 0, aborted: 0 });
    expect(result.coverage.reached).toContain(SUBSCRIBE);
    const atSubscribe = result.findings.filter((f) => (f.locations ?? [f.location]).includes(SUBSCRIBE));
    expect(atSubscribe.filter((f) => f.rule.startsWith('leak/') || f.rule.startsWith('availability/'))).toEqual([]);
  });

  it('streams that never end are read side by side, at most 16 (and the 4 being sent) at once', async () => {
    const feeds = await runProbe(parseTarget(target.url, false), {
      grpcMethods: FEEDS,
      noDiscovery: true,
      requestTimeoutMs: 400,
      timeoutMs: 20_000,
    });
    // 8 feeds x 5 probes (and an oversized message on 3, refused at once): 40 streams that never end,
    // each answered with its first message.
    expect(feeds.unanswered).toMatchObject({ timeout: 0, closed: 0, aborted: 0 });
    expect(feeds.coverage.reached).toEqual(expect.arrayContaining(FEEDS));
    expect(mostOpenFeeds()).toBeGreaterThan(4);
    expect(mostOpenFeeds()).toBeLessThanOrEqual(20);
  });
});
