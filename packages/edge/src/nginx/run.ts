/**
 * Writing the generated nginx files into a directory, and running that nginx in the foreground
 * (for a local gateway, a test or a benchmark): checked with `nginx -t` first, ready once its
 * listener accepts connections.
 */
import { type ChildProcess, execFileSync, type StdioOptions, spawn } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { makeDirectory } from '@faultline/core/adapter';
import { listenersOf } from '../listeners.js';
import { type NginxOptions, renderNginx } from './render.js';

/** Renders the configuration for `dir` (its `directory`, unless given) and writes every file there, with the `tmp/` nginx needs. Returns the rendered files by name. */
export function writeNginx(dir: string, options: NginxOptions): Readonly<Record<string, string>> {
  const files = renderNginx({ directory: dir, ...options });
  makeDirectory(join(dir, 'tmp'));
  // nginx started as root runs its workers as an unprivileged user (nobody), which must reach
  // tmp/ to buffer a request body larger than client_body_buffer_size: without it every such
  // body (an upload under the limit, or a chunked one over it that must be read to be refused
  // 413) is answered 500. Only traversal is added, for a directory made private (mkdtemp: 0700).
  for (const path of [dir, join(dir, 'tmp')]) chmodSync(path, statSync(path).mode | 0o011);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return files;
}

/** A running nginx started by {@link startNginx}. */
export interface RunningNginx {
  /** The nginx master process. */
  readonly child: ChildProcess;
  /** Stops nginx gracefully (SIGQUIT) and resolves once it has exited. */
  stop(): Promise<void>;
}

async function accepting(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/**
 * Resolves once nginx's master (`child`) wrote its pid into `pidFile`, which it does only after it
 * opened every listener; throws when it exits first (a port in use: nginx retries the bind for
 * about 2.5 s, then gives up) or after `timeoutMs`. A listener that accepts is not enough: another
 * process on the port accepts too, and a gateway that never started would be reported running.
 */
async function started(child: ChildProcess, pidFile: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `faultline-edge: nginx exited (${child.exitCode ?? child.signalCode}) before it listened: a port in use? (its error log says)`,
      );
    let written = '';
    try {
      written = readFileSync(pidFile, 'utf8').trim();
    } catch {
      // Not written yet.
    }
    if (written === String(child.pid)) return;
    if (Date.now() > until) throw new Error('faultline-edge: nginx did not start within its bound');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Writes the configuration into `dir`, checks it with `nginx -t` (throws with nginx's message
 * when it fails), starts `nginx` in the foreground and resolves once it has opened its listeners
 * (its pid file names it) and every listener (public, internal, redirect, gRPC) accepts
 * connections (within 10 s in all, else nginx is stopped and this throws: a port already in use
 * throws, even when another process accepts on it).
 */
export async function startNginx(
  dir: string,
  options: NginxOptions & { readonly listen: string | readonly string[] },
  stdio: StdioOptions = 'ignore',
): Promise<RunningNginx> {
  writeNginx(dir, options);
  const conf = join(dir, 'nginx.conf');
  execFileSync('nginx', ['-t', '-q', '-e', 'stderr', '-p', dir, '-c', conf], { stdio: 'pipe' });
  const child = spawn('nginx', ['-e', 'stderr', '-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGQUIT');
    });
  try {
    await started(child, join(options.directory ?? dir, 'nginx.pid'), 10_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const listeners = listenersOf(options, options.tls !== undefined);
  for (const address of [
    ...listeners.public,
    ...listeners.internal,
    ...listeners.redirect,
    ...(options.grpc?.listen ?? []),
  ]) {
    const separator = address.lastIndexOf(':');
    const host = address.slice(0, separator).replace(/^\[|\]$/g, '');
    if (!(await accepting(host, Number(address.slice(separator + 1)), 5000))) {
      await stop();
      throw new Error(`faultline-edge: nginx did not listen on ${address}`);
    }
  }
  return { child, stop };
}
