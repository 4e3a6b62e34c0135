/**
 * `shutdownGracefully` in a real process, wired as the README shows (`process.once('SIGTERM')`):
 * a call in flight when SIGTERM arrives gets UNAVAILABLE with `x-request-id` at the deadline, the
 * process exits within the bound, and the record with that id is in its log file. A real server
 * in a child process (built packages), a real grpc-js client, on 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GrpcStatus, isUuid } from '@faultline/core';
import { decodeStatusDetails } from '@faultline/core/grpc';
import { jsonMethod, recordFor } from '@faultline/testkit';
import { credentials, Metadata, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { afterAll, expect, it } from 'vitest';
import type { GenericClient } from './fixtures.js';

const script = fileURLToPath(new URL('./fixtures/shutdown-server-child.mjs', import.meta.url));
const log = join(mkdtempSync(join(tmpdir(), 'faultline-shutdown-child-')), 'faults.ndjson');
const TIMEOUT_MS = 300;
let child: ChildProcess | undefined;

/** Starts the child; resolves with its port and a wait for a line of its output. */
function startChild(): Promise<{ port: number; printed: (text: string) => Promise<void> }> {
  const spawned = spawn(process.execPath, [script], {
    env: { ...process.env, FAULTLINE_LOG: log, SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = spawned;
  let out = '';
  const printed = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!out.includes(text)) return;
        spawned.stdout?.off('data', check);
        resolve();
      };
      spawned.stdout?.on('data', check);
      check();
    });
  spawned.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child did not report its port within 15 s')), 15_000);
    spawned.stdout?.on('data', () => {
      const port = /port (\d+)/.exec(out)?.[1];
      if (port === undefined) return;
      clearTimeout(timer);
      resolve({ port: Number(port), printed });
    });
    spawned.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
}

afterAll(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

it('SIGTERM with a call in flight: the call gets UNAVAILABLE with its id, the process exits within the bound', async () => {
  const { port, printed } = await startChild();
  const Client = makeGenericClientConstructor({ get: jsonMethod('/shutdown.Orders/Get') }, 'Orders');
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as GenericClient;
  const started = printed('started');
  const answered = new Promise<ServiceError | null>((resolve) =>
    client.get?.({}, new Metadata(), { deadline: Date.now() + 10_000 }, resolve),
  );
  await started;
  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
  const signalled = Date.now();
  child?.kill('SIGTERM');
  const code = await exited;
  const elapsed = Date.now() - signalled;
  expect(code).toBe(0);
  expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
  expect(elapsed).toBeLessThan(TIMEOUT_MS + 2000);
  const error = await answered;
  client.close();
  expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
  const id = String(error?.metadata.get('x-request-id')[0]);
  expect(isUuid(id)).toBe(true);
  const details = decodeStatusDetails(error?.metadata.get('grpc-status-details-bin')[0] as Buffer);
  expect(details).toMatchObject({ code: GrpcStatus.UNAVAILABLE, requestId: id });
  const records = readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(recordFor(records, id)).toMatchObject({ request_id: id, code: 'UNAVAILABLE', source: 'grpc.shutdown' });
}, 20_000);
