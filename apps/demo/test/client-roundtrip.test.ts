/**
 * Every code of the demo catalog (and the built-in ones the demo answers with), thrown on a real
 * Faultline server, decodes with `@faultline/client` into the same code, category and request id
 * on HTTP, gRPC and WebSocket.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { decodeFault, decodeWsFault } from '@faultline/client';
import { decodeGrpcFault } from '@faultline/client/grpc';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import { addFaultlineService, createServerInterceptor } from '@faultline/grpc';
import { createWsAdapter } from '@faultline/ws';
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { errors } from '../src/catalog.js';
import { unary } from '../src/grpc-json.js';

const CODES = [...errors.definitions.keys()];
const raise = (code: string) => errors.create(code as (typeof CODES)[number], { params: { limit: 20 } });
const Service = { raise: unary('/demo.Raise/Raise') };

let http: FastifyInstance;
let base = '';
let grpc: Server;
let client: Record<string, (...a: unknown[]) => void> & { close(): void };
let wsServer: HttpServer;
let wsUrl = '';
beforeAll(async () => {
  http = Fastify({ ...faultlineServerOptions(), logger: false }) as unknown as FastifyInstance;
  await http.register(faultline, { reporter: false });
  http.get<{ Params: { code: string } }>('/raise/:code', async (request) => {
    throw raise(request.params.code);
  });
  await http.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(http.server.address() as { port: number }).port}`;
  grpc = new Server({ interceptors: [createServerInterceptor()] });
  addFaultlineService(grpc, Service, {
    raise: (call: { request: { code: string } }, callback: (e: unknown) => void) => callback(raise(call.request.code)),
  } as unknown as UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    grpc.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  client = new (makeGenericClientConstructor(Service, 'Raise'))(
    `127.0.0.1:${port}`,
    credentials.createInsecure(),
  ) as unknown as typeof client;
  const adapter = createWsAdapter({ isFatal: () => false });
  const wss = new WebSocketServer({ noServer: true });
  wss.on(
    'connection',
    adapter.connection((socket) =>
      socket.on(
        'message',
        adapter.message(socket, (data) => {
          throw raise(String(data));
        }),
      ),
    ),
  );
  wsServer = createServer();
  wsServer.on('upgrade', adapter.upgrade(wss));
  await new Promise<void>((resolve) => wsServer.listen(0, '127.0.0.1', resolve));
  wsUrl = `ws://127.0.0.1:${(wsServer.address() as { port: number }).port}/`;
});
afterAll(async () => {
  client.close();
  grpc.forceShutdown();
  wsServer.closeAllConnections();
  wsServer.close();
  await http.close();
});

describe.each(CODES)('demo catalog code %s', (code) => {
  const category = errors.get(code)?.category;
  const params = errors.get(code)?.params ? { limit: 20 } : {};

  it('HTTP', async () => {
    const response = await fetch(`${base}/raise/${code}`);
    const fault = await decodeFault(response, errors);
    expect(fault).toMatchObject({ code, category, conforming: true, requestId: response.headers.get('x-request-id') });
    expect(fault?.params).toEqual(params);
  });

  it('gRPC', async () => {
    const error = await new Promise<ServiceError>((resolve) => client.raise?.({ code }, new Metadata(), resolve));
    expect(decodeGrpcFault(error, errors)).toMatchObject({
      code,
      category,
      conforming: true,
      requestId: String(error.metadata.get('x-request-id')[0]),
    });
    expect(decodeGrpcFault(error, errors)?.params).toEqual(params);
  });

  it('WebSocket', async () => {
    const frame = await new Promise<string>((resolve) => {
      const socket = new WebSocket(wsUrl);
      socket.on('open', () => socket.send(code));
      socket.on('message', (data) => {
        resolve(String(data));
        socket.close();
      });
    });
    const fault = decodeWsFault(frame, errors);
    expect(fault).toMatchObject({ code, category, conforming: true });
    expect(fault?.params).toEqual(params);
    expect((JSON.parse(frame) as { error: { request_id: string } }).error.request_id).toBe(fault?.requestId);
  });
});
