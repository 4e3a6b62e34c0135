/**
 * Red team, encodings and texts: leaks in UTF-16 without a byte order mark, in an undeclared gzip
 * body, a body gzipped twice under one Content-Encoding, a zstd body (unparseable where Node.js cannot
 * read zstd), a quoted-printable part, JSON stringified four times, base64 of gzip and of UTF-16, and texts
 * of other drivers and runtimes are each reported under their rule and severity from a real server;
 * prose with SQL words and URL paths under `/app/`, `/home/` and `/opt/` are not leaks.
 */

import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { type LeakyTarget, missed } from './leaky/planted.js';
import { BENIGN_ROUTES, ENCODING_LEAKS, redTeamEncodings, ZSTD_ROUTE } from './leaky/red-team-encodings.js';

describe('red team encodings from a real server', () => {
  let target: LeakyTarget & { readonly benign: readonly string[] };
  let result: RunResult;
  beforeAll(async () => {
    target = await redTeamEncodings();
    const paths = [...target.planted.map((p) => p.where), ZSTD_ROUTE.where, ...target.benign];
    result = await runProbe(parseTarget(target.url, false), {
      noDiscovery: true,
      paths,
      requestTimeoutMs: 2000,
      timeoutMs: 30_000,
    });
  });
  afterAll(async () => {
    await target.close();
  });

  it('the run is complete', () => {
    expect(result.incomplete).toBe(false);
  });

  it.each(ENCODING_LEAKS)('$where: reported as $leak.rule ($leak.severity)', (route) => {
    expect(missed([{ where: route.where, ...route.leak }], result.findings)).toEqual([]);
  });

  it('a zstd body: its stack reported where Node.js reads zstd (22.15+), else the answer unparseable, not clean', () => {
    const { where, leak } = ZSTD_ROUTE;
    if ('zstdDecompressSync' in zlib) expect(missed([{ where, ...leak }], result.findings)).toEqual([]);
    else {
      expect(result.unanswered.unparseable).toBeGreaterThan(0);
      expect(result.findings.map((f) => f.rule)).toContain('availability/unanswered');
    }
  });

  it.each(BENIGN_ROUTES)('$where: benign words and URL paths are no leak', (route) => {
    const leaks = result.findings.filter(
      (f) => f.rule.startsWith('leak/') && (f.locations ?? [f.location]).some((l) => l.includes(route.where)),
    );
    expect(leaks.map((f) => `${f.rule}: ${f.evidence}`)).toEqual([]);
  });
});
