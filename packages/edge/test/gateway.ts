/** Test helpers: the real nginx and HAProxy started in the foreground with generated configurations, and curl. */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawHttpExchange, waitForPort } from '@faultline/testkit';
import {
  type HaproxyOptions,
  listenersOf,
  type NginxOptions,
  renderHaproxy,
  startNginx as runNginx,
} from '../src/index.js';

/** A running gateway. */
export interface Gateway {
  readonly dir: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Generates the configuration into a temp dir and starts nginx (checked with `nginx -t` first) on
 * `127.0.0.1:port`, or on `options.listen` when given (then `port` is the first one's).
 */
export async function startNginx(port: number, options: Omit<NginxOptions, 'directory'>): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-edge-'));
  const nginx = await runNginx(dir, {
    ...options,
    listen: options.listen ?? `127.0.0.1:${port}`,
    accessLog: join(dir, 'access.log'),
  });
  return { dir, port, stop: nginx.stop };
}

/**
 * Generates `haproxy.cfg` into a temp dir, checks it with `haproxy -c`, starts HAProxy on
 * `127.0.0.1:port` (or `options.listen`) and waits for every listener; its JSON log lines go to `access.log`.
 */
export async function startHaproxy(port: number, options: HaproxyOptions): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-edge-haproxy-'));
  const conf = join(dir, 'haproxy.cfg');
  const all = { ...options, listen: options.listen ?? `127.0.0.1:${port}` };
  writeFileSync(conf, renderHaproxy(all));
  execFileSync('haproxy', ['-c', '-q', '-f', conf], { stdio: 'pipe' });
  const log = openSync(join(dir, 'access.log'), 'a');
  const errors = join(dir, 'haproxy.err');
  const child: ChildProcess = spawn('haproxy', ['-db', '-dR', '-f', conf], {
    stdio: ['ignore', log, openSync(errors, 'a')],
  });
  const listeners = listenersOf(all, all.tls !== undefined);
  try {
    // 15 s: a loaded two-core machine (the whole suite in parallel) once took over 5 s.
    for (const address of [...listeners.public, ...listeners.internal, ...listeners.redirect])
      await waitForPort(Number(address.slice(address.lastIndexOf(':') + 1)), 15_000);
  } catch (error) {
    child.kill('SIGKILL');
    // Why it did not listen (a port another process took meanwhile, a refused configuration).
    throw new Error(`${(error as Error).message}; haproxy said: ${readFileSync(errors, 'utf8').slice(0, 2000)}`);
  }
  return {
    dir,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGUSR1');
      }),
  };
}

/** One curl exchange: status line protocol, status, lower-cased headers (repeated ones kept), body, curl's exit code. */
export interface Exchange {
  readonly exit: number;
  readonly protocol: string;
  readonly status: number;
  readonly headers: readonly [string, string][];
  readonly body: string;
  readonly raw: string;
}

/** Runs curl with `args` (the URL included) and parses its `-i` output. */
export function curl(args: readonly string[]): Promise<Exchange> {
  return new Promise((resolve) => {
    execFile('curl', ['-s', '-i', '--max-time', '10', ...args], { maxBuffer: 4 << 20 }, (error, stdout) => {
      const exit = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      const text = String(stdout);
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const [protocol = '', status = '0'] = statusLine.split(' ');
      const headers = lines.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as [string, string];
      });
      resolve({
        exit,
        protocol,
        status: Number(status),
        headers,
        body: split === -1 ? '' : text.slice(split + 4),
        raw: text,
      });
    });
  });
}

/** The values of header `name`. */
export function headerValues(exchange: Exchange, name: string): string[] {
  return exchange.headers.filter(([n]) => n === name).map(([, v]) => v);
}

/** Parses a raw HTTP/1.1 answer (one, connection closed) like {@link curl} does. */
export function parseExchange(raw: string): Exchange {
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = (split === -1 ? raw : raw.slice(0, split)).split('\r\n');
  const [protocol = '', status = '0'] = statusLine.split(' ');
  const headers = lines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as [string, string];
  });
  return { exit: 0, protocol, status: Number(status), headers, body: split === -1 ? '' : raw.slice(split + 4), raw };
}

/** Writes `request` as is to 127.0.0.1:`port` and parses the answer (one, connection closed). */
export async function rawExchange(port: number, request: string): Promise<Exchange> {
  return parseExchange(await rawHttpExchange(port, request));
}

/**
 * Opens a connection to `port`, writes `bytes` (maybe none) and resolves with what came back once
 * the gateway closed it (`closed`), or once `waitMs` passed (the socket is then destroyed).
 */
export function idle(port: number, bytes: string, waitMs: number): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ text, closed: true }));
    socket.setTimeout(waitMs, () => {
      socket.destroy();
      resolve({ text, closed: false });
    });
  });
}
