/**
 * Red team, gRPC streams and binary metadata: a leak in the second message of a server-streaming
 * method and in `-bin` metadata holding UTF-16 or gzipped text is reported under its rule; a clean
 * server-streaming method is answered and reached, not waited on until its deadline. (grpc-js's own
 * answers to an unknown method and an oversized message are not the point here.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { type LeakyTarget, missed } from './leaky/planted.js';
import { CLEAN_STREAM, GRPC_STREAM_LEAKS, redTeamGrpcStreams } from './leaky/red-team-grpc-streams.js';

describe('red team gRPC streams and binary metadata', () => {
  let target: LeakyTarget;
  beforeAll(async () => {
    target = await redTeamGrpcStreams();
  });
  afterAll(async () => {
    await target.close();
  });
  const probe = (methods: readonly string[]) =>
    runProbe(parseTarget(target.url, false), { grpcMethods: methods, requestTimeoutMs: 2000, timeoutMs: 30_000 });

  it('every leak is reported under its rule and severity', async () => {
    const result = await probe(GRPC_STREAM_LEAKS.map((leak) => leak.where));
    expect(missed(GRPC_STREAM_LEAKS, result.findings)).toEqual([]);
  });

  it('a clean server-streaming method is answered, not waited on until its deadline (unanswered)', async () => {
    const result = await probe([CLEAN_STREAM]);
    expect(result.unanswered).toMatchObject({ timeout: 0, closed: 0, unparseable: 0 });
    expect(result.coverage.reached).toContain(CLEAN_STREAM);
    const rules = result.findings.map((f) => f.rule);
    expect(rules).not.toContain('availability/unanswered');
    expect(rules.filter((rule) => rule.startsWith('leak/'))).toEqual([]);
  });
});
