/**
 * A thrown rejecting promise past more than 100 synchronous layers (layer-next.ts): Express's router
 * goes on from its 101st synchronous step on `setImmediate`, so the promise met its error
 * middleware a turn later and Node, by its default (`--unhandled-rejections=throw`), had already
 * ended the process. Real Express 5 and Express 4 servers on 127.0.0.1 in a child process (a crash
 * is seen as its exit), real HTTP clients: every way of handing over such a promise (thrown,
 * `next(promise)`, a rejecting async handler, a thenable that rejects, thrown by a parameter
 * callback), at the top and in a router
 * mounted two deep, is answered as the safe 500 under the id of `X-Request-ID`, the servers keep
 * serving and exit 0 on SIGTERM. An unhandled rejection of the application's own still ends the
 * process: Faultline installs no process-wide listener.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Major } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/deep-chain-child.mjs', import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FAILING = ['throw', 'next', 'thenable', 'async', 'param/x'];
const PATHS = [...FAILING.map((name) => `/${name}`), ...FAILING.map((name) => `/deep/in/${name}`)];

/** The child, its servers' ports by layout, and its stderr so far. */
interface Running {
  readonly proc: ChildProcess;
  readonly ports: Record<string, number>;
  readonly stderr: () => string;
}

/** Starts the child for Express `major`; resolves once its servers listen. */
async function start(major: Major): Promise<Running> {
  const proc = spawn(process.execPath, [child, String(major)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let stdout = '';
  const ready = new Promise<Record<string, number>>((resolve, reject) => {
    proc.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('READY '));
      if (line !== undefined) resolve(JSON.parse(line.slice(6)) as Record<string, number>);
    });
    proc.once('exit', (code) => reject(new Error(`child exited (${code}) before listening: ${stderr}`)));
  });
  return { proc, ports: await ready, stderr: () => stderr };
}

/** How the child ended (SIGKILL after 10 s without exiting). */
async function ended(proc: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (proc.exitCode === null && proc.signalCode === null) {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await once(proc, 'exit');
    clearTimeout(kill);
  }
  return { code: proc.exitCode, signal: proc.signalCode };
}

/** What the client saw: status, code, whether the body's id is the header's UUID, and leaks; or the failure. */
async function ask(port: number, path: string): Promise<unknown> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    const id = response.headers.get('x-request-id') ?? '';
    const body = JSON.parse(text) as { code?: unknown; request_id?: unknown };
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      code: body.code,
      id: UUID.test(id) && body.request_id === id,
      leaks: /hunter2|users_private|db-internal|relation/.test(text),
    };
  } catch (error) {
    return { failed: String((error as { cause?: { code?: unknown } }).cause?.code ?? error) };
  }
}

const SAFE_500 = {
  status: 500,
  type: 'application/problem+json; charset=utf-8',
  code: 'INTERNAL',
  id: true,
  leaks: false,
};

describe.each([5, 4] as Major[])('Express %i: a thrown rejecting promise past 100 synchronous layers', (major) => {
  it('is answered as the safe 500 with its id, and the process keeps serving', async () => {
    const running = await start(major);
    try {
      const seen: Record<string, unknown> = {};
      const expected: Record<string, unknown> = {};
      for (const [layout, port] of Object.entries(running.ports)) {
        for (const path of PATHS) {
          seen[`${layout} ${path}`] = await ask(port, path);
          expected[`${layout} ${path}`] = SAFE_500;
        }
      }
      for (const [layout, port] of Object.entries(running.ports)) {
        seen[`${layout} /ok`] = await ask(port, '/ok');
        expected[`${layout} /ok`] = { status: 200, type: 'application/json; charset=utf-8', id: false, leaks: false };
      }
      expect(seen).toEqual(expected);
      expect(running.stderr()).not.toMatch(/hunter2|users_private|Unhandled|ERR_UNHANDLED_REJECTION/);
      running.proc.kill('SIGTERM');
      expect(await ended(running.proc)).toEqual({ code: 0, signal: null });
    } finally {
      running.proc.kill('SIGKILL');
    }
  });

  it("an application's own unhandled rejection still ends the process (no process-wide listener)", async () => {
    const running = await start(major);
    try {
      const port = running.ports.after150 ?? 0;
      expect(await ask(port, '/throw')).toEqual(SAFE_500);
      await ask(port, '/own');
      expect(await ended(running.proc)).toEqual({ code: 1, signal: null });
      expect(running.stderr()).toContain('own unhandled rejection');
    } finally {
      running.proc.kill('SIGKILL');
    }
  });
});
