/**
 * Round trips over real sockets: every code of a catalog (and every built-in category), thrown on
 * a Faultline server, decodes on the client into the same code, category and request id on HTTP
 * (problem JSON and envelope), gRPC and WebSocket. Non-conforming answers (proxy HTML, an empty
 * 502, a truncated body) decode by status and never throw.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { CATEGORIES, defineCatalog, FaultError, TAXONOMY } from '@faultline/core';
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
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { decodeGrpcFault } from '../src/grpc.js';
import { decodeFault, decodeWsFault, type RemoteFault } from '../src/index.js';

const errors = defineCatalog({
  CLIENT_ORDER_NOT_FOUND: {
    category: 'not_found',
    message: 'The order does not exist.',
    type: 'https://docs.example.com/errors/order-not-found',
  },
  CLIENT_ORDER_LOCKED: { category: 'conflict', message: 'The order is being changed by someone else.' },
  CLIENT_QUOTA_EXCEEDED: { category: 'rate_limited', message: 'Too many orders today.' },
  CLIENT_PAYMENT_DOWN: { category: 'unavailable', message: 'Payments are unavailable. Retry later.' },
});
const CODES = [
  'CLIENT_ORDER_NOT_FOUND',
  'CLIENT_ORDER_LOCKED',
  'CLIENT_QUOTA_EXCEEDED',
  'CLIENT_PAYMENT_DOWN',
] as const;

/** The fault to raise for `name`: a catalog code, or a built-in category. */
function raise(name: string): FaultError {
  if ((CODES as readonly string[]).includes(name))
    return (errors[name as (typeof CODES)[number]] as (o?: object) => FaultError)({ retryAfter: 7 });
  return FaultError.of(
    name as (typeof CATEGORIES)[number],
    name === 'validation' ? { fieldViolations: [{ pointer: '/items/0/qty', detail: 'Is below the minimum.' }] } : {},
  );
}
const NAMES = [...CODES, ...CATEGORIES.filter((c) => c !== 'cancelled')];
const expected = (name: string) => {
  const catalog = errors.get(name);
  return catalog === undefined
    ? { code: TAXONOMY[name as (typeof CATEGORIES)[number]].code, category: name }
    : { code: name, category: catalog.category };
};

