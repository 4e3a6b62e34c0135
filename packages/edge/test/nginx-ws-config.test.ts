/**
 * The generated nginx configuration for WebSocket upgrades: ordinary requests keep kept-alive
 * connections upstream and the read timeout; upgrades go to one named location with the tunnel's
 * idle bound; the bound is validated like every other value (API and CLI).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderHaproxy, renderNginx } from '../src/index.js';
import { nginxUpgradeLocation } from '../src/nginx/upgrade.js';

const CLI = fileURLToPath(new URL('../bin/faultline-edge.js', import.meta.url));

/** The location block of `name` in `server` (from its line to the closing brace). */
function block(server: string, name: string): string {
  const start = server.indexOf(`  location ${name} {`);
  expect(start).not.toBe(-1);
  return server.slice(start, server.indexOf('\n  }', start) + 4);
}

describe('nginx upgrade configuration', () => {
  const files = renderNginx({ upstreams: ['127.0.0.1:3000'], routes: ['/api/', '/ws/'], readTimeout: 20 });
  const server = files['faultline-server.conf'] as string;

  it('each route hands a WebSocket handshake to the one upgrade location; ordinary requests keep Connection "" and the read timeout', () => {
    for (const route of ['/api/', '/ws/']) {
      const location = block(server, route);
      expect(location).toContain('    if ($faultline_upgrade) {\n      error_page 418 = @faultline_upgrade;');
      expect(location).toContain('    proxy_set_header Connection "";');
      expect(location).toContain('    proxy_read_timeout 20s;');
      expect(location).not.toMatch(/proxy_set_header (Upgrade|Connection upgrade)/);
    }
    expect(server.match(/location @faultline_upgrade \{/g)).toHaveLength(1);
  });

  it('the upgrade location is the route location with the upgrade sent and the tunnel bound (default 3600 s)', () => {
    const upgrade = block(server, '@faultline_upgrade');
    expect(upgrade).toContain('    proxy_set_header Upgrade websocket;\n    proxy_set_header Connection upgrade;');
    expect(upgrade).toContain('    proxy_read_timeout 3600s;');
    expect(upgrade).not.toContain('$faultline_upgrade');
    const route = block(server, '/api/')
      .replace(/ {4}if \(\$faultline_upgrade\) \{\n.*\n.*\n {4}\}\n/, '')
      .replace('/api/', '@faultline_upgrade')
      .replace(
        '    proxy_set_header Connection "";',
        '    proxy_set_header Upgrade websocket;\n    proxy_set_header Connection upgrade;',
      )
      .replace('proxy_read_timeout 20s', 'proxy_read_timeout 3600s');
    expect(upgrade).toBe(route);
    const bounded = renderNginx({ upstreams: ['127.0.0.1:3000'], tunnelTimeout: 120 });
    expect(bounded['faultline-server.conf']).toMatch(/location @faultline_upgrade \{[^}]*proxy_read_timeout 120s;/);
  });

  it('a graceful stop closes what is left after the read timeout (worker_shutdown_timeout)', () => {
    expect(files['nginx.conf']).toContain('\nworker_shutdown_timeout 20s;\n');
  });

  it.each([0, 86_401, 1.5, '60', Number.NaN])('tunnelTimeout %o: refused, the error names it', (value) => {
    expect(() => renderNginx({ upstreams: ['127.0.0.1:3000'], tunnelTimeout: value as number })).toThrow(
      /tunnel timeout .* is not valid \(a whole number from 1 to 86400\)/,
    );
  });

  it('a location without the lines the upgrade location replaces is an error, not a silent copy', () => {
    expect(() => nginxUpgradeLocation('  location /x {\n    proxy_pass http://b;\n  }', {})).toThrow(/upgrade lines/);
  });

  it('the CLI: --tunnel-timeout and --header-timeout are written for both gateways, and checked', () => {
    const out = mkdtempSync(join(tmpdir(), 'faultline-edge-cli-'));
    const run = (args: readonly string[]) => spawnSync(CLI, args, { encoding: 'utf8' });
    expect(run(['nginx', '--upstream', 'a:1', '--tunnel-timeout', '600', '--out', out]).status).toBe(0);
    expect(readFileSync(join(out, 'faultline-server.conf'), 'utf8')).toMatch(
      /location @faultline_upgrade \{[^}]*proxy_read_timeout 600s;/,
    );
    expect(run(['nginx', '--upstream', 'a:1', '--header-timeout', '3', '--out', out]).status).toBe(0);
    expect(readFileSync(join(out, 'faultline-errors.conf'), 'utf8')).toContain('client_header_timeout 3s;');
    const haproxy = run([
      'haproxy',
      '--upstream',
      'a:1',
      '--tunnel-timeout',
      '600',
      '--header-timeout',
      '3',
      '--out',
      out,
    ]);
    expect(haproxy.status).toBe(0);
    const config = readFileSync(join(out, 'haproxy.cfg'), 'utf8');
    expect(config).toContain('timeout tunnel 600s');
    expect(config).toContain('timeout http-request 3s');
    // The defaults: an hour for a tunnel (HAProxy's own would be timeout client, 30 s), 10 s for a head.
    expect(renderHaproxy({ upstreams: ['127.0.0.1:3000'] })).toMatch(
      /timeout http-request 10s[\s\S]*timeout tunnel 3600s/,
    );
    expect(renderNginx({ upstreams: ['127.0.0.1:3000'] })['faultline-errors.conf']).toContain(
      'client_header_timeout 10s;',
    );
    const slow = run(['haproxy', '--upstream', 'a:1', '--header-timeout', '3601', '--out', out]);
    expect(slow.stderr).toMatch(/header timeout 3601 is not valid/);
    const zero = run(['nginx', '--upstream', 'a:1', '--tunnel-timeout', '0', '--out', out]);
    expect(zero.stderr).toMatch(/tunnel timeout 0 is not valid/);
    expect(zero.status).toBe(2);
  });
});
