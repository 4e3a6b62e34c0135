/**
 * The gateways `bench:edge` compares, each pinned (with its workers or threads) to the backend's
 * core: the generated nginx and HAProxy, and the bare proxy of each that writes the same JSON
 * access log (one request id per line) and nothing else: no id check, no pages, no filter.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderHaproxy, renderNginx, startNginx } from '@faultline/edge';
import { waitForPort } from '@faultline/testkit/ports';
import { cpuSeconds } from './measure.js';
import { pin } from './pinning.js';

/** A running gateway: its port, the CPU seconds its processes have used, and stop. */
export interface BenchGateway {
  readonly port: number;
  cpu(): number;
  stop(): Promise<void>;
}

/** Pins `child` and its children to `core`; returns every pid (for CPU accounting). */
function pinTree(child: ChildProcess, core: number): number[] {
  const master = child.pid ?? 0;
  let children: number[] = [];
  try {
    children = execFileSync('pgrep', ['-P', String(master)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    // no children (HAProxy runs its threads in one process)
  }
  const pids = [master, ...children];
  for (const pid of pids) pin(pid, core);
  return pids;
}

function gateway(child: ChildProcess, port: number, pids: readonly number[], signal: NodeJS.Signals): BenchGateway {
  return {
    port,
    cpu: () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/** The generated nginx (plain HTTP/1.1 listener) in front of `upstream`. */
export async function generatedNginx(upstream: number, port: number, core: number): Promise<BenchGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-edge-'));
  const nginx = await startNginx(dir, {
    upstreams: [`127.0.0.1:${upstream}`],
    listen: `127.0.0.1:${port}`,
    accessLog: join(dir, 'access.log'),
  });
  const pids = pinTree(nginx.child, core);
  return { port, cpu: () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0), stop: nginx.stop };
}

/**
 * Writes the bare nginx proxy's configuration (the generated configuration's JSON access log
 * format, nginx's `$request_id` as the id) into a new directory; returns the directory.
 */
export function writeBareNginx(upstream: number, port: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-bare-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${dir}/tmp/${k};`);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events {
  worker_connections 1024;
}
http {
${temp.join('\n')}
  ${nginxLogFormat()
    .replace('$faultline_request_id', '$request_id')
    .replace('$faultline_log_uri', '$uri')
    .replace('$faultline_log_status', '$status')}
  upstream backends {
    server 127.0.0.1:${upstream};
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    access_log ${dir}/access.log faultline_json;
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
  }
}
`,
  );
  return dir;
}

/** A bare nginx proxy with the generated configuration's JSON access log format (nginx's `$request_id` as the id). */
export async function bareNginx(upstream: number, port: number, core: number): Promise<BenchGateway> {
  const dir = writeBareNginx(upstream, port);
  const child = spawn('nginx', ['-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: 'ignore',
  });
  await waitForPort(port, 5000);
  return gateway(child, port, pinTree(child, core), 'SIGQUIT');
}

/**
 * The `log_format faultline_json …` line of the generated nginx configuration. Its id, uri and
 * status come from the generated maps (the uri through njs when it holds bytes over 0x7f, the
 * status as 0 when nginx has none): the bare proxy writes nginx's `$request_id`, `$uri` and
 * `$status` in their place (without them its nginx refused the configuration and the bench failed).
 */
function nginxLogFormat(): string {
  const http = renderNginx({ upstreams: ['127.0.0.1:1'] })['faultline-http.conf'] ?? '';
  return http.split('\n').find((line) => line.startsWith('log_format faultline_json')) ?? '';
}

async function runHaproxy(text: string, port: number, core: number): Promise<BenchGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-haproxy-'));
  const conf = join(dir, 'haproxy.cfg');
  writeFileSync(conf, text);
  const log = openSync(join(dir, 'access.log'), 'a');
  // Started on the one core: HAProxy then runs one thread.
  const child = spawn('taskset', ['-c', String(core), 'haproxy', '-db', '-f', conf], {
    stdio: ['ignore', log, 'ignore'],
  });
  await waitForPort(port, 5000);
  return gateway(child, port, pinTree(child, core), 'SIGUSR1');
}

/** The generated HAProxy configuration (plain listener on `port`) in front of `upstream`. */
export function generatedHaproxyConfig(upstream: number, port: number): string {
  return renderHaproxy({ upstreams: [`127.0.0.1:${upstream}`], listen: `127.0.0.1:${port}` });
}

/** The bare HAProxy configuration: a proxy writing the generated configuration's JSON log line (a `uuid(4)` per request as the id). */
export function bareHaproxyConfig(upstream: number, port: number): string {
  const generated = renderHaproxy({ upstreams: ['127.0.0.1:1'] });
  const logFormat = generated.split('\n').find((line) => line.startsWith('  log-format ')) ?? '';
  return `global
  log stdout len 8192 format raw local0
defaults
  mode http
  log global
  option http-keep-alive
  timeout connect 5s
  timeout client 30s
  timeout server 30s
${logFormat}
frontend bare
  bind 127.0.0.1:${port}
  http-request set-var(txn.request_id) uuid(4)
  default_backend backends
backend backends
  http-response set-var(txn.upstream_status) status
  server s1 127.0.0.1:${upstream}
`;
}

/** The generated HAProxy (plain listener) in front of `upstream`. */
export function generatedHaproxy(upstream: number, port: number, core: number): Promise<BenchGateway> {
  return runHaproxy(generatedHaproxyConfig(upstream, port), port, core);
}

/** A bare HAProxy proxy writing the generated configuration's JSON log line (a `uuid(4)` per request as the id). */
export function bareHaproxy(upstream: number, port: number, core: number): Promise<BenchGateway> {
  return runHaproxy(bareHaproxyConfig(upstream, port), port, core);
}
