/**
 * The HTTP servers of the ratio table: stock Fastify (default handlers, or pino at info), Faultline
 * (with or without its reporter), and the floor, stock Fastify answering Faultline's exact bytes
 * by hand. Every error route throws the same pg-like error.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pgError } from './pg-error.js';

/** The HTTP server modes. */
export const HTTP_MODES = [
  'http-stock-success',
  'http-stock-error',
  'http-faultline-error',
  'http-floor-error',
  'http-stock-404',
  'http-faultline-404',
  'http-floor-404',
  'http-stock-pino-info',
  'http-faultline-reporter-file',
] as const;
/** An HTTP server mode. */
export type HttpMode = (typeof HTTP_MODES)[number];

type Handler = (request: FastifyRequest, reply: FastifyReply) => void;

/**
 * A handler sending what Faultline sends for `category` (status, the four headers, the problem
 * body with the request's id spliced in), built once from a sample fault: the cost of the answer's
 * shape (a UUID per request, a larger body, four headers) with no Faultline code per request.
 */
async function answerByHand(category: 'conflict' | 'not_found'): Promise<Handler> {
  const { capture, faultOf, problemHeaders, renderBody, resolveResponder } = await import('@faultline/core/adapter');
  const sample = category === 'conflict' ? capture(pgError()) : faultOf('not_found', { reason: 'no route' });
  const [before, after] = renderBody(sample, 'problem', undefined).split(sample.id);
  const headers = problemHeaders(sample, 'problem', resolveResponder({}, undefined));
  return (request, reply) => {
    reply
      .code(sample.status)
      .headers({ ...headers, 'x-request-id': request.id })
      .send(`${before}${request.id}${after}`);
  };
}

/** Starts the HTTP server of `mode` on 127.0.0.1 and returns its port. */
export async function serveHttp(mode: HttpMode): Promise<number> {
  const { default: Fastify } = await import('fastify');
  const { faultline, faultlineServerOptions } = await import('@faultline/fastify');
  const { createReporter } = await import('@faultline/core');
  const { pino } = await import('pino');
  const { randomUUID } = await import('node:crypto');
  const dir = mkdtempSync(join(tmpdir(), 'faultline-ratio-'));
  const faultlineMode = mode.startsWith('http-faultline');
  // Every branch is a plain HTTP/1.1 server; pino's logger type differs from FastifyBaseLogger.
  const options =
    mode === 'http-stock-pino-info'
      ? { loggerInstance: pino({ level: 'info' }, pino.destination({ dest: join(dir, 'stock.log'), sync: false })) }
      : faultlineMode
        ? { ...faultlineServerOptions(), logger: false }
        : mode.startsWith('http-floor')
          ? { logger: false, genReqId: () => randomUUID() }
          : { logger: false };
  const app = Fastify(options as object) as unknown as FastifyInstance;
  if (faultlineMode) {
    const reporter =
      mode === 'http-faultline-reporter-file' ? createReporter({ destination: join(dir, 'faults.log') }) : false;
    await app.register(faultline, { reporter });
  }
  if (mode === 'http-floor-error') {
    const handler = await answerByHand('conflict');
    app.setErrorHandler((_error, request, reply) => handler(request, reply));
  }
  if (mode === 'http-floor-404') app.setNotFoundHandler(await answerByHand('not_found'));
  app.get('/fail', async () => {
    throw pgError();
  });
  app.get('/ok', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}
