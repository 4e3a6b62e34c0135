/**
 * Issue 23, item 4, end to end: the generated gateway in front of real services that trust ids
 * only from it (`trustedProxies: ['127.0.0.1']`, the address the gateway connects from). Through
 * the gateway, the id it made or accepted is the id the service answers with and records; a client
 * that reaches the service directly (from 127.0.0.2) cannot plant one: the service replaces it and
 * records the refused value. Fastify and Express behind nginx and HAProxy; ws behind both too (the
 * generated nginx tunnels WebSocket upgrades with its id; so does HAProxy).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import {
  accessLineOf,
  CLIENT_ADDRESS,
  eventually,
  type Gateway,
  get,
  recordOf,
  type Service,
  startExpress,
  startFastify,
  startGeneratedHaproxy,
  startGeneratedNginx,
  startWs,
} from './edge-trust-fixtures.js';

// Each test may wait up to 5 s for a record (compact repeat lines are written once a second).
vi.setConfig({ testTimeout: 20_000 });

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// Each scenario has a service and a gateway of its own: the scenarios run at once. Within one, the
// tests run in order (the first fault is recorded in full, the next ones as compact repeats).
describe.concurrent.each([
  ['Fastify', 'nginx', startFastify, startGeneratedNginx],
  ['Express', 'nginx', startExpress, startGeneratedNginx],
  ['Fastify', 'HAProxy', startFastify, startGeneratedHaproxy],
] as const)('%s behind the generated %s, trusting only the gateway', (_name, _gateway, startService, startGateway) => {
  let service: Service;
  let gateway: Gateway;
  beforeAll(async () => {
    service = await startService();
    gateway = await startGateway(service.port);
  }, 30_000);
  afterAll(async () => {
    await gateway?.stop();
    await service?.stop();
  });

  it.sequential('keeps the id the gateway made: one id in the answer, the access log and the record', async () => {
    const answer = await get(gateway.port, '/api/fail');
    expect(answer.status).toBe(500);
    expect(answer.id).toMatch(UUID_V4);
    expect(answer.body.request_id).toBe(answer.id);
    const record = await recordOf(service, answer.id as string);
    expect(record).toMatchObject({ request_id: answer.id, status: 500 });
    expect(record).not.toHaveProperty('rejected_request_id');
    expect(await accessLineOf(gateway, answer.id as string)).toMatchObject({ status: 500, upstream_status: '500' });
  });

  it.sequential('keeps the id the gateway accepted from its client', async () => {
    const sent = randomUUID();
    const answer = await get(gateway.port, '/api/fail', { 'x-request-id': sent });
    expect([answer.id, answer.body.request_id]).toEqual([sent, sent]);
    const record = await recordOf(service, sent);
    expect(record).toMatchObject({ request_id: sent });
    expect(record).not.toHaveProperty('rejected_request_id');
  });

  it.sequential('a client that connects directly cannot plant an id: it is replaced and the refusal recorded', async () => {
    const planted = randomUUID();
    const answer = await get(service.port, '/api/fail', { 'x-request-id': planted });
    expect(answer.status).toBe(500);
    expect(answer.id).toMatch(UUID_V4);
    expect(answer.id).not.toBe(planted);
    expect(answer.body.request_id).toBe(answer.id);
    expect(await recordOf(service, answer.id as string)).toMatchObject({
      request_id: answer.id,
      rejected_request_id: planted,
    });
    expect(service.records.some((r) => r.request_id === planted)).toBe(false);
  });
});

describe.concurrent('without trustedProxies (the default), a direct client keeps its id', () => {
  it.each([
    ['Fastify', startFastify],
    ['Express', startExpress],
  ] as const)('%s', async (_name, startService) => {
    const service = await startService({});
    try {
      const planted = randomUUID();
      const answer = await get(service.port, '/api/fail', { 'x-request-id': planted });
      expect(answer.id).toBe(planted);
      expect(await recordOf(service, planted)).not.toHaveProperty('rejected_request_id');
    } finally {
      await service.stop();
    }
  });
});

/** A ws connection from {@link CLIENT_ADDRESS}: the upgrade's status and `x-request-id`, and the greeting's connection id. */
interface WsSession {
  readonly status: number;
  readonly upgradeId: string | undefined;
  readonly connectionId: string | undefined;
  readonly socket: WebSocket | undefined;
}

