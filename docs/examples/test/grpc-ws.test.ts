/** The gRPC and WebSocket examples, run against real grpc-js and ws clients. */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { EXAMPLES, runToEnd, start } from './run.js';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js') as typeof Grpc;
const { loadSync } = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');

type Client = Grpc.Client & { GetOrder(request: object, done: (error: Grpc.ServiceError | null) => void): void };

function callGetOrder(port: number): Promise<Grpc.ServiceError> {
  const shop = grpc.loadPackageDefinition(loadSync(join(EXAMPLES, 'orders.proto'))).shop as Grpc.GrpcObject;
  const Orders = shop.Orders as Grpc.ServiceClientConstructor;
  const client = new Orders(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as Client;
  return new Promise((resolve, reject) => {
    client.GetOrder({ id: '42' }, (error) => {
      client.close();
      if (error === null) reject(new Error('expected an error'));
      else resolve(error);
    });
  });
}

describe('README: grpc.ts', () => {
  it('answers NOT_FOUND with generic details, the id trailer and a record; with tracing.ts, a span with the id', async () => {
    const server = await start('grpc', { preload: ['tracing'] });
    try {
      const error = await callGetOrder(server.port);
      expect(error.code).toBe(grpc.status.NOT_FOUND);
      expect(error.details).toBe('The order does not exist.');
      const id = String(error.metadata.get('x-request-id')[0]);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(error.metadata.get('grpc-status-details-bin')).toHaveLength(1);
      await server.waitFor((out) => out.includes(`"request_id":"${id}"`) && out.includes(`'app.error.id': '${id}'`));
      expect(server.stdout()).toContain('@opentelemetry/instrumentation-grpc');
    } finally {
      await server.stop();
    }
  });

  it('grpc-client.ts decodes the catalog code and captures it as a fault of the caller', async () => {
    const server = await start('grpc');
    try {
      const out = await runToEnd('grpc-client', { PORT: String(server.port) });
      expect(out).toMatch(/^ORDER_NOT_FOUND [0-9a-f-]{36}\nnot_found\n$/);
    } finally {
      await server.stop();
    }
  });
});

describe('README: ws.ts', () => {
  it('answers a failing message with an error frame, keeps the socket open, and records it', async () => {
    const server = await start('ws');
    try {
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}/`);
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const frame = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
      socket.send('{"order":"42"}');
      const error = (JSON.parse(await frame) as { error: Record<string, unknown> }).error;
      expect(error).toMatchObject({ status: 404, code: 'ORDER_NOT_FOUND', message: 'The order does not exist.' });
      expect(socket.readyState).toBe(WebSocket.OPEN);
      const notJson = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
      socket.send('{not json');
      expect(JSON.parse(await notJson)).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      socket.close();
      await server.waitFor((out) => out.includes(`"request_id":"${String(error.request_id)}"`));
    } finally {
      await server.stop();
    }
  });

  it('on SIGTERM every client gets a 1001 close and the process exits at once', async () => {
    const server = await start('ws');
    try {
      const sockets = [0, 1].map(() => new WebSocket(`ws://127.0.0.1:${server.port}/`));
      await Promise.all(
        sockets.map((s) => new Promise((resolve, reject) => s.once('open', resolve).once('error', reject))),
      );
      const closes = sockets.map(
        (s) =>
          new Promise<[number, string]>((resolve) =>
            s.once('close', (code, reason) => resolve([code, String(reason)])),
          ),
      );
      const started = Date.now();
      const code = await server.stop();
      expect(await Promise.all(closes)).toEqual([
        [1001, 'server shutting down'],
        [1001, 'server shutting down'],
      ]);
      // Not the 10 s cut-off, nor the harness's SIGKILL after 5 s.
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(code === 0 || code === null).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('ws-client.ts decodes the error frame', async () => {
    const server = await start('ws');
    try {
      const out = await runToEnd('ws-client', { PORT: String(server.port) });
      expect(out).toMatch(/^ORDER_NOT_FOUND [0-9a-f-]{36}\n$/);
    } finally {
      await server.stop();
    }
  });
});
