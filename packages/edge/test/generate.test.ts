/**
 * The generator without a running gateway: pages are core's own rendering of each category,
 * option values that could inject nginx syntax are refused, and the CLI writes files `nginx -t`
 * accepts (the real nginx, with its modules).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CATEGORIES, TAXONOMY } from '@faultline/core';
import { describe, expect, it } from 'vitest';
import { JSON_MEDIA_TYPE } from '../src/backend-headers.js';
import { CLIENT_STATUSES, categoryOfForeign4xx, foreign4xxPage, foreign4xxTemplates } from '../src/foreign-4xx.js';
import { GATEWAY_FAILURES, gatewayPages, ID_PLACEHOLDER, idPattern, renderHaproxy, renderNginx } from '../src/index.js';
import { faultlineContentTypes } from '../src/pages.js';
import { V1_ID, V4_ID, V7_ID } from './answers.js';
import { opsCertificate } from './ops-helpers.js';

/** The committed bin (what `npx @faultline/edge` runs), run as an executable. */
const CLI = fileURLToPath(new URL('../bin/faultline-edge.js', import.meta.url));
/** Runs the CLI with `args`: its exit status and output (asynchronous: the CLI tests run at once). */
function run(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(CLI, args, { encoding: 'utf8' }, (_error, stdout, stderr) =>
      resolve({ status: child.exitCode, stdout, stderr }),
    );
  });
}
/** Runs a gateway's own configuration check; rejects (with its output) when it refuses the files. */
const check = promisify(execFile);

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

describe('pages for a backend 4xx that is not JSON', () => {
  it('every 400-499 status: its own status in the body, the code core gives that status when thrown', () => {
    for (const format of ['problem', 'envelope', 'jsonapi'] as const) {
      const templates = foreign4xxTemplates({ format });
      for (const status of CLIENT_STATUSES) {
        const page = foreign4xxPage(templates, status);
        const category = categoryOfForeign4xx(status);
        type Member = { status: unknown; code: unknown };
        const body = JSON.parse(page.body) as Member & { error: Member; errors: Member[] };
        const member = format === 'problem' ? body : format === 'envelope' ? body.error : (body.errors[0] as Member);
        expect(member.status).toBe(format === 'jsonapi' ? String(status) : status);
        expect(member.code).toBe(TAXONOMY[category].code);
        expect(page.body.split(ID_PLACEHOLDER)).toHaveLength(2);
        expect(page.body).not.toContain('@S@');
      }
    }
  });

  it('mirrors core: 410 NOT_FOUND, 428 PRECONDITION_FAILED, 499 CANCELLED, unmapped VALIDATION_FAILED', () => {
    expect(
      [401, 403, 409, 410, 415, 418, 422, 428, 451, 499].map((s) => TAXONOMY[categoryOfForeign4xx(s)].code),
    ).toEqual([
      'UNAUTHENTICATED',
      'FORBIDDEN',
      'CONFLICT',
      'NOT_FOUND',
      'UNSUPPORTED_MEDIA_TYPE',
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
      'PRECONDITION_FAILED',
      'VALIDATION_FAILED',
      'CANCELLED',
    ]);
  });

  it('the statuses with a gateway page get that page', () => {
    const templates = foreign4xxTemplates();
    for (const page of gatewayPages().filter((p) => p.status < 500))
      expect(foreign4xxPage(templates, page.status)).toMatchObject({ body: page.body, headers: page.headers });
  });

  it('passForeign4xx leaves them out of both gateways', () => {
    const options = { upstreams: ['127.0.0.1:80'] };
    expect(renderHaproxy(options)).toContain('txn.foreign_4xx');
    expect(renderHaproxy({ ...options, passForeign4xx: true })).not.toContain('txn.foreign_4xx');
    expect(renderNginx(options)['faultline.js']).toContain('"{\\"statuses\\":');
    expect(renderNginx({ ...options, passForeign4xx: true })['faultline.js']).toContain('var PASS_FOREIGN = true;');
  });

  it("the njs script's JSON test (string operations, no RegExp per request) agrees with JSON_MEDIA_TYPE", () => {
    const script = renderNginx({ upstreams: ['127.0.0.1:80'] })['faultline.js'] ?? '';
    const piece = (start: string) => {
      const from = script.indexOf(start);
      return script.slice(from, script.indexOf('\n}\n', from) + 2);
    };
    const suffix = script.split('\n').find((line) => line.startsWith('var SUFFIX_CHARS')) ?? '';
    const isJson = new Function(
      'type',
      `${suffix}\n${piece('function isBlank(')}\n${piece('function isJson(')}\nreturn isJson({ headersOut: { 'Content-Type': type } });`,
    ) as (type: string | undefined) => boolean;
    const pattern = new RegExp(JSON_MEDIA_TYPE, 'i');
    const types = [
      undefined,
      '',
      'application/json',
      'Application/JSON; charset=utf-8',
      ' \tapplication/json \t;x=1',
      'application/problem+json',
      'application/vnd.api+json',
      'application/a+b+json',
      'application/+json',
      'application/json x',
      'application/jsonx',
      'application/x-json',
      'text/json',
      'text/html',
      'application/xml',
      'application/json\u00a0',
      'application/v(1)+json',
      ' application/json',
    ];
    for (const type of types) expect(isJson(type), String(type)).toBe(pattern.test(type ?? ''));
  });
  it("the njs script's fast path names only the application's JSON types (a 4xx in one of them passes without a closer look)", () => {
    const script = renderNginx({ upstreams: ['127.0.0.1:80'], format: 'negotiate' })['faultline.js'] ?? '';
    const line = script.split('\n').find((l) => l.startsWith('var FAULTLINE_JSON_TYPES')) ?? '';
    const types = (JSON.parse(line.slice(line.indexOf('=') + 1, -1)) as string).split('|').filter(Boolean);
    expect(types.sort()).toEqual(faultlineContentTypes({ format: 'negotiate' }).sort());
    for (const type of types) expect(new RegExp(JSON_MEDIA_TYPE, 'i').test(type), type).toBe(true);
  });
});

