/**
 * A Faultline gRPC server loads no protobuf (issue 21): it starts and answers faults with the
 * rich status (encoded without the library) with @bufbuild/protobuf never loaded; the first
 * handler error that carries a downstream's rich status loads the reader, and that very call
 * already keeps the downstream's stable code (the answer waits for the reader, it does not race
 * it). A real server in a child process with a module-load recorder, a real grpc-js client.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeStatusDetails } from '@faultline/core/grpc';
import { jsonMethod } from '@faultline/testkit';
import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callUnary, type GenericClient } from './fixtures.js';

const script = fileURLToPath(new URL('./fixtures/lazy-server-child.mjs', import.meta.url));
const log = join(mkdtempSync(join(tmpdir(), 'faultline-lazy-')), 'loads.txt');
let child: ChildProcess;
let client: GenericClient;

/** Starts the child and resolves with its port, or rejects after 15 s. */
function startChild(): Promise<number> {
  child = spawn(process.execPath, [script], {
    env: { ...process.env, FAULTLINE_LOAD_LOG: log },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child did not report its port within 15 s')), 15_000);
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const port = /port (\d+)/.exec(out)?.[1];
      if (port !== undefined) {
        clearTimeout(timer);
        resolve(Number(port));
      }
    });
    child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
}

const loaded = (part: string) =>
  readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.includes(part));

beforeAll(async () => {
  const port = await startChild();
  const Client = makeGenericClientConstructor({ get: jsonMethod('/lazy.Orders/Get') }, 'Orders');
  client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as GenericClient;
}, 20_000);

afterAll(async () => {
  client?.close();
  const exited = new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
  child.kill('SIGTERM');
  await exited;
});

describe('protobuf on a gRPC server', () => {
  it('is not loaded to start or to answer a fault with its rich status', async () => {
    const { error } = await callUnary(client, 'get', { kind: 'plain' });
    expect(error?.code).toBe(6); // the pg unique violation: ALREADY_EXISTS
    const blob = error?.metadata.get('grpc-status-details-bin')[0] as Buffer;
    expect(decodeStatusDetails(blob)).toMatchObject({ code: 6, reason: 'CONFLICT', domain: 'faultline' });
    expect(loaded('/packages/grpc/')).not.toEqual([]);
    expect(loaded('@bufbuild/protobuf')).toEqual([]);
  });

  it('is loaded by the first downstream rich status, whose stable code that call already keeps', async () => {
    const { error } = await callUnary(client, 'get', { kind: 'downstream' });
    expect(error?.code).toBe(3);
    const decoded = decodeStatusDetails(error?.metadata.get('grpc-status-details-bin')[0] as Buffer);
    expect(decoded).toMatchObject({ code: 3, reason: 'LAZY_SKU_UNKNOWN' });
    expect(error?.details).not.toContain('hunter2');
    expect(loaded('@bufbuild/protobuf')).not.toEqual([]);
    // Later calls read it synchronously, the same way.
    const again = await callUnary(client, 'get', { kind: 'downstream' });
    expect(decodeStatusDetails(again.error?.metadata.get('grpc-status-details-bin')[0] as Buffer)?.reason).toBe(
      'LAZY_SKU_UNKNOWN',
    );
  });
});
