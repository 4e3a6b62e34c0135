/**
 * `CANCELLED` is the client's word only when the client cancelled. An `AbortError` (or a
 * downstream's CANCELLED) from work the server aborted itself, while the call is still live, is a
 * server fault: INTERNAL with the generic details, recorded at error level with the reason
 * `<reason>:client-connected`, in every failure style of every method kind. A call the client
 * did cancel (or whose deadline passed) keeps CANCELLED and is recorded once. Real grpc-js server
 * and client on 127.0.0.1 (see `cancel-service.ts`).
 */
import { randomUUID } from 'node:crypto';
import { createReporter, GrpcStatus, isUuid, TAXONOMY } from '@faultline/core';
import { memoryLog, recordFor } from '@faultline/testkit';
import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAILS_KEY, REQUEST_ID_KEY } from '../src/index.js';
import { decodeStatusDetails } from '../src/rich-status.js';
import { type Kind, STYLES, start, startCancelServer, started } from './cancel-service.js';

const ERROR_LEVEL = 50;

const log = memoryLog();
const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
let grpc: Awaited<ReturnType<typeof startCancelServer>>;
beforeAll(async () => {
  grpc = await startCancelServer(reporter);
});
afterAll(() => grpc.stop());

function call(kind: Kind, style: string, value: string): Promise<ServiceError | undefined> {
  const metadata = new Metadata();
  metadata.set('x-style', style);
  metadata.set('x-value', value);
  return new Promise((resolve) => start(grpc.client, kind, metadata, resolve));
}

/** The status the client got, checked as Faultline's: generic details, id, rich status, no leak. */
function answered(error: ServiceError | undefined, code: number): string {
  expect(error?.code).toBe(code);
  if (error === undefined) return '';
  const spec = Object.values(TAXONOMY).find((s) => s.grpc === code);
  expect(error.details).toBe(spec?.message);
  const id = String(error.metadata.get(REQUEST_ID_KEY)[0]);
  expect(isUuid(id)).toBe(true);
  const decoded = decodeStatusDetails(error.metadata.get(DETAILS_KEY)[0] as Buffer);
  expect(decoded).toMatchObject({ code, requestId: id });
  const visible = `${error.message} ${error.details} ${JSON.stringify(error.metadata.getMap())} ${JSON.stringify(decoded)}`;
  expect(visible).not.toMatch(/hunter2|db\.internal|aborted|AbortError/);
  return id;
}

async function recordOf(id: string): Promise<Record<string, unknown> | undefined> {
  await reporter.flush();
  return recordFor(log.records, id);
}

describe("an AbortError of the server's own, the client still waiting", () => {
  describe.each(Object.keys(STYLES) as Kind[])('%s', (kind) => {
    it.each(STYLES[kind].flatMap((style) => ['abort', 'wrapped-abort'].map((value) => [style, value] as const)))(
      '%s (%s): INTERNAL, recorded at error level as client-connected',
      async (style, value) => {
        const id = answered(await call(kind, style, value), GrpcStatus.INTERNAL);
        expect(await recordOf(id)).toMatchObject({
          request_id: id,
          code: 'INTERNAL',
          level: ERROR_LEVEL,
          reason: 'net:AbortError:client-connected',
        });
      },
    );
  });

  it("a downstream's CANCELLED (a call the service cancelled itself) is INTERNAL too", async () => {
    const id = answered(await call('unary', 'callback', 'downstream-cancelled'), GrpcStatus.INTERNAL);
    expect(await recordOf(id)).toMatchObject({ code: 'INTERNAL', level: ERROR_LEVEL });
    expect(String((await recordOf(id))?.reason)).toMatch(/:client-connected$/);
  });

  it('a CANCELLED status of a service added without Faultline is INTERNAL through the interceptor', async () => {
    const error = await new Promise<ServiceError | undefined>((resolve) =>
      grpc.plain.unary({}, new Metadata(), { deadline: Date.now() + 5000 }, (e: ServiceError | null) =>
        resolve(e ?? undefined),
      ),
    );
    const id = answered(error, GrpcStatus.INTERNAL);
    expect(await recordOf(id)).toMatchObject({ code: 'INTERNAL', level: ERROR_LEVEL });
  });

  it.each(['unary', 'serverStream'] as const)(
    "an application's own FaultError 'cancelled' keeps CANCELLED (%s)",
    async (kind) => {
      const id = answered(await call(kind, 'throw', 'fault-cancelled'), GrpcStatus.CANCELLED);
      expect(await recordOf(id)).toMatchObject({ request_id: id, code: 'CANCELLED' });
    },
  );
});

describe('a call the client cancelled mid-handler', () => {
  const WAITS: readonly (readonly [Kind, string])[] = [
    ['unary', 'async'],
    ['unary', 'callback'],
    ['unary', 'emit'],
    ['serverStream', 'async'],
    ['serverStream', 'destroy'],
    ['clientStream', 'callback'],
    ['clientStream', 'emit'],
    ['bidi', 'async'],
    ['bidi', 'destroy'],
  ];
  it.each(WAITS)('%s (%s): stays CANCELLED, recorded once, and the server still answers', async (kind, style) => {
    const id = randomUUID();
    const metadata = new Metadata();
    metadata.set('x-style', style);
    metadata.set('x-value', 'abort');
    metadata.set('x-wait', 'cancel');
    metadata.set(REQUEST_ID_KEY, id);
    const running = new Promise<void>((resolve) => started.set(id, resolve));
    const ended = new Promise<ServiceError | undefined>((resolve) => {
      const stream = start(grpc.client, kind, metadata, resolve, false);
      void running.then(() => stream.cancel());
    });
    expect((await ended)?.code).toBe(GrpcStatus.CANCELLED);
    started.delete(id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await reporter.flush();
    const records = log.records.filter((r) => r.request_id === id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ code: 'CANCELLED', reason: 'net:AbortError' });
    expect(await call('unary', 'throw', 'abort')).toMatchObject({ code: GrpcStatus.INTERNAL });
  });

  it.each(['unary', 'bidi'] as const)('%s past its deadline: stays CANCELLED, recorded once', async (kind) => {
    const id = randomUUID();
    const metadata = new Metadata();
    metadata.set('x-style', 'async');
    metadata.set('x-value', 'abort');
    metadata.set('x-wait', 'cancel');
    metadata.set(REQUEST_ID_KEY, id);
    const error = await new Promise<ServiceError | undefined>((resolve) =>
      start(grpc.client, kind, metadata, resolve, false, 100),
    );
    expect(error?.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await reporter.flush();
    const records = log.records.filter((r) => r.request_id === id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ code: 'CANCELLED', reason: 'net:AbortError' });
  });
});
