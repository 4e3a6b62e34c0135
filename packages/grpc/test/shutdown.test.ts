/**
 * `shutdownGracefully`: calls in flight at the deadline of every method kind get Faultline's
 * UNAVAILABLE (generic details, `x-request-id`, rich status with the same id), recorded with the
 * source `grpc.shutdown`; calls that end in time keep their answer; a call that ended in any way
 * (answered, cancelled by its client, past its deadline) is no longer held; other servers' calls
 * are not touched; the promise resolves within its bound whatever is running. Real grpc-js server
 * and client on 127.0.0.1 (see `shutdown-service.ts`), a reporter writing to a temporary file.
 */

import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReporter, GrpcStatus, isUuid, TAXONOMY } from '@faultline/core';
import { recordFor } from '@faultline/testkit';
import { Metadata, Server, type ServiceError } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { inFlightCount } from '../src/in-flight.js';
import { DETAILS_KEY, REQUEST_ID_KEY, shutdownGracefully } from '../src/index.js';
import { decodeStatusDetails } from '../src/rich-status.js';
import { handlers, KINDS, type Kind, startCall, startShutdownServer } from './shutdown-service.js';

const logPath = join(mkdtempSync(join(tmpdir(), 'faultline-shutdown-')), 'faults.ndjson');
const reporter = createReporter({ destination: logPath, dedupWindowMs: 0, flushOnExit: false });

/** The record of `id` in the reporter's file. */
async function recordOf(id: string): Promise<Record<string, unknown> | undefined> {
  await reporter.flush();
  const lines = readFileSync(logPath, 'utf8').split('\n');
  return recordFor(
    lines.filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>),
    id,
  );
}

/** The status a call got at the deadline, checked as Faultline's UNAVAILABLE; returns its id. */
function unavailable(error: ServiceError | undefined): string {
  expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
  expect(error?.details).toBe(TAXONOMY.unavailable.message);
  const id = String(error?.metadata.get(REQUEST_ID_KEY)[0]);
  expect(isUuid(id)).toBe(true);
  const blob = error?.metadata.get(DETAILS_KEY)[0] as Buffer;
  expect(decodeStatusDetails(blob)).toMatchObject({
    code: GrpcStatus.UNAVAILABLE,
    reason: 'UNAVAILABLE',
    requestId: id,
  });
  return id;
}

/** Resolves once the handler of `kind` started. */
const handlerStarted = (kind: Kind) => once(handlers, kind);

describe('calls in flight at the deadline', () => {
  it.each(KINDS)('%s: UNAVAILABLE with its id and rich status, recorded as grpc.shutdown', async (kind) => {
    const { server, client } = await startShutdownServer(reporter);
    const started = handlerStarted(kind);
    const call = startCall(client, kind, 'hang');
    await started;
    expect(inFlightCount(server)).toBe(1);
    const begun = Date.now();
    await shutdownGracefully(server, { timeoutMs: 150 });
    const elapsed = Date.now() - begun;
    // Answered at the deadline, and down as soon as the status was written (not after the grace).
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(900);
    const { error, messages } = await call.ended;
    if (kind === 'serverStream') expect(messages).toBeGreaterThan(0); // cut mid-stream
    const id = unavailable(error);
    expect(await recordOf(id)).toMatchObject({
      request_id: id,
      code: 'UNAVAILABLE',
      category: 'unavailable',
      source: 'grpc.shutdown',
      method: `/shutdown.S/${kind[0]?.toUpperCase()}${kind.slice(1)}`,
    });
    expect(inFlightCount(server)).toBe(0);
    client.close();
  });

  it("keeps the caller's x-request-id, and ignores the handler's answer after the deadline", async () => {
    const { server, client } = await startShutdownServer(reporter);
    const incoming = randomUUID();
    const started = handlerStarted('unary');
    // The handler answers at 400 ms, after the deadline (150 ms): its answer must be dropped quietly.
    const call = startCall(client, 'unary', 'slow', 400, incoming);
    await started;
    await shutdownGracefully(server, { timeoutMs: 150 });
    expect(unavailable((await call.ended).error)).toBe(incoming);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await recordOf(incoming))?.source).toBe('grpc.shutdown');
    client.close();
  });

  it.each(KINDS)('%s: a call that ends before the deadline keeps its answer', async (kind) => {
    const { server, client } = await startShutdownServer(reporter);
    const started = handlerStarted(kind);
    const call = startCall(client, kind, 'slow', 100);
    await started;
    const begun = Date.now();
    const down = shutdownGracefully(server, { timeoutMs: 5000 });
    if (kind === 'clientStream' || kind === 'bidi') expect(inFlightCount(server)).toBe(1);
    const { error } = await call.ended;
    // A bidi call the handler ended while its client kept the request side open ends with OK too.
    expect(error).toBeUndefined();
    await down;
    expect(Date.now() - begun).toBeLessThan(2000); // down once the call ended, not at the deadline
    client.close();
  });

  it("does not touch the calls of another server's services", async () => {
    const one = await startShutdownServer(reporter);
    const two = await startShutdownServer(reporter);
    const startedOne = handlerStarted('unary');
    const cut = startCall(one.client, 'unary', 'hang');
    await startedOne;
    const startedTwo = handlerStarted('unary');
    const kept = startCall(two.client, 'unary', 'slow', 500);
    await startedTwo;
    await shutdownGracefully(one.server, { timeoutMs: 100 });
    unavailable((await cut.ended).error);
    expect(inFlightCount(two.server)).toBe(1);
    expect((await kept.ended).error).toBeUndefined();
    await shutdownGracefully(two.server, { timeoutMs: 100 });
    one.client.close();
    two.client.close();
  });
});

