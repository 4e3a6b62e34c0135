/**
 * The Fastify servers `bench:express-instructions` counts when given a `fastify-` mode (the same
 * windows and counts as its Express modes): the Faultline plugin on a Fastify 5 server, a success
 * route answering a small object and an error route throwing a pg unique violation (409). In
 * `fastify-sync` both handlers are plain functions; in `fastify-async` both are async functions
 * (what a handler that awaits returns: a promise); `fastify-async-logger` is `fastify-async` with
 * `logger: true` (pino, writing to /dev/null asynchronously), where Fastify makes a child logger
 * per request; `fastify-sync-reporter` is `fastify-sync` with the reporter writing every fault to
 * a file (what the reporter costs a storm's repeats, against `fastify-sync`). Run as `node dist/fastify-servers.js serve <mode>` by the bench.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReporter } from '@faultline/core';
import { answerParent } from './child-server.js';
import { pgError } from './pg-error.js';

/** Every Fastify server mode. */
export const FASTIFY_MODES = [
  'fastify-sync',
  'fastify-sync-reporter',
  'fastify-async',
  'fastify-async-logger',
] as const;
/** A Fastify server mode. */
export type FastifyMode = (typeof FASTIFY_MODES)[number];

/** The body of every success answer. */
const ORDER = { id: 1, reference: 'A-1' };

async function serve(mode: FastifyMode): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { default: pino } = await import('pino');
  const { faultline, faultlineServerOptions } = await import('@faultline/fastify');
  const logger =
    mode === 'fastify-async-logger'
      ? { loggerInstance: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })) }
      : { logger: false };
  const app = Fastify({ ...faultlineServerOptions(), ...logger } as Parameters<typeof Fastify>[0]);
  const reporter =
    mode === 'fastify-sync-reporter'
      ? createReporter({ destination: join(mkdtempSync(join(tmpdir(), 'faultline-bench-')), 'faults.log') })
      : false;
  await app.register(faultline, { reporter });
  if (mode === 'fastify-sync' || mode === 'fastify-sync-reporter') {
    app.get('/ok', () => ORDER);
    app.get('/fail', () => {
      throw pgError();
    });
  } else {
    app.get('/ok', async () => ORDER);
    app.get('/fail', async () => {
      throw pgError();
    });
  }
  const port = await new Promise<number>((resolve, reject) => {
    app.listen({ port: 0, host: '127.0.0.1' }, (error) => {
      if (error) reject(error);
      else resolve((app.server.address() as { port: number }).port);
    });
  });
  answerParent(port);
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as FastifyMode);
