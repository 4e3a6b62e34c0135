/**
 * Public parameters and translations over real sockets: a catalog code with a declared `limit`,
 * raised on Fastify, Express, gRPC and ws, decoded by the client; Accept-Language picks the
 * translation on HTTP (with Content-Language); an invalid value never reaches the client.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { defineCatalog } from '@faultline/core';
import { faultline as expressFaultline } from '@faultline/express';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import { addFaultlineService, createServerInterceptor } from '@faultline/grpc';
import { jsonMethod } from '@faultline/testkit';
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
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { decodeGrpcFault } from '../src/grpc.js';
import { decodeFault, decodeWsFault } from '../src/index.js';
import { catalogParams } from '../src/params.js';

const errors = defineCatalog({
  PARAMS_TOO_MANY_ITEMS: {
    category: 'validation',
    message: 'At most {limit} items per order.',
    params: { limit: 'integer' },
    translations: { de: { message: 'Höchstens {limit} Artikel pro Bestellung.' } },
  },
});
const raise = (limit: unknown) =>
  errors.PARAMS_TOO_MANY_ITEMS({ params: { limit }, message: 'internal: cart 42 had 250 items' });

describe('HTTP: Fastify and Express', () => {
  let fastifyApp: FastifyInstance;
  let expressServer: HttpServer;
  const bases: Record<string, string> = {};
  beforeAll(async () => {
    fastifyApp = Fastify({ ...faultlineServerOptions(), logger: false }) as unknown as FastifyInstance;
    await fastifyApp.register(faultline, { reporter: false });
    fastifyApp.get<{ Querystring: { limit?: string } }>('/cart', async (request) => {
      throw raise(request.query.limit === 'bad' ? 'DROP TABLE' : 100);
    });
    await fastifyApp.listen({ port: 0, host: '127.0.0.1' });
    bases.fastify = `http://127.0.0.1:${(fastifyApp.server.address() as { port: number }).port}`;
    const fl = expressFaultline({ reporter: false });
    const app = express();
    app.use(fl.requestId);
    app.get('/cart', (request) => {
      throw raise(request.query.limit === 'bad' ? 'DROP TABLE' : 100);
    });
    app.use(fl.errorHandler);
    expressServer = await new Promise<HttpServer>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    bases.express = `http://127.0.0.1:${(expressServer.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await fastifyApp.close();
    expressServer.close();
  });

  it.each(['fastify', 'express'])('%s: params in the message and as a member, decoded by the client', async (name) => {
    const response = await fetch(`${bases[name]}/cart`);
    expect(response.headers.get('content-language')).toBeNull();
    const fault = await decodeFault(response, errors);
    expect(fault).toMatchObject({
      code: 'PARAMS_TOO_MANY_ITEMS',
      message: 'At most 100 items per order.',
      params: { limit: 100 },
    });
  });

  it.each(['fastify', 'express'])('%s: Accept-Language picks the translation and says so', async (name) => {
    const response = await fetch(`${bases[name]}/cart`, { headers: { 'accept-language': 'de-CH,de;q=0.9,en;q=0.5' } });
    expect(response.headers.get('content-language')).toBe('de');
    expect(await decodeFault(response, errors)).toMatchObject({
      message: 'Höchstens 100 Artikel pro Bestellung.',
      params: { limit: 100 },
    });
  });

  it.each(['fastify', 'express'])('%s: an invalid value is never shown', async (name) => {
    const text = await (await fetch(`${bases[name]}/cart?limit=bad`)).text();
    // The request id is a random UUID (it may hold the digits 250): look at everything else.
    expect(text.replace(/"request_id":"[0-9a-f-]{36}"/, '')).not.toMatch(/DROP|cart 42|250/);
    expect(JSON.parse(text)).toMatchObject({ detail: 'At most … items per order.' });
  });
});

describe('gRPC and WebSocket', () => {
  it('gRPC: params travel in ErrorInfo metadata (a string map); the catalog restores declared numbers', async () => {
    const server = new Server({ interceptors: [createServerInterceptor()] });
    const Service = { cart: jsonMethod('/params.S/Cart') };
    addFaultlineService(server, Service, {
      cart: (_c: unknown, callback: (e: unknown) => void) => callback(raise(100)),
    } as unknown as UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    const client = new (makeGenericClientConstructor(Service, 'S'))(`127.0.0.1:${port}`, credentials.createInsecure());
    const error = await new Promise<ServiceError>((resolve) =>
      (client as unknown as { cart: (...a: unknown[]) => void }).cart({}, new Metadata(), resolve),
    );
    client.close();
    server.forceShutdown();
    expect(error.details).toBe('At most 100 items per order.');
    expect(decodeGrpcFault(error, errors)).toMatchObject({
      code: 'PARAMS_TOO_MANY_ITEMS',
      params: { limit: 100 },
      message: 'At most 100 items per order.',
    });
    expect(decodeGrpcFault(error).params).toEqual({ limit: '100' });
  });

  it('WebSocket: params in the error frame', async () => {
    const adapter = createWsAdapter();
    const wss = new WebSocketServer({ noServer: true });
    wss.on(
      'connection',
      adapter.connection((socket) =>
        socket.on(
          'message',
          adapter.message(socket, () => {
            throw raise(100);
          }),
        ),
      ),
    );
    const http = createServer();
    http.on('upgrade', adapter.upgrade(wss));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const frame = await new Promise<string>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${(http.address() as { port: number }).port}/`);
      socket.on('open', () => socket.send('x'));
      socket.on('message', (data) => {
        resolve(String(data));
        socket.close();
      });
    });
    http.closeAllConnections();
    http.close();
    expect(decodeWsFault(frame, errors)).toMatchObject({
      params: { limit: 100 },
      message: 'At most 100 items per order.',
    });
  });
});

describe('catalogParams: params held to the catalog', () => {
  const catalog = {
    has: (code: string): code is 'X' => code === 'X',
    get: (code: string) =>
      code === 'X'
        ? { category: 'validation' as const, params: { n: 'integer', r: 'number', s: 'string' } as const }
        : undefined,
  };
  it.each([
    [{ n: '100' }, { n: 100 }],
    [{ n: 100 }, { n: 100 }],
    [{ n: '-3' }, { n: -3 }],
    [{ n: '1.5' }, {}],
    [{ n: 1.5 }, {}],
    [{ n: '9007199254740993' }, {}],
    [{ n: '0x10' }, {}],
    [{ n: '' }, {}],
    [{ n: 'DROP TABLE' }, {}],
    [{ r: '2.5' }, { r: 2.5 }],
    [{ r: 2.5 }, { r: 2.5 }],
    [{ r: '1e400' }, {}],
    [{ r: 'NaN' }, {}],
    [{ s: '42' }, { s: '42' }],
    [{ s: 42 }, {}],
    [{ other: '42' }, {}],
  ])('%o -> %o (a value contradicting its declared type, or undeclared, is dropped)', (input, expected) => {
    expect(catalogParams(input, 'X', catalog)).toEqual(expected);
  });
  it('-0 is 0, whether it came as a number or as a string held to the catalog', () => {
    const frame = '{"error":{"code":"X","params":{"n":-0,"r":-0.0,"s":"x"}}}';
    const received = decodeWsFault(frame)?.params ?? {};
    expect(Object.is(received.n, 0) && Object.is(received.r, 0)).toBe(true);
    const held = catalogParams({ n: '-0', r: '-0.0' }, 'X', catalog);
    expect(Object.is(held.n, 0) && Object.is(held.r, 0)).toBe(true);
  });
  it('leaves params of an unknown code, or without a catalog, as received', () => {
    expect(catalogParams({ n: '1' }, 'Y', catalog)).toEqual({ n: '1' });
    expect(catalogParams({ n: '1' }, 'X')).toEqual({ n: '1' });
  });
});
