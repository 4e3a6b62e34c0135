/**
 * The CLI's output directory and its `--grpc-*` flags, as a user meets them: a directory that
 * cannot be made (under `/proc`, where Node's recursive mkdir never returned, or under a file) is a
 * clear error and exit 1 at once; a nested new directory is made; gRPC flags missing a part are
 * usage errors naming the flags (exit 2), not the API's option names.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../bin/faultline-edge.js', import.meta.url));
const run = (args: readonly string[]) => spawnSync(CLI, args, { encoding: 'utf8', timeout: 10_000 });

describe('faultline-edge --out', () => {
  it.skipIf(!existsSync('/proc/self'))('a directory under /proc: exit 1 at once, not a hang', () => {
    for (const gateway of ['nginx', 'haproxy']) {
      const result = run([gateway, '--upstream', '127.0.0.1:1', '--out', '/proc/faultline-nope/x']);
      expect(result.signal).toBeNull();
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^faultline-edge: cannot write "\/proc\/faultline-nope\/x": /);
    }
  });

  it('under a regular file: exit 1; a nested new directory: made', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-edge-out-'));
    writeFileSync(join(dir, 'file'), '');
    const under = run(['nginx', '--upstream', '127.0.0.1:1', '--out', join(dir, 'file', 'x')]);
    expect(under.status).toBe(1);
    expect(under.stderr).toMatch(/cannot write .*ENOTDIR/);
    const nested = join(dir, 'a', 'b', 'c');
    expect(run(['nginx', '--upstream', '127.0.0.1:1', '--out', nested]).status).toBe(0);
    expect(existsSync(join(nested, 'nginx.conf'))).toBe(true);
    expect(existsSync(join(nested, 'tmp'))).toBe(true);
  });
});

describe('faultline-edge --grpc-*', () => {
  const out = () => mkdtempSync(join(tmpdir(), 'faultline-edge-grpc-'));
  it.each([
    [['--grpc-domain', 'orders.example.com'], /--grpc-upstream is required with the other --grpc-\* options/],
    [['--grpc-upstream', '127.0.0.1:3'], /--grpc-service is required/],
    [['--grpc-upstream', '127.0.0.1:3', '--grpc-service', 'a.B'], /gRPC needs --cert .* or --grpc-listen/],
  ])('%o: a usage error naming the flags', (flags, message) => {
    for (const gateway of ['nginx', 'haproxy']) {
      const result = run([gateway, '--upstream', '127.0.0.1:1', ...flags, '--out', out()]);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/undefined|grpc\.listen|upstreams \[\]/);
    }
  });
});
