/**
 * SIGTERM with hostile faults answered and a handler still running: the README's wiring in a
 * real process (the package's build, as an application imports it), a thrown rejecting promise, a Proxy with throwing
 * traps and a frozen FaultError thrown by message handlers and an upgrade check, then SIGTERM. The
 * open client gets 1001, the process exits by itself with 0 well within its 10 s bound, every
 * answered id is in its NDJSON log, and nothing of the values (or an unhandled rejection) reaches
 * stdout, stderr or the client. Real ws clients on 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isUuid } from '@faultline/core';
import { rawHttpExchange, until } from '@faultline/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const script = fileURLToPath(new URL('./child/sigterm-child.mjs', import.meta.url));
let child: ChildProcess | undefined;
let stdout = '';
let stderr = '';
let port = 0;

beforeAll(async () => {
  child = spawn(process.execPath, [script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  await until(() => /port \d+/.test(stderr) || child?.exitCode !== null, 15_000);
  port = Number(/port (\d+)/.exec(stderr)?.[1]);
}, 30_000);
afterAll(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

/** A client; resolves once open, with its frames and its close. */
function open(path = '/'): Promise<{ client: WebSocket; frames: string[]; closed: Promise<[number, string]> }> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    const frames: string[] = [];
    client.on('message', (data) => frames.push(String(data)));
    const closed = new Promise<[number, string]>((done) =>
      client.once('close', (code, reason) => done([code, String(reason)])),
    );
    client.once('open', () => resolve({ client, frames, closed }));
    client.once('error', reject);
  });
}

it('answers hostile faults, then exits on SIGTERM with a handler still running', async () => {
  expect(port).toBeGreaterThan(0);
  const ids: string[] = [];
  for (const kind of ['promise', 'proxy']) {
    const { client, closed } = await open();
    client.send(JSON.stringify({ kind }));
    const [code, reason] = await closed;
    expect(code).toBe(1011);
    const [publicCode, id] = reason.split(' ');
    expect([publicCode, isUuid(id)]).toEqual(['INTERNAL', true]);
    ids.push(id as string);
  }
  const refused = await rawHttpExchange(
    port,
    'GET /deny HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  expect(refused.slice(0, 12)).toBe('HTTP/1.1 500');
  ids.push(String(/x-request-id: (\S+)/.exec(refused)?.[1]));

  // One client stays: a recoverable fault (the socket stays open), then a handler that never ends.
  const open1 = await open();
  open1.client.send(JSON.stringify({ kind: 'conflict' }));
  await until(() => open1.frames.length > 0);
  const frame = JSON.parse(open1.frames[0] as string) as { error: { code: string; request_id: string } };
  expect(frame.error.code).toBe('CONFLICT');
  ids.push(frame.error.request_id);
  open1.client.send(JSON.stringify({ kind: 'pending' }));
  await new Promise((resolve) => setTimeout(resolve, 50));

  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
  const signalled = Date.now();
  child?.kill('SIGTERM');
  expect(await open1.closed).toEqual([1001, 'server shutting down']);
  expect(await exited).toBe(0);
  expect(Date.now() - signalled).toBeLessThan(5000);

  const records = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const logged = new Set(records.flatMap((r) => [r.request_id, ...((r.request_ids as unknown[]) ?? [])]));
  expect(ids.filter((id) => !logged.has(id))).toEqual([]);
  expect(`${stderr}${JSON.stringify(open1.frames)}${refused}`).not.toMatch(/hunter2|trap|Unhandled|uncaught/i);
}, 30_000);
