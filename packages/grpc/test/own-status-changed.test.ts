/**
 * A streaming handler that builds Faultline's status itself with the exported helpers
 * (`faultForCall`, `faultStatus`), changes it (`status-changes.ts`: debug text, a trailer, another
 * id, another code), and emits it. The call's guard sends it on as it was made: the client gets
 * the fault's code, its generic details and the one id its record has, nothing the handler added.
 * No interceptor here, so the guard alone answers (the server interceptor would mend it too).
 * Real grpc-js server and client on 127.0.0.1.
 */
import { createReporter } from '@faultline/core';
import { jsonMethod, memoryLog } from '@faultline/testkit';
import {
  Metadata,
  Server,
  type ServiceError,
  type StatusObject,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addFaultlineService, faultForCall, faultStatus } from '../src/index.js';
import { bindLoopback, loopbackClient } from './fixtures.js';
import { expectSanitized } from './sanitized.js';
import { FORBIDDEN, SECRET, STATUS_CHANGES } from './status-changes.js';

const PATH = '/own.O/List';
const Service = { list: jsonMethod(PATH, false, true) };
type Stream = { on(event: string, fn: (value: unknown) => void): void };

const log = memoryLog();
let server: Server;
let client: { list(...args: unknown[]): Stream; close(): void };

beforeAll(async () => {
  const reporter = createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false });
  server = new Server();
  const list = (call: { metadata: Metadata; emit(event: string, value: unknown): boolean }) => {
    const fault = faultForCall(new Error(SECRET), call.metadata, PATH, { reporter });
    const change = STATUS_CHANGES[String(call.metadata.get('x-change')[0])] as (s: StatusObject) => StatusObject;
    call.emit('error', change(faultStatus(fault, 'faultline')));
  };
  addFaultlineService(server, Service, { list } as UntypedServiceImplementation, { reporter });
  const port = await bindLoopback(server);
  client = loopbackClient(Service, 'O', port);
});
afterAll(() => {
  client.close();
  server.forceShutdown();
});

// An unreadable status object is not Faultline's: it is the hostile-status suite's concern.
it.each(Object.keys(STATUS_CHANGES).filter((how) => how !== 'unreadable'))(
  '%s: the stream ends with the status as made, with the id of its record',
  async (how) => {
    const metadata = new Metadata();
    metadata.set('x-change', how);
    const stream = client.list({}, metadata, { deadline: Date.now() + 3000 });
    const error = await new Promise<ServiceError | undefined>((resolve) => {
      stream.on('data', () => undefined);
      stream.on('error', (e) => resolve(e as ServiceError));
      stream.on('end', () => resolve(undefined));
    });
    const id = expectSanitized(error, 'internal', FORBIDDEN);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log.records.filter((record) => record.request_id === id)).toHaveLength(1);
  },
);
