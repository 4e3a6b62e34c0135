/**
 * The servers `ratios.ts` compares, one mode per child process (pinned to core 0). Every error
 * mode throws the same pg-like error; stock modes are what a service has without Faultline.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { answerParent } from './child-server.js';
import { floorImplementation, GRPC_FLOOR_MODES, type GrpcFloorMode } from './grpc-floors.js';
import { pgError } from './pg-error.js';
import { HTTP_MODES, type HttpMode, serveHttp } from './ratio-http-servers.js';

/** Every server mode. */
export const SERVER_MODES = [
  ...HTTP_MODES,
  'grpc-plain-error',
  'grpc-plain-error-trailers',
  'grpc-faultline-error',
  'grpc-plain-ok',
  'grpc-faultline-ok',
  'grpc-faultline-error-no-reporter',
  ...GRPC_FLOOR_MODES,
  'express-default-production',
  'express-seed-console',
  'express-faultline-file',
  'express-faultline-error',
  'express-floor-error',
] as const;
/** A server mode. */
export type ServerMode = (typeof SERVER_MODES)[number];

const codec = {
  serialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
  deserialize: (b: Buffer) => JSON.parse(b.toString()) as unknown,
};

/** The benchmark's gRPC service: one unary method, JSON messages. */
export const BENCH_SERVICE: ServiceDefinition = {
  get: {
    path: '/bench.Orders/Get',
    requestStream: false,
    responseStream: false,
    requestSerialize: codec.serialize,
    requestDeserialize: codec.deserialize,
    responseSerialize: codec.serialize,
    responseDeserialize: codec.deserialize,
  },
};

/**
 * Plain grpc-js answering with the trailers a Faultline error carries (`x-request-id` and the
 * pre-encoded `grpc-status-details-bin` with the id spliced in), built by hand: no wrapper, no
 * interceptor, no capture. The floor of what those two trailers cost by themselves.
 */
async function trailersOnly(): Promise<UntypedServiceImplementation> {
  const { capture } = await import('@faultline/core');
  const { encodeStatusDetails } = await import('@faultline/core/grpc');
  const { Metadata } = await import('@grpc/grpc-js');
  const { randomUUID } = await import('node:crypto');
  const sample = capture(pgError());
  // The rich status encoded once; each call copies it and writes its own id over the sample's.
  const template = Buffer.from(encodeStatusDetails(sample, 'faultline'));
  const offsets: number[] = [];
  for (let at = template.indexOf(sample.id); at !== -1; at = template.indexOf(sample.id, at + 1)) offsets.push(at);
  return {
    get(_call: unknown, callback: (error: unknown) => void) {
      pgError(); // the same allocation as every other error mode
      const id = randomUUID();
      const details = Buffer.from(template);
      for (const offset of offsets) details.write(id, offset, 'latin1');
      const metadata = new Metadata();
      metadata.set('x-request-id', id);
      metadata.set('grpc-status-details-bin', details);
      callback({ code: sample.grpcCode, details: sample.message, metadata });
    },
  } as unknown as UntypedServiceImplementation;
}

async function serveGrpc(mode: ServerMode): Promise<number> {
  const fail = mode.includes('error');
  const implementation =
    mode === 'grpc-plain-error-trailers'
      ? await trailersOnly()
      : (GRPC_FLOOR_MODES as readonly string[]).includes(mode)
        ? await floorImplementation(mode as GrpcFloorMode)
        : ({
            get(_call: unknown, callback: (error: unknown, value?: unknown) => void) {
              if (fail) callback(pgError());
              else callback(null, { id: 1, reference: 'A-1' });
            },
          } as unknown as UntypedServiceImplementation);
  // `reporter: false` on one mode: what recording every fault costs a gRPC error answer.
  const options = mode === 'grpc-faultline-error-no-reporter' ? { reporter: false as const } : {};
  return (await listenGrpc(mode.startsWith('grpc-faultline'), BENCH_SERVICE, implementation, options)).port;
}

/**
 * A gRPC server on 127.0.0.1 serving `implementation`: with Faultline (interceptor, guarded
 * decoding, wrapped handlers) or as plain grpc-js with its default error handling.
 */
export async function listenGrpc(
  faultline: boolean,
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  options: { readonly reporter?: false } = {},
): Promise<{ server: Server; port: number }> {
  let server: Server;
  if (faultline) {
    const { addFaultlineService, createServerInterceptor } = await import('@faultline/grpc');
    server = new Server({ interceptors: [createServerInterceptor(options)], 'grpc.max_receive_message_length': -1 });
    addFaultlineService(server, definition, implementation, options);
  } else {
    server = new Server();
    server.addService(definition, implementation);
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { server, port };
}

/**
 * Express 5: the default final handler in production (it logs `err.stack` with console.error), the
 * seed's handler (`console.error(err.stack)`, `x-request-id` trusted as given or `N/A`), and
 * Faultline with its reporter writing to a file.
 */
async function serveExpress(mode: ServerMode): Promise<number> {
  if (mode === 'express-default-production') process.env.NODE_ENV = 'production';
  const { default: express } = await import('express');
  const { faultline } = await import('@faultline/express');
  const { createReporter } = await import('@faultline/core');
  const app = express();
  const fl =
    mode === 'express-faultline-file'
      ? faultline({
          reporter: createReporter({
            destination: join(mkdtempSync(join(tmpdir(), 'faultline-express-')), 'faults.log'),
          }),
        })
      : mode === 'express-faultline-error'
        ? faultline({ reporter: false })
        : undefined;
  if (fl !== undefined) app.use(fl.requestId);
  app.get('/fail', async () => {
    throw pgError();
  });
  if (fl !== undefined) {
    app.use(fl.notFound);
    app.use(fl.errorHandler);
  } else if (mode === 'express-floor-error') {
    app.disable('x-powered-by');
    app.use(await expressFloor());
  } else if (mode === 'express-seed-console') {
    app.use(
      (
        err: Error,
        req: { headers: Record<string, unknown> },
        res: { status(n: number): { json(b: unknown): void } },
        _next: unknown,
      ) => {
        console.error(err.stack);
        res.status(500).json({ error: 'Internal Server Error', requestId: req.headers['x-request-id'] ?? 'N/A' });
      },
    );
  }
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

/**
 * The Express floor: stock Express sending Faultline's exact answer (status, headers, body with a
 * fresh UUID spliced in) by hand from an error middleware; `x-powered-by` off as Faultline does.
 */
export async function expressFloor(): Promise<(err: unknown, req: unknown, res: RawResponse, next: unknown) => void> {
  const { capture, problemHeaders, renderBody, resolveResponder } = await import('@faultline/core/adapter');
  const { randomUUID } = await import('node:crypto');
  const sample = capture(pgError());
  const [before, after] = renderBody(sample, 'problem', undefined).split(sample.id);
  const headers = problemHeaders(sample, 'problem', resolveResponder({}, undefined));
  return (_err, _req, res, _next) => {
    const id = randomUUID();
    const body = `${before}${id}${after}`;
    res.writeHead(sample.status, {
      ...headers,
      'x-request-id': id,
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(body);
  };
}
/** What {@link expressFloor}'s middleware writes to. */
type RawResponse = { writeHead(status: number, headers: Record<string, string>): void; end(body: string): void };

/** Starts `mode` and serves the parent (see {@link answerParent}). */
export async function serve(mode: ServerMode): Promise<void> {
  const port = mode.startsWith('grpc')
    ? await serveGrpc(mode)
    : mode.startsWith('express')
      ? await serveExpress(mode)
      : await serveHttp(mode as HttpMode);
  answerParent(port);
}