describe('HTTP round trip', () => {
  const apps: FastifyInstance[] = [];
  const urls: Record<string, string> = {};
  beforeAll(async () => {
    for (const format of ['problem', 'envelope'] as const) {
      const app = Fastify({ ...faultlineServerOptions(), logger: false });
      await app.register(faultline, { reporter: false, format });
      app.get<{ Params: { name: string } }>('/raise/:name', async (request) => {
        throw raise(request.params.name);
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      apps.push(app);
      urls[format] = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it.each(NAMES.flatMap((name) => [['problem', name] as const, ['envelope', name] as const]))(
    '%s: %s',
    async (format, name) => {
      const response = await fetch(`${urls[format]}/raise/${name}`);
      const fault = await decodeFault(response, errors);
      expect(fault).toMatchObject({
        ...expected(name),
        protocol: 'http',
        format,
        conforming: true,
        status: response.status,
      });
      expect(fault.requestId).toBe(response.headers.get('x-request-id'));
      if (name === 'validation')
        expect(fault.fieldViolations).toEqual([{ pointer: '/items/0/qty', detail: 'Is below the minimum.' }]);
      if (name === 'CLIENT_QUOTA_EXCEEDED') expect(fault.retryAfter).toBe(7);
      expect(fault.retryable).toBe(TAXONOMY[fault.category].retryable);
    },
  );

  it('types `code` with the catalog codes (compile-time)', async () => {
    const fault = await decodeFault(await fetch(`${urls.problem}/raise/CLIENT_ORDER_LOCKED`), errors);
    // The catalog's codes are inferred from defineCatalog, with no code generation.
    expectTypeOf(fault).toEqualTypeOf<RemoteFault<(typeof CODES)[number]>>();
    expect(fault.code).toBe('CLIENT_ORDER_LOCKED');
  });
});

describe('non-conforming answers decode by status', () => {
  let server: HttpServer;
  let base = '';
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/html') {
        response.writeHead(502, { 'content-type': 'text/html' });
        response.end('<html><body><h1>502 Bad Gateway</h1><hr><center>nginx/1.22.1</center></body></html>');
      } else if (request.url === '/empty') {
        response.writeHead(503, { 'retry-after': '30' });
        response.end();
      } else if (request.url === '/truncated') {
        response.writeHead(404, { 'content-type': 'application/problem+json' });
        response.end('{"type":"about:blank","title":"Not F');
      } else {
        response.writeHead(429, { 'content-type': 'application/json' });
        response.end('{"message":"slow down","code":42}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    server.close();
  });

  it.each([
    ['/html', 502, 'bad_gateway', undefined],
    ['/empty', 503, 'unavailable', 30],
    ['/truncated', 404, 'not_found', undefined],
    ['/foreign-json', 429, 'rate_limited', undefined],
  ])('%s -> %i %s', async (path, status, category, retryAfter) => {
    const fault = await decodeFault(await fetch(`${base}${path}`));
    expect(fault).toMatchObject({
      status,
      category,
      format: 'unknown',
      conforming: false,
      retryAfter,
      code: TAXONOMY[category as 'internal'].code,
    });
    expect(fault.message).not.toMatch(/nginx|slow down/);
  });

  it('a body that cannot be read decodes by status, never throws', async () => {
    const broken = { status: 504, headers: { get: () => null }, text: () => Promise.reject(new Error('aborted')) };
    await expect(decodeFault(broken)).resolves.toMatchObject({
      category: 'timeout',
      retryable: true,
      conforming: false,
    });
  });
});

describe('gRPC round trip', () => {
  const Service = { raise: jsonMethod('/client.S/Raise') };
  let server: Server;
  let client: InstanceType<ReturnType<typeof makeGenericClientConstructor>>;
  beforeAll(async () => {
    server = new Server({ interceptors: [createServerInterceptor()] });
    addFaultlineService(server, Service, {
      raise: (call: { request: { name: string } }, callback: (e: unknown) => void) =>
        callback(raise(call.request.name)),
    } as unknown as UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    client = new (makeGenericClientConstructor(Service, 'S'))(`127.0.0.1:${port}`, credentials.createInsecure());
  });
  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  it.each(NAMES)('%s', async (name) => {
    const error = await new Promise<ServiceError>((resolve) =>
      (client as unknown as { raise: (...a: unknown[]) => void }).raise({ name }, new Metadata(), (e: ServiceError) =>
        resolve(e),
      ),
    );
    const fault = decodeGrpcFault(error, errors);
    expect(fault).toMatchObject({ ...expected(name), protocol: 'grpc', format: 'status-details', conforming: true });
    expect(fault.requestId).toBe(String(error.metadata.get('x-request-id')[0]));
    if (name === 'validation')
      expect(fault.fieldViolations).toEqual([{ pointer: '/items/0/qty', detail: 'Is below the minimum.' }]);
    if (name === 'CLIENT_QUOTA_EXCEEDED') expect(fault.retryAfter).toBe(7);
  });

  it('a status without Faultline details decodes by code', () => {
    expect(decodeGrpcFault({ code: 14, details: 'upstream connect error', metadata: new Metadata() })).toMatchObject({
      category: 'bad_gateway',
      conforming: false,
      retryable: true,
    });
  });
});

describe('WebSocket round trip', () => {
  let http: HttpServer;
  let url = '';
  beforeAll(async () => {
    const adapter = createWsAdapter();
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
    http = createServer();
    http.on('upgrade', adapter.upgrade(wss));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(http.address() as { port: number }).port}/`;
  });
  afterAll(() => {
    http.closeAllConnections();
    http.close();
  });

  it.each(NAMES)('%s', async (name) => {
    // What ws 8 hands over, as it is: the frame and the close reason are Buffers.
    const outcome = await new Promise<{ frame: Buffer } | { code: number; reason: Buffer }>((resolve) => {
      const socket = new WebSocket(url);
      socket.on('open', () => socket.send(name));
      socket.on('message', (data) => {
        resolve({ frame: data as Buffer });
        socket.close();
      });
      socket.on('close', (code, reason) => resolve({ code, reason }));
    });
    const fault = 'frame' in outcome ? decodeWsFault(outcome.frame, errors) : decodeWsFault(outcome, errors);
    expect(fault).toMatchObject({
      ...expected(name),
      protocol: 'ws',
      format: 'frame' in outcome ? 'envelope' : 'close-reason',
      conforming: true,
    });
    expect(fault?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    if (name === 'validation')
      expect(fault?.fieldViolations).toEqual([{ pointer: '/items/0/qty', detail: 'Is below the minimum.' }]);
  });

  it('a normal close is not a fault; garbage is not either', () => {
    expect(decodeWsFault({ code: 1000, reason: '' })).toBeUndefined();
    expect(decodeWsFault('not json')).toBeUndefined();
    expect(decodeWsFault({ code: 1006, reason: '' })).toMatchObject({ category: 'internal', conforming: false });
  });
});
