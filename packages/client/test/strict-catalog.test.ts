/**
 * A hostile server sends a code the caller's catalog does not have, to a caller whose catalog
 * throws for such a code (a strict lookup: a `Map` wrapper, a generated switch) instead of
 * answering `undefined`. Real servers on 127.0.0.1 (ephemeral ports): node:http, ws and grpc-js.
 * The decoders keep their word (never throw, never reject): the code's category then comes from
 * the status, as for any code the catalog does not define, and the rest of the fault decodes.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { defineCatalog } from '@faultline/core';
import { jsonMethod } from '@faultline/testkit';
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { decodeGrpcFault } from '../src/grpc.js';
import { type CatalogLike, decodeFault, decodeWsFault } from '../src/index.js';
import { statusBytes } from './support/status-bytes.js';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const errors = defineCatalog({ STRICT_ORDER_GONE: { category: 'not_found', message: 'The order is gone.' } });
/** The same catalog, but `get` throws for a code it does not define. */
const strict: CatalogLike<'STRICT_ORDER_GONE'> = {
  has: (code): code is 'STRICT_ORDER_GONE' => errors.has(code),
  get(code) {
    const definition = errors.get(code);
    if (definition === undefined) throw new Error(`unknown code ${code}`);
    return definition;
  },
};
const ROGUE = { code: 'UPSTREAM_ROGUE', message: 'The seat is taken.', request_id: ID };
const EXPECTED = {
  conforming: true,
  code: 'UPSTREAM_ROGUE',
  category: 'conflict',
  message: 'The seat is taken.',
  requestId: ID,
};

let http: HttpServer;
let wss: WebSocketServer;
let grpc: Server;
let base = '';
let wsUrl = '';
let grpcClient: InstanceType<ReturnType<typeof makeGenericClientConstructor>>;
beforeAll(async () => {
  http = createServer((_request, response) => {
    response.writeHead(409, { 'content-type': 'application/problem+json' });
    response.end(JSON.stringify({ status: 409, code: ROGUE.code, detail: ROGUE.message, request_id: ID }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (socket) => socket.send(JSON.stringify({ error: { status: 409, ...ROGUE } })));
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  wsUrl = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
  grpc = new Server();
  const Service = { call: jsonMethod('/strict.S/Call') };
  grpc.addService(Service, {
    call: (_call: unknown, callback: (e: unknown) => void) => {
      const metadata = new Metadata();
      const details = statusBytes({ code: 6, reason: ROGUE.code, message: ROGUE.message, requestId: ID });
      metadata.set('grpc-status-details-bin', details);
      callback({ code: 6, details: 'hostile', metadata });
    },
  } as unknown as UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    grpc.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  grpcClient = new (makeGenericClientConstructor(Service, 'S'))(`127.0.0.1:${port}`, credentials.createInsecure());
});
afterAll(async () => {
  grpcClient.close();
  grpc.forceShutdown();
  for (const socket of wss.clients) socket.terminate();
  await new Promise((resolve) => wss.close(resolve));
  http.closeAllConnections();
  http.close();
});

describe('a code the catalog does not have, with a catalog that throws for it', () => {
  it('HTTP: decodeFault resolves (it rejected), the category from the status', async () => {
    await expect(decodeFault(await fetch(base), strict)).resolves.toMatchObject(EXPECTED);
  });

  it('WebSocket: the error frame is still a fault (it was undefined, an application message)', async () => {
    const data = await new Promise<WebSocket.RawData>((resolve, reject) => {
      const socket = new WebSocket(wsUrl);
      socket.once('message', (received) => {
        resolve(received);
        socket.close();
      });
      socket.once('error', reject);
    });
    expect(decodeWsFault(data as Buffer, strict)).toMatchObject({ ...EXPECTED, format: 'envelope' });
  });

  it('gRPC: the details still decode (it was INTERNAL, without the request id)', async () => {
    const error = await new Promise<ServiceError>((resolve) =>
      (grpcClient as unknown as { call: (...a: unknown[]) => void }).call({}, new Metadata(), resolve),
    );
    expect(decodeGrpcFault(error, strict)).toMatchObject({ ...EXPECTED, format: 'status-details' });
  });

  it('a code the catalog has still takes its category from the catalog', async () => {
    expect(decodeWsFault(JSON.stringify({ error: { status: 409, code: 'STRICT_ORDER_GONE' } }), strict)).toMatchObject({
      code: 'STRICT_ORDER_GONE',
      category: 'not_found',
      status: 409,
    });
  });
});
