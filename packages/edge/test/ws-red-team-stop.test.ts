/**
 * Stopping HAProxy with WebSocket tunnels open (nginx's stops: `nginx-ws-bounds.test.ts`): a fast
 * stop (SIGTERM) ends it at once, a graceful one (SIGUSR1, a reload's old process) within
 * `readTimeout` (`hard-stop-after`; without it, a busy tunnel kept the process forever and an idle
 * one for `tunnelTimeout`). The tunnels are closed. Real HAProxy, a `ws` service behind
 * `@faultline/ws` on 127.0.0.1.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHaproxy } from '../src/index.js';
import { closedWith, openWs, startWsBackend, type WsBackend } from './nginx-ws-backend.js';

let ws: WsBackend;

beforeAll(async () => {
  ws = await startWsBackend();
});

afterAll(async () => {
  await ws?.stop();
});

/** HAProxy started in the foreground with the generated configuration (readTimeout 1 s). */
async function start(): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-edge-ws-stop-'));
  const conf = join(dir, 'haproxy.cfg');
  writeFileSync(
    conf,
    renderHaproxy({
      upstreams: [`127.0.0.1:${ws.port}`],
      routes: ['/api/'],
      listen: `127.0.0.1:${port}`,
      readTimeout: 1,
    }),
  );
  execFileSync('haproxy', ['-c', '-q', '-f', conf], { stdio: 'pipe' });
  const child = spawn('haproxy', ['-db', '-dR', '-f', conf], { stdio: 'ignore' });
  await waitForPort(port, 5000);
  return { port, child };
}

/** Resolves with the milliseconds `child` took to exit after `signal`, or -1 past `boundMs` (then killed). */
function exitAfter(child: ChildProcess, signal: NodeJS.Signals, boundMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(-1);
    }, boundMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
    child.kill(signal);
  });
}

describe('HAProxy: stopping with a busy WebSocket tunnel open', () => {
  it.each([
    ['SIGTERM', 'at once'],
    ['SIGUSR1', 'within readTimeout'],
  ] as const)('%s ends it %s; the tunnel is closed', async (signal, _bound) => {
    const { port, child } = await start();
    const open = await openWs(`ws://127.0.0.1:${port}/api/ws`, { headers: { 'X-Probe': `stop-${signal}` } });
    if (!('socket' in open)) throw new Error(`refused ${open.status}`);
    const closed = closedWith(open.socket);
    const timer = setInterval(() => open.socket.readyState === open.socket.OPEN && open.socket.send('busy'), 100);
    try {
      const took = await exitAfter(child, signal, 4000);
      expect(took).toBeGreaterThanOrEqual(0);
      expect((await closed).code).toBe(1006);
    } finally {
      clearInterval(timer);
    }
  });
});
