/**
 * Red team, WebSocket binary messages holding text: UTF-16, gzip and zlib-compressed error frames
 * are read as the text they hold, and each leak is reported under its rule and severity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { type LeakyTarget, missed } from './leaky/planted.js';
import { binaryTextWs } from './leaky/red-team-ws-binary-text.js';

describe('red team ws binary messages holding text', () => {
  let target: LeakyTarget;
  let result: RunResult;
  beforeAll(async () => {
    target = await binaryTextWs();
    result = await runProbe(parseTarget(target.url, false), { noDiscovery: true, timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await target.close();
  });

  it('every leak is reported under its rule and severity', () => {
    expect(missed(target.planted, result.findings)).toEqual([]);
  });
});