describe("HAProxy's own answers", () => {
  it('every status HAProxy 2.6 has a built-in page for is answered in the application shape, with the id in body and header', () => {
    const cfg = renderHaproxy({ upstreams: ['127.0.0.1:3000'] });
    const errors = cfg.split('\n').filter((line) => line.startsWith('  http-error '));
    const statuses = errors.map((line) => Number(/status (\d+)/.exec(line)?.[1]));
    // HAProxy 2.6's list (http_err_codes, less 200): `http-error` refuses any other status.
    expect(statuses.sort()).toEqual([
      400, 401, 403, 404, 405, 407, 408, 410, 413, 421, 422, 425, 429, 500, 501, 502, 503, 504,
    ]);
    const templates = foreign4xxTemplates();
    for (const line of errors) {
      const status = Number(/status (\d+)/.exec(line)?.[1]);
      const body = /lf-string '([^']*)'/.exec(line)?.[1] ?? '';
      const parsed = JSON.parse(body.replace('%[var(txn.request_id)]', ID_PLACEHOLDER)) as Record<string, unknown>;
      expect(parsed).toMatchObject({ status, request_id: ID_PLACEHOLDER });
      expect(line).toContain('hdr x-request-id "%[var(txn.request_id)]"');
      if ([401, 403, 407, 410, 421, 422, 425].includes(status))
        expect(parsed.code).toBe(JSON.parse(foreign4xxPage(templates, status).body).code);
    }
  });
});

