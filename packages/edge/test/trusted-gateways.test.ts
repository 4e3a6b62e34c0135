/**
 * The `trustedGateways` option (`--trusted-gateway`): checked values, configurations nginx and
 * HAProxy accept with every frontend (gRPC, redirect), and nothing written without it. Its effect
 * on real chains is in `chained-gateways.test.ts`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderHaproxy, renderNginx, writeNginx } from '../src/index.js';

const CLI = fileURLToPath(new URL('../bin/faultline-edge.js', import.meta.url));
const base = { upstreams: ['127.0.0.1:3000'] };

describe('trustedGateways', () => {
  it.each([['10.0.0.0/33'], ['::1/129'], ['fe80::1%lo'], ['10.0.0.1;'], ['gateway.internal'], ['10.0.0.1 1'], ['']])(
    '%j is refused by both renderers, naming it',
    (value) => {
      const message = `trusted gateway ${JSON.stringify(value)} is not valid`;
      expect(() => renderNginx({ ...base, trustedGateways: [value] })).toThrow(message);
      expect(() => renderHaproxy({ ...base, trustedGateways: [value] })).toThrow(message);
    },
  );

  it('a value that is not a list is refused', () => {
    expect(() => renderNginx({ ...base, trustedGateways: '10.0.0.1' as never })).toThrow(/trusted gateways "10.0.0.1"/);
  });

  it('without it nothing of it is written (the request path is unchanged)', () => {
    expect(renderNginx(base)['faultline-http.conf']).not.toMatch(
      /faultline_trusted_gateway|faultline_forwarded_proto|geo /,
    );
    expect(renderNginx(base)['faultline.js']).not.toContain('faultline_trusted_gateway');
    expect(renderHaproxy(base)).not.toContain('faultline_trusted_gateway');
  });

  it('with every frontend (gRPC, redirect, internal), nginx -t and haproxy -c accept the configuration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-edge-trusted-'));
    const options = {
      ...base,
      trustedGateways: ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8'],
      internalListen: ['127.0.0.1:18081'],
      grpc: { upstreams: ['127.0.0.1:50051'], services: ['orders.v1.Orders'], listen: ['127.0.0.1:18082'] },
    };
    const cfg = join(dir, 'haproxy.cfg');
    const haproxy = renderHaproxy(options);
    writeFileSync(cfg, haproxy);
    execFileSync('haproxy', ['-c', '-q', '-f', cfg], { stdio: 'pipe' });
    // Both HTTP frontends and the gRPC one declare the ACL they use.
    expect(haproxy.match(/acl faultline_trusted_gateway src 127.0.0.1 10.0.0.0\/8 ::1 fd00::\/8/g)).toHaveLength(2);
    writeNginx(dir, { ...options, directory: dir, accessLog: join(dir, 'access.log') });
    execFileSync('nginx', ['-t', '-q', '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' });
    expect(readFileSync(join(dir, 'faultline-http.conf'), 'utf8')).toContain('  fd00::/8 1;');
  });

  it('--trusted-gateway is repeatable and its value is checked (exit 2 naming it)', () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-edge-trusted-cli-'));
    const ok = spawnSync(
      CLI,
      [
        'haproxy',
        '--upstream',
        'a:1',
        '--trusted-gateway',
        '10.0.0.2',
        '--trusted-gateway',
        '10.1.0.0/16',
        '--out',
        out,
      ],
      { encoding: 'utf8' },
    );
    expect(ok.status).toBe(0);
    expect(readFileSync(join(out, 'haproxy.cfg'), 'utf8')).toContain(
      'acl faultline_trusted_gateway src 10.0.0.2 10.1.0.0/16',
    );
    const bad = spawnSync(CLI, ['nginx', '--upstream', 'a:1', '--trusted-gateway', '10.0.0.0/40', '--out', out], {
      encoding: 'utf8',
    });
    expect(bad.stderr).toMatch(/trusted gateway "10.0.0.0\/40" is not valid/);
    expect(bad.status).toBe(2);
  });
});
