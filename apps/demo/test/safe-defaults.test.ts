/**
 * Safe by default, per protocol: a service wired with no Faultline options records every fault
 * (NDJSON on stdout, keyed by the id the client saw), `reporter: false` says on stderr that
 * nothing is recorded, a missing required field is the client's 400, only UUID v4 ids are kept,
 * and the process exits on SIGTERM. Each service runs in its own process, as a user's would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, type OnTestFinishedHandler, vi } from 'vitest';
import { WebSocket } from 'ws';

// Each test starts a service process: generous bounds for a loaded CI machine.
vi.setConfig({ testTimeout: 30_000 });

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
const CHILD = fileURLToPath(new URL('./fixtures/defaults-child.mjs', import.meta.url));
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const V1 = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const V7 = '01890a5d-ac96-774b-bcce-b302099a8057';

interface Service {
  readonly child: ChildProcess;
  readonly port: number;
  stdout: string;
  stderr: string;
}

/**
 * Starts the service process; it is killed once the test that started it finished (`finished`: that
 * test's own `onTestFinished`, as the tests run at once).
 */
async function start(
  protocol: string,
  mode: string,
  finished: (handler: OnTestFinishedHandler) => void,
): Promise<Service> {
  const child = spawn(process.execPath, [CHILD, protocol, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  finished(() => void child.kill('SIGKILL'));
  const service = { child, port: 0, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    service.stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    service.stderr += chunk.toString();
  });
  const port = await waitFor(() => /READY (\d+)/.exec(service.stderr)?.[1], `${protocol} start`);
  const started = { ...service, port: Number(port) };
  Object.defineProperty(started, 'stdout', { get: () => service.stdout });
  Object.defineProperty(started, 'stderr', { get: () => service.stderr });
  return started;
}

/** Polls `read` until it returns a value, for at most 8 s. */
async function waitFor<T>(read: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 8000;
  for (;;) {
    const value = read();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The NDJSON records on `stdout` that carry `id`. */
function recordsOf(stdout: string, id: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.includes(id))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function stops(service: Service): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => service.child.once('exit', (code) => resolve(code)));
  service.child.kill('SIGTERM');
  return Promise.race([
    exited,
    new Promise<null>((_r, reject) => setTimeout(() => reject(new Error('no exit')), 5000)),
  ]);
}

interface Outcome {
  readonly id: string;
  readonly status: number;
  readonly code: string;
  readonly body: string;
}

/** One failing call per protocol: `fail` (a pg error) or `order` (a body without `sku`). */
async function call(protocol: string, port: number, what: 'fail' | 'order', requestId?: string): Promise<Outcome> {
  const order = JSON.stringify({ qty: 5 });
  if (protocol === 'fastify' || protocol === 'express') {
    const response = await fetch(`http://127.0.0.1:${port}/${what === 'fail' ? 'fail' : 'orders'}`, {
      method: what === 'fail' ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', ...(requestId ? { 'x-request-id': requestId } : {}) },
      ...(what === 'order' ? { body: order } : {}),
    });
    const body = await response.text();
    const parsed = JSON.parse(body) as { code: string; request_id: string };
    return { id: parsed.request_id, status: response.status, code: parsed.code, body };
  }
  if (protocol === 'grpc') {
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const metadata = new grpc.Metadata();
    if (requestId) metadata.set('x-request-id', requestId);
    try {
      return await new Promise<Outcome>((resolve) => {
        client.makeUnaryRequest(
          what === 'fail' ? '/test.Orders/Fail' : '/test.Orders/Create',
          (value: unknown) => Buffer.from(JSON.stringify(value)),
          (bytes: Buffer) => JSON.parse(bytes.toString()),
          what === 'fail' ? {} : { qty: 5 },
          metadata,
          { deadline: Date.now() + 5000 },
          (error) => {
            const id = String(error?.metadata?.get('x-request-id')[0] ?? '');
            resolve({ id, status: error?.code ?? 0, code: '', body: `${error?.details ?? ''}` });
          },
        );
      });
    } finally {
      client.close();
    }
  }
  const socket = new WebSocket(`ws://127.0.0.1:${port}/`, requestId ? { headers: { 'x-request-id': requestId } } : {});
  try {
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const frame = new Promise<string>((resolve, reject) => {
      socket.once('message', (data) => resolve(String(data)));
      socket.once('close', (code, reason) => resolve(JSON.stringify({ close: code, reason: String(reason) })));
      setTimeout(() => reject(new Error('no answer')), 5000);
    });
    socket.send(what === 'fail' ? JSON.stringify({ action: 'fail' }) : order);
    const body = await frame;
    const parsed = JSON.parse(body) as {
      error?: { code: string; status: number; request_id: string };
      close?: number;
      reason?: string;
    };
    if (parsed.error !== undefined)
      return { id: parsed.error.request_id, status: parsed.error.status, code: parsed.error.code, body };
    const [code = '', id = ''] = (parsed.reason ?? '').split(' ');
    return { id, status: parsed.close ?? 0, code, body };
  } finally {
    socket.terminate();
  }
}

const PROTOCOLS = ['fastify', 'express', 'grpc', 'ws'] as const;
const VALIDATION_STATUS: Record<(typeof PROTOCOLS)[number], number> = { fastify: 400, express: 400, grpc: 3, ws: 400 };

// Each test runs a service process of its own: the tests run at once.
describe.concurrent.each(PROTOCOLS)('%s with no options', (protocol) => {
  it('records every fault as NDJSON on stdout, keyed by the id the client saw, and exits on SIGTERM', async ({
    onTestFinished,
  }) => {
    const service = await start(protocol, 'default', onTestFinished);
    const outcome = await call(protocol, service.port, 'fail');
    expect(outcome.body).not.toMatch(/hunter2|users_email_key|duplicate key/);
    const id = protocol === 'ws' ? outcome.id : outcome.id;
    expect(id).toMatch(UUID_V4);
    const records = await waitFor(() => {
      const found = recordsOf(service.stdout, id);
      return found.length > 0 ? found : undefined;
    }, 'the fault record');
    expect(records[0]?.request_id).toBe(id);
    // The record is redacted: the secret in the driver's message does not reach the log either.
    expect(JSON.stringify(records)).not.toContain('hunter2');
    expect(await stops(service)).toBe(0);
  });

  it('answers a body without a required field as the client’s validation fault, pointing at the field', async ({
    onTestFinished,
  }) => {
    const service = await start(protocol, 'default', onTestFinished);
    const outcome = await call(protocol, service.port, 'order');
    expect(outcome.status).toBe(VALIDATION_STATUS[protocol]);
    if (protocol !== 'grpc') {
      expect(outcome.code).toBe('VALIDATION_FAILED');
      expect(outcome.body).toContain('/sku');
    }
    const records = await waitFor(() => {
      const found = recordsOf(service.stdout, outcome.id);
      return found.length > 0 ? found : undefined;
    }, 'the fault record');
    expect(records[0]?.category).toBe('validation');
  });

  it('keeps a UUID v4 id and replaces v1 and v7 ids, logging the refused value', async ({ onTestFinished }) => {
    const service = await start(protocol, 'default', onTestFinished);
    const v4 = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
    // ws answers each message fault with its own id; the connection's id is in the record.
    const idOf = async (outcome: Outcome, field: string) =>
      protocol === 'ws'
        ? (await waitFor(() => recordsOf(service.stdout, outcome.id)[0], 'the record')).attributes
        : {
            [field]:
              field === 'id'
                ? outcome.id
                : (await waitFor(() => recordsOf(service.stdout, outcome.id)[0], 'the record'))[field],
          };
    const kept = await call(protocol, service.port, 'order', v4.toUpperCase());
    const keptIds = (await idOf(kept, 'id')) as Record<string, unknown>;
    expect(protocol === 'ws' ? keptIds.connection_id : keptIds.id).toBe(v4);
    // The first occurrence of a fault is logged in full, with the value that was refused.
    const refused = await call(protocol, service.port, 'fail', V1);
    expect(refused.id).toMatch(UUID_V4);
    const record = (await idOf(refused, 'rejected_request_id')) as Record<string, unknown>;
    expect(protocol === 'ws' ? record.rejected_connection_id : record.rejected_request_id).toBe(V1);
    if (protocol === 'ws') expect(record.connection_id).not.toBe(V1);
    const v7 = await call(protocol, service.port, 'fail', V7);
    expect(v7.id).toMatch(UUID_V4);
    expect(v7.id).not.toBe(V7);
  });

  it('with reporter: false, says on stderr that faults are not recorded, and records nothing', async ({
    onTestFinished,
  }) => {
    const service = await start(protocol, 'off', onTestFinished);
    expect(service.stderr).toMatch(/FaultlineWarning: @faultline\/\w+: reporter: false, faults are not recorded/);
    const outcome = await call(protocol, service.port, 'fail');
    expect(outcome.id).toMatch(UUID_V4);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(service.stdout).not.toContain(outcome.id);
  });
});

describe.concurrent('fastify with its own logger', () => {
  it('records faults through that logger, and its request lines use the same request_id field', async ({
    onTestFinished,
  }) => {
    const service = await start('fastify', 'logger', onTestFinished);
    const outcome = await call('fastify', service.port, 'fail');
    const records = await waitFor(() => {
      const found = recordsOf(service.stdout, outcome.id);
      return found.some((r) => r.code === 'CONFLICT' || r.category !== undefined) && found.length >= 2
        ? found
        : undefined;
    }, 'the logger lines');
    expect(records.every((record) => record.request_id === outcome.id)).toBe(true);
    expect(records.some((record) => record.category === 'conflict')).toBe(true);
    expect(records.some((record) => record.reqId !== undefined)).toBe(false);
  });
});

describe.concurrent('ws adapter.json', () => {
  it('answers a message that is not JSON as the client’s validation fault, and the connection stays open', async ({
    onTestFinished,
  }) => {
    const service = await start('ws', 'default', onTestFinished);
    const socket = new WebSocket(`ws://127.0.0.1:${service.port}/`);
    try {
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      const frames: string[] = [];
      socket.on('message', (data) => frames.push(String(data)));
      socket.send('{"sku": "A-1", qty: 5');
      socket.send(JSON.stringify({ sku: 'A-1', qty: 5 }));
      await waitFor(() => frames.length >= 2 || undefined, 'two frames');
      const error = JSON.parse(frames[0] as string) as { error: { code: string; status: number; request_id: string } };
      expect(error.error.code).toBe('VALIDATION_FAILED');
      expect(error.error.status).toBe(400);
      expect(frames[0]).not.toMatch(/Unexpected|position|JSON/);
      expect(JSON.parse(frames[1] as string)).toEqual({ sku: 'A-1', qty: 5 });
      expect(socket.readyState).toBe(WebSocket.OPEN);
      const record = await waitFor(() => recordsOf(service.stdout, error.error.request_id)[0], 'the record');
      expect(record.category).toBe('validation');
    } finally {
      socket.terminate();
    }
  });
});