describe('a call that ended is not held', () => {
  it.each(KINDS)('%s: cancelled by its client, it leaves the list; shutdown is then immediate', async (kind) => {
    const { server, client } = await startShutdownServer(reporter);
    const started = handlerStarted(kind);
    const call = startCall(client, kind, 'hang');
    const [serverCall] = (await started) as [{ on(e: string, f: () => void): void }];
    expect(inFlightCount(server)).toBe(1);
    const cancelled = new Promise<void>((resolve) => serverCall.on('cancelled', resolve));
    call.cancel();
    await cancelled;
    expect((await call.ended).error?.code).toBe(GrpcStatus.CANCELLED);
    expect(inFlightCount(server)).toBe(0);
    const begun = Date.now();
    await shutdownGracefully(server, { timeoutMs: 5000 });
    expect(Date.now() - begun).toBeLessThan(1000);
    client.close();
  });

  it('answered calls of every kind, and a call past its deadline, leave the list', async () => {
    const { server, client } = await startShutdownServer(reporter);
    for (let round = 0; round < 5; round += 1)
      for (const kind of KINDS) expect((await startCall(client, kind, 'slow', 1).ended).error).toBeUndefined();
    const started = handlerStarted('unary');
    const metadata = { deadline: Date.now() + 100 };
    const expired = new Promise<ServiceError | null>((resolve) => client.unary({}, new Metadata(), metadata, resolve));
    const [serverCall] = (await started) as [{ on(e: string, f: () => void): void }];
    await new Promise<void>((resolve) => serverCall.on('cancelled', resolve));
    expect((await expired)?.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect(inFlightCount(server)).toBe(0);
    await shutdownGracefully(server, { timeoutMs: 100 });
    client.close();
  });
});

describe('bounded and safe whatever the server', () => {
  it.each(['plain', 'wrapService'] as const)(
    'a service added with %s: its call is cut by the forced shutdown, within the bound',
    async (how) => {
      const { server, client } = await startShutdownServer(reporter, how);
      const started = handlerStarted('unary');
      const call = startCall(client, 'unary', 'hang');
      await started;
      const begun = Date.now();
      await shutdownGracefully(server, { timeoutMs: 100, graceMs: 100 });
      expect(Date.now() - begun).toBeLessThan(1000);
      const { error } = await call.ended;
      // grpc-js's own status: no id (documented; use addFaultlineService).
      expect(error?.code).not.toBe(GrpcStatus.OK);
      expect(error?.metadata.get(REQUEST_ID_KEY)).toEqual([]);
      client.close();
    },
  );

  it('called twice it returns the same promise; a server never bound, or shut down already, is down at once', async () => {
    const { server, client } = await startShutdownServer(reporter);
    const first = shutdownGracefully(server, { timeoutMs: 100 });
    expect(shutdownGracefully(server)).toBe(first);
    await first;
    client.close();
    const idle = new Server();
    idle.forceShutdown();
    const begun = Date.now();
    await shutdownGracefully(new Server(), { timeoutMs: 5000 });
    await shutdownGracefully(idle, { timeoutMs: Number.NaN });
    expect(Date.now() - begun).toBeLessThan(500);
    await expect(shutdownGracefully(undefined as never)).resolves.toBeUndefined();
  });
});
