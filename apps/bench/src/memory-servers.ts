/**
 * The servers `bench:memory` compares (issue 21): each framework on its stock server, and wired as
 * the README shows with Faultline's defaults (`defaults`: the default reporter, NDJSON on stdout)
 * or with a reporter writing to a file (`file`). Every server has the same four routes: success, a
 * pg-style error, a route or method that does not exist, and a thrown string. Stock servers keep
 * the process alive the way a service without Faultline does (framework defaults; ws: a try/catch).
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MethodDefinition, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { pgError } from './pg-error.js';
import { settledMemory } from './settled-memory.js';
import { kindHandler, wireFaultlineWs, wireStockWs } from './ws-kinds.js';

/** The frameworks measured. */
export const FRAMEWORKS = ['fastify', 'express', 'grpc', 'ws'] as const;
/** A framework measured. */
export type Framework = (typeof FRAMEWORKS)[number];
/** How a server is wired: stock, Faultline with its defaults, Faultline with a file reporter. */
export const VARIANTS = ['stock', 'defaults', 'file'] as const;
/** A wiring. */
export type Variant = (typeof VARIANTS)[number];

/** The gRPC methods: the server implements `get` (success), `fail` and `text`; `missing` is unknown to it. */
const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
};
const GET: MethodDefinition<unknown, unknown> = {
  path: '/bench.Orders/Get',
  requestStream: false,
  responseStream: false,
  requestSerialize: json.serialize,
  requestDeserialize: json.deserialize,
  responseSerialize: json.serialize,
  responseDeserialize: json.deserialize,
};
/** The gRPC service of `bench:memory`. */
export const MEMORY_SERVICE: ServiceDefinition = {
  get: GET,
  fail: { ...GET, path: '/bench.Orders/Fail' },
  text: { ...GET, path: '/bench.Orders/Text' },
};
async function fileReporter(variant: Variant): Promise<object | undefined> {
  if (variant !== 'file') return undefined;
  const { createReporter } = await import('@faultline/core');
  return createReporter({ destination: join(mkdtempSync(join(tmpdir(), 'faultline-memory-')), 'faults.log') });
}

async function fastify(variant: Variant): Promise<number> {
  const { default: Fastify } = await import('fastify');
  let app: ReturnType<typeof Fastify>;
  if (variant === 'stock') app = Fastify({ logger: false });
  else {
    const { faultline, faultlineServerOptions } = await import('@faultline/fastify');
    app = Fastify({ ...faultlineServerOptions(), logger: false }) as unknown as ReturnType<typeof Fastify>;
    const reporter = await fileReporter(variant);
    await app.register(faultline, reporter === undefined ? {} : ({ reporter } as object));
  }
  app.get('/ok', async () => ({ ok: true }));
  app.get('/fail', async () => {
    throw pgError();
  });
  app.get('/text', async () => {
    throw 'boom'; // a thrown string, as some libraries do
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as { port: number }).port;
}

async function express(variant: Variant): Promise<number> {
  const { default: Express } = await import('express');
  const app = Express();
  const fl =
    variant === 'stock'
      ? undefined
      : (await import('@faultline/express')).faultline(
          variant === 'file' ? ({ reporter: await fileReporter(variant) } as object) : {},
        );
  if (fl !== undefined) app.use(fl.requestId);
  app.get('/ok', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/fail', async () => {
    throw pgError();
  });
  app.get('/text', async () => {
    throw 'boom';
  });
  if (fl !== undefined) {
    app.use(fl.notFound);
    app.use(fl.errorHandler);
  }
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    if (fl !== undefined) server.on('clientError', fl.clientError);
  });
}

async function grpc(variant: Variant): Promise<number> {
  const { Server, ServerCredentials } = await import('@grpc/grpc-js');
  type Callback = (error: unknown, value?: unknown) => void;
  const implementation = {
    get: (_call: unknown, callback: Callback) => callback(null, { id: 1, reference: 'A-1' }),
    fail: (_call: unknown, callback: Callback) => callback(pgError()),
    text: () => {
      throw 'boom';
    },
  } as unknown as UntypedServiceImplementation;
  let server: InstanceType<typeof Server>;
  if (variant === 'stock') {
    server = new Server();
    // Stock grpc-js lets a sync throw escape and crash the process: a service guards it by hand.
    const guarded = {
      ...implementation,
      text: (_call: unknown, callback: Callback) => callback({ code: 13, details: 'Internal' }),
    } as unknown as UntypedServiceImplementation;
    server.addService(MEMORY_SERVICE, guarded);
  } else {
    const { addFaultlineService, createServerInterceptor } = await import('@faultline/grpc');
    const reporter = await fileReporter(variant);
    const options = (reporter === undefined ? {} : { reporter }) as object;
    server = new Server({
      interceptors: [createServerInterceptor(options)],
      'grpc.max_receive_message_length': -1,
    });
    addFaultlineService(server, MEMORY_SERVICE, implementation, options);
  }
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
}

/** The ws message kinds: `ok` is echoed, `fail` throws a pg error, `other` is unknown, `text` throws a string. */
async function ws(variant: Variant): Promise<number> {
  const { WebSocketServer } = await import('ws');
  // The stock server does not load core: its unknown kind throws a plain Error.
  const handle = await kindHandler(variant === 'stock');
  const server = createServer();
  if (variant === 'stock') {
    wireStockWs(new WebSocketServer({ server }), handle);
  } else {
    const reporter = await fileReporter(variant);
    await wireFaultlineWs(server, (reporter === undefined ? {} : { reporter }) as object, handle);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** Starts `framework` wired as `variant` on 127.0.0.1; resolves with its port. */
function startMemoryServer(framework: Framework, variant: Variant): Promise<number> {
  const start: Record<Framework, (variant: Variant) => Promise<number>> = { fastify, express, grpc, ws };
  return start[framework](variant);
}

/**
 * The child process of `bench:memory` (`memory-servers.js <framework> <variant>`): starts the
 * server, reports its port and memory, and answers `memory` until told to exit.
 */
async function child(framework: Framework, variant: Variant): Promise<void> {
  const port = await startMemoryServer(framework, variant);
  process.send?.({ port, ...(await settledMemory()) });
  process.on('message', (message) => {
    if (message === 'memory') void settledMemory().then((memory) => process.send?.(memory));
    else process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] !== undefined)
  await child(process.argv[2] as Framework, process.argv[3] as Variant);