function connectWs(port: number, headers: Record<string, string> = {}): Promise<WsSession> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers, localAddress: CLIENT_ADDRESS });
    let status = 0;
    let upgradeId: string | undefined;
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('no WebSocket greeting within 10 s'));
    }, 10_000);
    socket.on('upgrade', (response) => {
      status = response.statusCode ?? 0;
      upgradeId = response.headers['x-request-id'] as string | undefined;
    });
    socket.on('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      response.resume();
      resolve({ status: response.statusCode ?? 0, upgradeId: undefined, connectionId: undefined, socket: undefined });
    });
    socket.once('message', (data) => {
      clearTimeout(timer);
      const greeting = JSON.parse(String(data)) as { connection_id?: string };
      resolve({ status, upgradeId, connectionId: greeting.connection_id, socket });
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Sends a message the service fails on and resolves with the close code once the connection ends. */
function failOn(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    socket.once('close', (code) => resolve(code));
    socket.send('{"action":"fail"}');
  });
}

/** The record attributes of a fault on connection `id` (a full record's, or its entry's in a compact repeat line). */
function wsAttributesOf(service: Service, id: string): Promise<Record<string, unknown> | undefined> {
  const attributes = (entry: Record<string, unknown>) => (entry.attributes ?? {}) as Record<string, unknown>;
  return eventually(() => {
    for (const record of service.records) {
      const contexts = Array.isArray(record.contexts) ? (record.contexts as Record<string, unknown>[]) : [];
      const own = [record, ...contexts].find((entry) => attributes(entry).connection_id === id);
      if (own !== undefined) return attributes(own);
    }
    return undefined;
  });
}

describe.concurrent.each([
  ['nginx', startGeneratedNginx],
  ['HAProxy', startGeneratedHaproxy],
] as const)('ws behind the generated %s, trusting only the gateway', (_gateway, startGateway) => {
  let service: Service;
  let gateway: Gateway;
  beforeAll(async () => {
    service = await startWs();
    gateway = await startGateway(service.port);
  }, 30_000);
  afterAll(async () => {
    await gateway?.stop();
    await service?.stop();
  });

  it.sequential('the connection keeps the id the gateway made, in the greeting, the handshake and the record', async () => {
    const session = await connectWs(gateway.port);
    expect(session.status).toBe(101);
    expect(session.upgradeId).toMatch(UUID_V4);
    expect(session.connectionId).toBe(session.upgradeId);
    expect(await failOn(session.socket as WebSocket)).toBe(1011);
    expect(await wsAttributesOf(service, session.upgradeId as string)).toEqual({ connection_id: session.upgradeId });
  });

  it.sequential('the connection keeps the id the gateway accepted, in the greeting, the handshake and the record', async () => {
    const sent = randomUUID();
    const session = await connectWs(gateway.port, { 'x-request-id': sent });
    expect([session.status, session.upgradeId, session.connectionId]).toEqual([101, sent, sent]);
    expect(await failOn(session.socket as WebSocket)).toBe(1011);
    const attributes = await wsAttributesOf(service, sent);
    expect(attributes).toEqual({ connection_id: sent });
  });

  it.sequential('a client that connects directly cannot plant the connection id', async () => {
    const planted = randomUUID();
    const session = await connectWs(service.port, { 'x-request-id': planted });
    expect(session.connectionId).toMatch(UUID_V4);
    expect(session.connectionId).not.toBe(planted);
    expect(await failOn(session.socket as WebSocket)).toBe(1011);
    expect(await wsAttributesOf(service, session.connectionId as string)).toEqual({
      connection_id: session.connectionId,
      rejected_connection_id: planted,
    });
  });
});