describe('request id pattern', () => {
  it('keeps v4 only by default, other RFC 9562 versions when listed, lower case only (gateways lower-case first)', () => {
    const v4 = new RegExp(idPattern());
    expect([V4_ID, V1_ID, V7_ID, V4_ID.toUpperCase()].map((id) => v4.test(id))).toEqual([true, false, false, false]);
    const v47 = new RegExp(idPattern([4, 7]));
    expect([V4_ID, V1_ID, V7_ID].map((id) => v47.test(id))).toEqual([true, false, true]);
    expect(v4.test('00000000-0000-4000-0000-000000000000')).toBe(false); // variant must be 10xx
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
    { upstreams: ['127.0.0.1:80'], listen: ['127.0.0.1:80', '127.0.0.1:80'] },
    { upstreams: ['127.0.0.1:80'], listen: [] },
    { upstreams: ['127.0.0.1:80'], internalListen: ['127.0.0.1:80; include /x'] },
    { upstreams: ['127.0.0.1:80'], redirectListen: ['127.0.0.1:80'] },
    { upstreams: ['127.0.0.1:80'], idVersions: [] },
    { upstreams: ['127.0.0.1:80'], idVersions: [0] },
    { upstreams: ['127.0.0.1:80'], headerBuffers: { count: 0, size: '8k' } },
    { upstreams: ['127.0.0.1:80'], headerBuffers: { count: 4, size: '8k; x' } },
    { upstreams: ['127.0.0.1:80'], passForeign4xx: 'yes' },
  ])('refuses %o', (options) => {
    expect(() => renderNginx(options as Parameters<typeof renderNginx>[0])).toThrow(/^faultline-edge: /);
  });
});

