/**
 * The generator without a running gateway: pages are core's own rendering of each category,
 * option values that could inject nginx syntax are refused, and the CLI writes files `nginx -t`
 * accepts (the real nginx, with its modules).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATEGORIES, TAXONOMY } from '@faultline/core';
import { describe, expect, it } from 'vitest';
import { GATEWAY_FAILURES, gatewayPages, ID_PLACEHOLDER, renderNginx } from '../src/index.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

describe('gateway pages', () => {
  it('one page per gateway failure, each the category answer core renders, with the id placeholder once', () => {
    const pages = gatewayPages();
    expect(pages.map((p) => p.failure)).toEqual(Object.keys(GATEWAY_FAILURES));
    for (const page of pages) {
      const category = GATEWAY_FAILURES[page.failure];
      expect(CATEGORIES).toContain(category);
      expect(page.status).toBe(TAXONOMY[category].http);
      expect(page.body.split(ID_PLACEHOLDER)).toHaveLength(2);
      expect(JSON.parse(page.body)).toMatchObject({ status: page.status, code: TAXONOMY[category].code });
      expect(page.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
    }
  });

  it('the envelope format renders envelopes', () => {
    const page = gatewayPages({ format: 'envelope' }).find((p) => p.failure === 'bad_gateway');
    expect(JSON.parse(page?.body ?? '')).toMatchObject({ error: { status: 502, code: 'BAD_GATEWAY' } });
    expect(page?.headers['content-type']).toBe('application/json; charset=utf-8');
  });
});

describe('option values are checked before they reach nginx syntax', () => {
  it.each([
    { upstreams: [] },
    { upstreams: ['127.0.0.1:80; include /etc/passwd'] },
    { upstreams: ['127.0.0.1:99999'] },
    { upstreams: ['127.0.0.1:80'], routes: ['/api/ { return 200; } location /x'] },
    { upstreams: ['127.0.0.1:80'], routes: ['/$host'] },
    { upstreams: ['127.0.0.1:80'], accessLog: '/tmp/a.log main; error_log /tmp/x' },
    { upstreams: ['127.0.0.1:80'], maxBodySize: '1m;' },
    { upstreams: ['127.0.0.1:80'], readTimeout: 0 },
    { upstreams: ['127.0.0.1:80'], readTimeout: 1.5 },
    { upstreams: ['127.0.0.1:80'], tls: { certificate: '/c.pem', key: "/k.pem'" } },
    { upstreams: ['127.0.0.1:80'], directory: 'relative/dir' },
  ])('refuses %o', (options) => {
    expect(() => renderNginx(options as Parameters<typeof renderNginx>[0])).toThrow(/^faultline-edge: /);
  });
});

describe('faultline-edge CLI', () => {
  it('writes a configuration the real nginx accepts', () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-edge-cli-'));
    const result = spawnSync(
      process.execPath,
      [
        CLI,
        'nginx',
        '--upstream',
        '127.0.0.1:3000',
        '--upstream',
        '127.0.0.1:3001',
        '--route',
        '/api/',
        '--out',
        out,
        '--access-log',
        join(out, 'access.log'),
      ],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'faultline-http.conf',
      'faultline-modules.conf',
      'faultline-server.conf',
      'faultline.js',
      'nginx.conf',
      'tmp',
    ]);
    execFileSync('nginx', ['-t', '-q', '-e', 'stderr', '-p', out, '-c', join(out, 'nginx.conf')], { stdio: 'pipe' });
  });

  it('writes an HAProxy configuration the real HAProxy accepts', () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-edge-cli-'));
    const result = spawnSync(
      process.execPath,
      [
        CLI,
        'haproxy',
        '--upstream',
        '127.0.0.1:3000',
        '--route',
        '/api/',
        '--route',
        '/v2/',
        '--max-body',
        '64k',
        '--out',
        out,
      ],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    const cfg = join(out, 'haproxy.cfg');
    expect(readFileSync(cfg, 'utf8')).toContain('gt 65536');
    execFileSync('haproxy', ['-c', '-q', '-f', cfg], { stdio: 'pipe' });
  });

  it.each([
    [[], 2, /usage/],
    [['haproxy', '--upstream', 'a:1', '--out', '/tmp/x', '--max-body', 'lots'], 2, /body size/],
    [['haproxy', '--upstream', 'a:1', '--out', '/tmp/x', '--cert', '/c', '--key', '/k'], 2, /one PEM/],
    [['nginx', '--out', '/tmp/x'], 2, /between 1 and 64 upstreams/],
    [['nginx', '--upstream', 'a:1', '--out', '/tmp/x', '--cert', '/c'], 2, /go together/],
    [['nginx', '--upstream', 'a:1', '--out', '/tmp/x', '--read-timeout', 'soon'], 2, /read timeout/],
    [['nginx', '--bogus'], 2, /Unknown option/],
  ])('usage error %o: exit %i, clear message', (args, code, message) => {
    const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    expect(result.status).toBe(code);
    expect(result.stderr).toMatch(message);
  });
});
