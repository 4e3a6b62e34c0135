/**
 * The CLI where users run it: the committed bin, exit codes (0 answered and clean, 1 findings,
 * 2 usage errors naming the value given), the CI gate (`--baseline`), findings deduplicated under
 * their true kind, and JSON:API accepted as an error media type.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../demo/src/http-app.js';
import { startUpstreams, type Upstreams } from '../../demo/src/upstreams.js';
import { parseCli } from '../src/cli-args.js';
import { checkAnswer, type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { devModeApp } from './leaky/express.js';
import { flagsApi, usersApi } from './leaky/http-plain.js';
import type { LeakyTarget } from './leaky/planted.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/faultline-probe.js');

function probe(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    );
  });
}

describe('the bin from a fresh checkout', () => {
  it('is a committed, executable file that package.json names, and it runs the built CLI', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      files: string[];
    };
    expect(pkg.bin['faultline-probe']).toBe('bin/faultline-probe.js');
    expect(pkg.files).toContain('bin');
    accessSync(bin, constants.X_OK);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const help = await probe(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('npx @faultline/probe');
  });

  it('the README documents the scoped package only, a CI job with SARIF upload and --baseline', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('npx @faultline/probe');
    expect(readme).not.toMatch(/npx faultline-probe/);
    expect(readme).toMatch(/upload-sarif/);
    expect(readme).toContain('--baseline');
  });
});

describe('usage errors name the value given, exit 2', () => {
  const cases: [string[], string][] = [
    [['http://127.0.0.1:1', '--timeout', 'abc'], '"abc"'],
    [['http://127.0.0.1:1', '--timeout', '0'], '"0"'],
    [['http://127.0.0.1:1', '--max-requests', '-5'], '"-5"'],
    [['http://127.0.0.1:1', '--fail-on', 'extreme'], '"extreme"'],
    [['http://127.0.0.1:1', '--baseline', '/nonexistent/previous.json'], '/nonexistent/previous.json'],
    [['http://127.0.0.1:1', '--openapi', '/nonexistent/api.yaml'], '/nonexistent/api.yaml'],
    [['http://127.0.0.1:1', '--openapi', join(root, 'package.json')], 'package.json'],
    [['http://127.0.0.1:1', '--path', 'users'], '"users"'],
    [['http://127.0.0.1:1', '--grpc-method', 'Orders.Create'], '"Orders.Create"'],
    [['http://127.0.0.1:1', 'http://127.0.0.1:2'], '"http://127.0.0.1:2"'],
    [['ftp://127.0.0.1'], 'ftp:'],
    [['not a url'], '"not a url"'],
    [['http://10.1.2.3:80'], '10.1.2.3'],
  ];

  it.each(cases)('%j', async (args, named) => {
    await expect(parseCli(args)).rejects.toThrow(named);
  });

  it('the CLI prints the error with the usage and exits 2', async () => {
    const [timeout, baseline] = await Promise.all([probe(cases[0]?.[0] ?? []), probe(cases[4]?.[0] ?? [])]);
    for (const outcome of [timeout, baseline]) {
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain('usage: npx @faultline/probe');
    }
    expect(timeout.stderr).toContain('--timeout takes a number between 1 and 3600, got "abc"');
    expect(baseline.stderr).toContain('/nonexistent/previous.json');
  });
});

describe('exit codes and the CI gate', () => {
  let users: LeakyTarget;
  let devMode: LeakyTarget;
  let upstreams: Upstreams;
  let demo: FastifyInstance;
  const dir = mkdtempSync(join(tmpdir(), 'faultline-probe-cli-'));
  beforeAll(async () => {
    [users, devMode, upstreams] = await Promise.all([usersApi(), devModeApp(), startUpstreams()]);
    demo = await buildHttpApp({ upstreams, logLevel: 'silent' });
    await demo.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await Promise.all([users.close(), devMode.close(), demo.close()]);
    await upstreams.close();
  });

  it('a clean Faultline service: exit 0; a leaky one: exit 1', async () => {
    const clean = await probe([`http://127.0.0.1:${(demo.server.address() as { port: number }).port}`]);
    expect(clean.stdout).toMatch(/verdict: clean$/m);
    expect(clean.code, clean.stdout).toBe(0);
    const leaky = await probe([users.url, '--json']);
    expect(leaky.code).toBe(1);
    expect((JSON.parse(leaky.stdout) as RunResult).verdict).toBe('findings');
  });

  it('--baseline reports only what is new since the previous report, and exits on it', async () => {
    const first = await probe([users.url, '--json']);
    const previous = JSON.parse(first.stdout) as RunResult;
    const file = join(dir, 'previous.json');
    writeFileSync(file, first.stdout);
    const same = await probe([users.url, '--baseline', file]);
    expect(same.code, same.stdout).toBe(0);
    expect(same.stdout).toContain('No new findings.');
    // Drop the pg leak on POST /login from the baseline: it is new again, and it alone is reported.
    const dropped = previous.findings.filter(
      (f) => !(f.rule === 'leak/driver-pg' && f.location.startsWith('POST /login')),
    );
    expect(dropped.length).toBe(previous.findings.length - 1);
    writeFileSync(file, JSON.stringify({ ...previous, findings: dropped }));
    const sarif = await probe([users.url, '--baseline', file, '--sarif']);
    expect(sarif.code).toBe(1);
    const results = (JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; baselineState: string }[] }[] })
      .runs[0]?.results;
    expect(results).toEqual([expect.objectContaining({ ruleId: 'leak/driver-pg', baselineState: 'new' })]);
  });

  it('each problem once, under its true kind: no duplicate keys, a stack is not also a path leak', async () => {
    const result = await runProbe(parseTarget(devMode.url, false), { timeoutMs: 20_000 });
    const keys = result.findings.map((f) => f.key);
    expect(new Set(keys).size).toBe(keys.length);
    const stacks = result.findings.filter((f) => f.rule === 'leak/stack-node');
    expect(stacks.length).toBeGreaterThan(0);
    for (const stack of stacks)
      expect(result.findings.some((f) => f.rule === 'leak/path' && f.location === stack.location)).toBe(false);
    expect(result.findings.filter((f) => f.rule === 'headers/nosniff')).toHaveLength(1);
  });
});

describe('error media types', () => {
  it('application/vnd.api+json is a proper error media type (JSON:API); text/html is not', () => {
    const answer = (type: string) => ({
      status: 404,
      headers: {
        'content-type': type,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        'x-request-id': '123e4567-e89b-42d3-a456-426614174000',
      },
      body: '{"errors":[{"status":"404","code":"NOT_FOUND"}]}',
    });
    const ctx = { probe: 'test', location: 'GET /x', http: true };
    expect(checkAnswer(answer('application/vnd.api+json'), ctx)).toEqual([]);
    expect(checkAnswer(answer('application/problem+json; charset=utf-8'), ctx)).toEqual([]);
    expect(checkAnswer(answer('text/html'), ctx).map((f) => f.rule)).toEqual(['headers/content-type']);
  });
});

describe('--openapi', () => {
  it('probes the operations of a given document (here with --no-discovery, so nothing else finds them)', async () => {
    const flags = await flagsApi();
    try {
      const doc = await (await fetch(`${flags.url}/openapi.yaml`)).text();
      const file = join(mkdtempSync(join(tmpdir(), 'faultline-probe-openapi-')), 'api.yaml');
      writeFileSync(file, doc);
      const given = await probe([flags.url, '--no-discovery', '--openapi', file, '--json']);
      const without = await probe([flags.url, '--no-discovery', '--json']);
      const redis = (stdout: string) =>
        (JSON.parse(stdout) as RunResult).findings.some((f) => f.rule === 'leak/driver-redis');
      expect(redis(given.stdout)).toBe(true);
      expect((JSON.parse(given.stdout) as RunResult).discovered).toContainEqual({
        how: `openapi ${file}`,
        what: 'PATCH /internal/flags/{name}',
      });
      expect(redis(without.stdout)).toBe(false);
    } finally {
      await flags.close();
    }
  });
});
