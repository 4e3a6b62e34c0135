/**
 * The edge topology's gRPC and WebSocket paths through the generated nginx (`npm run demo:edge`):
 * grpc-js and python3-grpcio call `demo.Inventory/Reserve` on the gateway's cleartext HTTP/2
 * listener, a `ws` client talks to `/ws` through the gateway's tunnel. The id the gateway makes is
 * the one the client reads and the one the service records (the services trust ids from the
 * gateway's address only: a client that reaches them directly cannot plant one). With the gRPC
 * service stopped, the gateway itself answers `UNAVAILABLE` with its id.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeGrpcFault } from '@faultline/client/grpc';
import { recordFor } from '@faultline/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
// The compiled topology: it forks its services from dist (built by `npm test`'s pretest).
import { startTopology, type Topology } from '../dist/edge/topology.js';
import {
  CLIENT_ADDRESS,
  directReserve,
  eventually,
  inventoryClient,
  jsonLines,
  openWs,
  pythonReserve,
  recordOf,
} from './edge-topology-clients.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RESERVE = '/demo.Inventory/Reserve';
const CONFLICT_MESSAGE = 'The request conflicts with the current state of the resource.';

let topology: Topology;
let client: ReturnType<typeof inventoryClient>;

beforeAll(async () => {
  topology = await startTopology(mkdtempSync(join(tmpdir(), 'faultline-topology-grpc-ws-')));
  client = inventoryClient(`127.0.0.1:${topology.grpcPort}`);
}, 30_000);
afterAll(async () => {
  client?.close();
  await topology?.stop();
});

/** The gateway's access log line for `id`. */
async function logged(id: string) {
  const [line] = await eventually(topology.files.gatewayLog, (l) => l.request_id === id);
  return line;
}

it('grpc-js through the gateway: a success and an application error carry the gateway id, which the service records', async () => {
  const ok = await client.reserve('G-1');
  expect(ok.value).toMatchObject({ reference: 'G-1', quantity: 1 });
  expect(ok.headerId).toMatch(UUID_V4);
  expect(await logged(ok.headerId as string)).toMatchObject({ uri: RESERVE, status: 200, upstream_status: '200' });

  const failed = await client.reserve('A-1');
  expect(failed.error?.code).toBe(6); // ALREADY_EXISTS
  expect(failed.error?.details).toBe(CONFLICT_MESSAGE);
  const id = failed.error?.metadata.get('x-request-id')[0] as string;
  expect(id).toMatch(UUID_V4);
  expect(id).not.toBe(ok.headerId);
  expect(decodeGrpcFault(failed.error as never)).toMatchObject({ code: 'CONFLICT', requestId: id, conforming: true });
  expect(await logged(id)).toMatchObject({ uri: RESERVE, status: 200, protocol: 'HTTP/2.0' });
  const record = await recordOf(topology.files.inventoryRecords, id);
  expect(record).toMatchObject({ code: 'CONFLICT', classifier: 'pg', reason: 'pg:23505', protocol: 'grpc' });
  expect(record).not.toHaveProperty('rejected_request_id');
  for (const secret of ['orders_reference_key', 'duplicate', '23505', 'A-1'])
    expect(JSON.stringify(failed.error?.metadata.getMap())).not.toContain(secret);
});

it('python3-grpcio through the gateway reads the same ids', async () => {
  const [ok, failed] = await pythonReserve(`127.0.0.1:${topology.grpcPort}`, ['P-1', 'A-1']);
  expect(ok).toMatchObject({ code: 0 });
  expect(ok?.id).toMatch(UUID_V4);
  expect(await logged(ok?.id as string)).toMatchObject({ uri: RESERVE, status: 200 });
  expect(failed).toMatchObject({ code: 6, details: CONFLICT_MESSAGE });
  expect(failed?.id).toMatch(UUID_V4);
  expect(await recordOf(topology.files.inventoryRecords, failed?.id)).toMatchObject({ code: 'CONFLICT' });
  expect(await logged(failed?.id as string)).toMatchObject({ uri: RESERVE });
});

it('a gRPC client that reaches the service directly cannot plant an id: it is replaced and the refusal recorded', async () => {
  const planted = randomUUID();
  const answer = await directReserve(topology.services.inventory, 'A-1', planted);
  expect(answer['grpc-status']).toBe('6');
  const id = answer['x-request-id'] as string;
  expect(id).toMatch(UUID_V4);
  expect(id).not.toBe(planted);
  expect(await recordOf(topology.files.inventoryRecords, id)).toMatchObject({ rejected_request_id: planted });
  expect(recordFor(jsonLines(topology.files.inventoryRecords), planted)).toBeUndefined();
});

it('ws through the gateway: the connection id is the gateway id, and the error frame names a record of it', async () => {
  const session = await openWs(`ws://127.0.0.1:${topology.port}/ws?token=demo`);
  expect(session.upgradeId).toMatch(UUID_V4);
  expect(session.connectionId).toBe(session.upgradeId);
  session.socket.send(JSON.stringify({ action: 'get', id: 999 }));
  const frame = (await session.next()).error as Record<string, unknown>;
  expect(frame).toMatchObject({ status: 404, code: 'ORDER_NOT_FOUND' });
  expect(frame.request_id).toMatch(UUID_V4);
  const record = await recordOf(topology.files.apiRecords, frame.request_id);
  expect(record).toMatchObject({ code: 'ORDER_NOT_FOUND', protocol: 'ws' });
  expect(record?.attributes).toEqual({ connection_id: session.upgradeId });
  const closed = new Promise((resolve) => session.socket.once('close', resolve));
  session.socket.close(1000);
  await closed;
  expect(await logged(session.upgradeId as string)).toMatchObject({ method: 'GET', status: 101 });
});

it('a ws client that connects to the service directly cannot plant the connection id', async () => {
  const planted = randomUUID();
  const url = `ws://127.0.0.1:${topology.services.api}/ws?token=demo`;
  const session = await openWs(url, { 'x-request-id': planted }, CLIENT_ADDRESS);
  expect(session.connectionId).toMatch(UUID_V4);
  expect(session.connectionId).not.toBe(planted);
  session.socket.send('{"action":"nope"}');
  const frame = (await session.next()).error as Record<string, unknown>;
  expect(frame).toMatchObject({ status: 400 });
  expect((await recordOf(topology.files.apiRecords, frame.request_id))?.attributes).toEqual({
    connection_id: session.connectionId,
    rejected_connection_id: planted,
  });
  session.socket.terminate();
});

it('with the gRPC service stopped, the gateway answers UNAVAILABLE with its id in x-request-id and in the details', async () => {
  await topology.stopInventory();
  const { error } = await client.reserve('G-2');
  expect(error?.code).toBe(14);
  const id = error?.metadata.get('x-request-id')[0] as string;
  expect(id).toMatch(UUID_V4);
  expect(decodeGrpcFault(error as never)).toMatchObject({
    code: 'BAD_GATEWAY',
    category: 'bad_gateway',
    requestId: id,
    format: 'status-details',
  });
  expect(await logged(id)).toMatchObject({ uri: RESERVE, status: 200 });
});
