/**
 * Field violations whose path names the prototype (`/__proto__/isAdmin`,
 * `/constructor/prototype/isAdmin`, `items[0].__proto__.isAdmin`, `filter[__proto__][isAdmin]`),
 * from real servers on 127.0.0.1 (ephemeral ports): node:http for problem JSON, the envelope and
 * JSON:API, ws for an error frame, grpc-js for BadRequest. An app that puts each violation into its
 * own error state by its path (a JSON Pointer or a dotted path, as form libraries take it) would
 * write into `Object.prototype`; such violations are dropped on every protocol, and names that only
 * look alike (`/constructor`, `/prototype/x`, `/__proto`) stay.
 */
import { createServer, type Server as HttpServer } from 'node:http';
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
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { decodeGrpcFault } from '../src/grpc.js';
import { decodeFault, decodeWsFault, type RemoteFieldViolation } from '../src/index.js';
import { statusBytes } from './support/status-bytes.js';

const HOSTILE = [
  '/__proto__/isAdmin',
  '/items/0/__proto__/isAdmin',
  '/constructor/prototype/isAdmin',
  '/a.__proto__.isAdmin',
  '/a~1__proto__~1isAdmin',
];
const KEPT = ['/constructor', '/prototype/isAdmin', '/__proto', '/items/0/qty'];
const DETAIL = 'Is invalid.';
const violations = [...HOSTILE, ...KEPT].map((pointer) => ({ pointer, detail: DETAIL }));
const EXPECTED = KEPT.map((pointer) => ({ pointer, detail: DETAIL }));
const BODIES: Record<string, unknown> = {
  problem: { status: 400, code: 'VALIDATION_FAILED', errors: violations },
  envelope: { error: { status: 400, code: 'VALIDATION_FAILED', errors: violations } },
  jsonapi: {
    errors: [
      { code: 'VALIDATION_FAILED', detail: 'The request is invalid.' },
      ...violations.map((v) => ({ detail: v.detail, source: { pointer: v.pointer } })),
      ...['filter[__proto__][isAdmin]', 'filter[constructor][prototype][isAdmin]', 'filter[constructor]'].map(
        (parameter) => ({ detail: DETAIL, source: { parameter } }),
      ),
      ...['__proto__', 'X-Prototype'].map((header) => ({ detail: DETAIL, source: { header } })),
    ],
  },
};

let http: HttpServer;
let wss: WebSocketServer;
let grpc: Server;
let base = '';
let wsUrl = '';
let grpcClient: InstanceType<ReturnType<typeof makeGenericClientConstructor>>;
beforeAll(async () => {
  http = createServer((request, response) => {
    response.writeHead(400, { 'content-type': 'application/json' });
    response.end(JSON.stringify(BODIES[(request.url ?? '/').slice(1)]));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (socket) => socket.send(JSON.stringify(BODIES.envelope)));
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  wsUrl = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
  grpc = new Server();
  const Service = { call: jsonMethod('/pointers.S/Call') };
  grpc.addService(Service, {
    call: (_call: unknown, callback: (e: unknown) => void) => {
      const metadata = new Metadata();
      const fields = [
        'items[0].__proto__.isAdmin',
        'constructor.prototype.isAdmin',
        '__proto__',
        'constructor',
        'prototype.isAdmin',
        'items[0].qty',
      ];
      const status = statusBytes({
        code: 3,
        reason: 'VALIDATION_FAILED',
        violations: fields.map((field) => ({ field, description: DETAIL })),
      });
      metadata.set('grpc-status-details-bin', status);
      callback({ code: 3, details: 'invalid', metadata });
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
afterEach(() => {
  // What a violation that got through would have written (so one failure does not spill into the next).
  delete (Object.prototype as Record<string, unknown>).isAdmin;
});

/**
 * What an app does with violations: each detail put into its own error state at the violation's
 * path (a JSON Pointer's tokens, or a parameter's `a[b][c]` segments), creating objects on the way.
 */
function applyAll(list: readonly RemoteFieldViolation[]): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  for (const v of list) {
    const keys =
      v.parameter !== undefined
        ? v.parameter.split(/[[\]]+/).filter((k) => k !== '')
        : v.pointer
            .split('/')
            .slice(1)
            .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    let at = state;
    for (const key of keys.slice(0, -1)) {
      // As a naive app does: an existing member (even an inherited one) is walked into.
      if (at[key] === undefined) at[key] = {};
      at = at[key] as Record<string, unknown>;
    }
    const last = keys.at(-1);
    if (last !== undefined) at[last] = v.detail;
  }
  return state;
}

/** The violations as the app gets them, checked to leave `Object.prototype` alone once applied. */
function applied(list: readonly RemoteFieldViolation[]): readonly RemoteFieldViolation[] {
  applyAll(list);
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  return list;
}

describe('violations whose path names the prototype are dropped', () => {
  it.each(['problem', 'envelope'])('HTTP %s', async (path) => {
    const fault = await decodeFault(await fetch(`${base}/${path}`));
    expect(fault).toMatchObject({ conforming: true, code: 'VALIDATION_FAILED' });
    expect(applied(fault.fieldViolations)).toEqual(EXPECTED);
  });

  it('HTTP JSON:API: also source.parameter and source.header', async () => {
    const fault = await decodeFault(await fetch(`${base}/jsonapi`));
    expect(fault).toMatchObject({ format: 'jsonapi', code: 'VALIDATION_FAILED' });
    expect(applied(fault.fieldViolations)).toEqual([
      ...EXPECTED,
      { pointer: '', detail: DETAIL, parameter: 'filter[constructor]' },
      { pointer: '', detail: DETAIL, header: 'X-Prototype' },
    ]);
  });

  it('WebSocket error frame', async () => {
    const data = await new Promise<WebSocket.RawData>((resolve, reject) => {
      const socket = new WebSocket(wsUrl);
      socket.once('message', (received) => {
        resolve(received);
        socket.close();
      });
      socket.once('error', reject);
    });
    const fault = decodeWsFault(data as Buffer);
    expect(fault).toMatchObject({ conforming: true, code: 'VALIDATION_FAILED' });
    expect(applied(fault?.fieldViolations ?? [])).toEqual(EXPECTED);
  });

  it('gRPC BadRequest field paths', async () => {
    const error = await new Promise<ServiceError>((resolve) =>
      (grpcClient as unknown as { call: (...a: unknown[]) => void }).call({}, new Metadata(), resolve),
    );
    const fault = decodeGrpcFault(error);
    expect(fault).toMatchObject({ conforming: true, code: 'VALIDATION_FAILED' });
    expect(applied(fault.fieldViolations)).toEqual([
      { pointer: '/constructor', detail: DETAIL },
      { pointer: '/prototype/isAdmin', detail: DETAIL },
      { pointer: '/items/0/qty', detail: DETAIL },
    ]);
  });
});