// Each CLI test runs the CLI (and the gateway's check) in processes of its own, writing to a
// directory of its own: they run at once.
describe.concurrent('faultline-edge CLI', () => {
  it('writes a configuration the real nginx accepts', async () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-edge-cli-'));
    const result = await run([
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
    ]);
    expect(result.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'faultline-errors.conf',
      'faultline-http.conf',
      'faultline-modules.conf',
      'faultline-server.conf',
      'faultline.js',
      'nginx.conf',
      'tmp',
    ]);
    await check('nginx', ['-t', '-q', '-e', 'stderr', '-p', out, '-c', join(out, 'nginx.conf')]);
  });

  it('writes an HAProxy configuration the real HAProxy accepts', async () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-edge-cli-'));
    const result = await run([
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
    ]);
    expect(result.status).toBe(0);
    const cfg = join(out, 'haproxy.cfg');
    expect(readFileSync(cfg, 'utf8')).toContain('gt 65536');
    await check('haproxy', ['-c', '-q', '-f', cfg]);
  });

  it('every listener given is written: repeated --listen, --internal-listen and --redirect-listen replace nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-edge-cli-'));
    const pem = join(out, 'bundle.pem');
    const listeners = [
      '--listen',
      '127.0.0.1:8443',
      '--listen',
      '[::1]:8443',
      '--internal-listen',
      '127.0.0.1:8080',
      '--internal-listen',
      '127.0.0.1:8081',
      '--redirect-listen',
      '127.0.0.1:8000',
    ];
    expect(
      (await run(['haproxy', '--upstream', '127.0.0.1:3000', '--cert', pem, ...listeners, '--out', out])).status,
    ).toBe(0);
    const cfg = readFileSync(join(out, 'haproxy.cfg'), 'utf8');
    for (const address of [
      '127.0.0.1:8443 ssl',
      '[::1]:8443 ssl',
      '127.0.0.1:8080\n',
      '127.0.0.1:8081\n',
      '127.0.0.1:8000\n',
    ])
      expect(cfg).toContain(`  bind ${address}`);
    const cert = opsCertificate();
    const tls = ['--cert', cert.crt, '--key', cert.key];
    expect((await run(['nginx', '--upstream', '127.0.0.1:3000', ...tls, ...listeners, '--out', out])).status).toBe(0);
    const conf = readFileSync(join(out, 'nginx.conf'), 'utf8');
    for (const line of [
      'listen 127.0.0.1:8443 ssl http2;',
      'listen [::1]:8443 ssl http2;',
      'listen 127.0.0.1:8080;',
      'listen 127.0.0.1:8081;',
      'listen 127.0.0.1:8000;',
    ])
      expect(conf).toContain(line);
    expect(conf).toContain('return 301 https://$host:8443$request_uri;');
    await check('nginx', ['-t', '-q', '-e', 'stderr', '-p', out, '-c', join(out, 'nginx.conf')]);
  });

  it('--accept-id-versions 4,7 writes the v4/v7 pattern into both gateways', async () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-edge-cli-'));
    expect((await run(['haproxy', '--upstream', 'a:1', '--accept-id-versions', '4,7', '--out', out])).status).toBe(0);
    expect(readFileSync(join(out, 'haproxy.cfg'), 'utf8')).toContain(
      '-m reg ^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-',
    );
    expect((await run(['nginx', '--upstream', 'a:1', '--accept-id-versions', '7,4', '--out', out])).status).toBe(0);
    expect(readFileSync(join(out, 'faultline-http.conf'), 'utf8')).toContain(
      '"~^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-',
    );
    expect(readFileSync(join(out, 'faultline.js'), 'utf8')).toContain('[47][0-9a-f]{3}');
  });

  it('--pass-foreign-4xx writes both gateways without the foreign 4xx pages', async () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-edge-cli-'));
    expect((await run(['haproxy', '--upstream', 'a:1', '--out', out])).status).toBe(0);
    expect(readFileSync(join(out, 'haproxy.cfg'), 'utf8')).toContain('txn.foreign_4xx');
    expect((await run(['haproxy', '--upstream', 'a:1', '--pass-foreign-4xx', '--out', out])).status).toBe(0);
    expect(readFileSync(join(out, 'haproxy.cfg'), 'utf8')).not.toContain('txn.foreign_4xx');
    expect((await run(['nginx', '--upstream', 'a:1', '--pass-foreign-4xx', '--out', out])).status).toBe(0);
    expect(readFileSync(join(out, 'faultline.js'), 'utf8')).toContain('var PASS_FOREIGN = true;');
  });

  it("--retry-closed adds HAProxy's retry of a request a server closed unanswered; without it, only connection retries", async () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-edge-cli-'));
    expect((await run(['haproxy', '--upstream', 'a:1', '--out', out])).status).toBe(0);
    const plain = readFileSync(join(out, 'haproxy.cfg'), 'utf8');
    expect(plain).toMatch(/^ {2}retries 3$/m);
    expect(plain).toMatch(/^ {2}option redispatch 1$/m);
    expect(plain).not.toContain('retry-on');
    expect((await run(['haproxy', '--upstream', 'a:1', '--retry-closed', '--out', out])).status).toBe(0);
    const retrying = readFileSync(join(out, 'haproxy.cfg'), 'utf8');
    expect(retrying).toMatch(/^ {2}retry-on conn-failure empty-response$/m);
    expect(retrying).toMatch(/^ {2}http-request disable-l7-retry unless \{ method GET HEAD OPTIONS PUT DELETE \}$/m);
    expect(() => renderHaproxy({ upstreams: ['a:1'], retryClosed: 'yes' as never })).toThrow(/retry closed "yes"/);
  });

  const ok = ['--upstream', '127.0.0.1:3000', '--out', '/tmp/faultline-edge-never-written'];
  it.each([
    [[], /which gateway/],
    [['ngnix', ...ok], /unknown gateway "ngnix"/],
    [['nginx', 'haproxy', ...ok], /unexpected argument "haproxy"/],
    [['nginx', '--upstream', 'a:1'], /--out <dir> is required/],
    [['nginx', '--bogus'], /Unknown option '--bogus'/],
    // options a gateway does not support
    [
      ['haproxy', ...ok, '--access-log', '/var/log/x.log'],
      /--access-log "\/var\/log\/x.log" is not supported by haproxy/,
    ],
    [['haproxy', ...ok, '--directory', '/etc/haproxy'], /--directory "\/etc\/haproxy" is not supported by haproxy/],
    [['haproxy', ...ok, '--cert', '/c', '--key', '/k'], /--key "\/k" is not supported by haproxy/],
    [['haproxy', ...ok, '--header-buffers', '8x16k'], /--header-buffers "8x16k" is not supported by haproxy/],
    [['nginx', ...ok, '--buffer-size', '64k'], /--buffer-size "64k" is not supported by nginx/],
    [['nginx', ...ok, '--max-url', '4k'], /--max-url "4k" is not supported by nginx/],
    [['nginx', ...ok, '--retry-closed'], /--retry-closed .*is not supported by nginx/],
    // a single option given twice replaces nothing
    [['nginx', ...ok, '--read-timeout', '5', '--read-timeout', '9'], /--read-timeout was given 2 times \("5", "9"\)/],
    [['haproxy', ...ok, '--out', '/tmp/other'], /--out was given 2 times/],
    [['nginx', ...ok, '--listen', '127.0.0.1:80', '--internal-listen', '127.0.0.1:80'], /given twice\) "127.0.0.1:80"/],
    // every refused value is named
    [['nginx', ...ok, '--read-timeout', 'abc'], /--read-timeout "abc" is not valid/],
    [['nginx', ...ok, '--read-timeout', '0'], /read timeout 0 is not valid \(a whole number from 1 to 3600\)/],
    [['haproxy', ...ok, '--connect-timeout', '1.5'], /--connect-timeout "1.5" is not valid/],
    [['haproxy', ...ok, '--max-body', 'lots'], /--max-body "lots" is not valid/],
    [['nginx', ...ok, '--max-body', 'lots'], /body size "lots" is not valid/],
    [['nginx', ...ok, '--header-buffers', '4 8k'], /--header-buffers "4 8k" is not valid/],
    [['nginx', ...ok, '--header-buffers', '4x2m'], /header buffer size "2m" is not valid/],
    [['haproxy', ...ok, '--buffer-size', '8k'], /buffer size 8192 is not valid/],
    [['haproxy', ...ok, '--buffer-size', '16k', '--max-headers', '32k'], /buffer size 16384 is not valid \(at least/],
    [['haproxy', ...ok, '--max-header-count', 'many'], /--max-header-count "many" is not valid/],
    [['nginx', ...ok, '--accept-id-versions', '4,9'], /--accept-id-versions "4,9" is not valid/],
    [['nginx', ...ok, '--accept-id-versions', '4,4'], /request id versions \[4,4\] is not valid/],
    [['nginx', ...ok, '--format', 'xml'], /format "xml" is not valid/],
    [['haproxy', ...ok, '--pass-foreign-4xx', '--pass-foreign-4xx'], /--pass-foreign-4xx was given 2 times/],
    [['nginx', ...ok, '--pass-foreign-4xx=no'], /--pass-foreign-4xx/],
    [['nginx', ...ok, '--listen', '127.0.0.1:99999'], /listen address "127.0.0.1:99999" is not valid/],
    [['nginx', ...ok, '--redirect-listen', '127.0.0.1:80'], /redirect listen address .*certificate.* "127.0.0.1:80"/],
    [['nginx', ...ok, '--upstream', 'db;1'], /upstream "db;1" is not valid/],
    [['nginx', ...ok, '--cert', '/c'], /--cert and --key go together \(got only --cert "\/c"\)/],
    [['nginx', '--out', '/tmp/x'], /between 1 and 64 upstreams \(host:port\) are required, got 0/],
  ])('usage error %o: exit 2, the message names the value', async (args, message) => {
    const result = await run(args);
    expect(result.stderr).toMatch(message);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
  });
});
