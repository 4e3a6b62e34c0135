/**
 * The Express 5 servers `express-instructions.ts` counts (`express-servers.js serve <mode>`), each
 * with a success route (`res.json` of a small object) and an error route (an async handler that
 * throws the benches' pg-like error), in two wirings:
 *
 * - `bench`: the wiring of `bench:ratios` (`fl.requestId`, the routes, `fl.notFound`,
 *   `fl.errorHandler`), routes `/ok` and `/fail`;
 * - `app`: a typical app of about eight layers ahead of its routes: `fl.requestId`, the JSON and
 *   URL-encoded body parsers, two no-op `app.use`, a route that does not match, and an
 *   `express.Router()` mounted at `/api` with its own no-op middleware, routes `/api/ok` and
 *   `/api/fail`; then `fl.notFound` and `fl.errorHandler`.
 *
 * `faultline-*` modes wire Faultline (`reporter: false`: the adapter's cost, not the reporter's);
 * `stock-*` modes are the same app without it, whose error middleware sends Faultline's exact
 * answer by hand (`expressFloor`, the floor of `bench:ratios`).
 */
import type { RequestHandler } from 'express';
import { answerParent } from './child-server.js';
import { pgError } from './pg-error.js';
import { expressFloor } from './ratio-servers.js';

/** Every server mode. */
export const EXPRESS_MODES = ['stock-bench', 'faultline-bench', 'stock-app', 'faultline-app'] as const;
/** A server mode. */
export type ExpressMode = (typeof EXPRESS_MODES)[number];

/** The success and error paths of `mode`'s wiring. */
export function expressPaths(mode: ExpressMode): { readonly ok: string; readonly fail: string } {
  return mode.endsWith('-app') ? { ok: '/api/ok', fail: '/api/fail' } : { ok: '/ok', fail: '/fail' };
}

/** The body of every success answer. */
const ORDER = { id: 1, reference: 'A-1' };

async function serve(mode: ExpressMode): Promise<void> {
  const { default: express } = await import('express');
  const { faultline } = await import('@faultline/express');
  const fl = mode.startsWith('faultline') ? faultline({ reporter: false }) : undefined;
  const app = express();
  if (fl === undefined) app.disable('x-powered-by');
  else app.use(fl.requestId);
  const ok: RequestHandler = (_req, res) => {
    res.json(ORDER);
  };
  const fail: RequestHandler = async () => {
    throw pgError();
  };
  if (mode.endsWith('-app')) {
    const noop: RequestHandler = (_req, _res, next) => next();
    app.use(express.json());
    app.use(express.urlencoded({ extended: false }));
    app.use(noop);
    app.use((_req, res, next) => {
      res.locals.started = 1;
      next();
    });
    app.get('/health', ok);
    const api = express.Router();
    api.use(noop);
    api.get('/ok', ok);
    api.get('/fail', fail);
    app.use('/api', api);
  } else {
    app.get('/ok', ok);
    app.get('/fail', fail);
  }
  if (fl !== undefined) {
    app.use(fl.notFound);
    app.use(fl.errorHandler);
  } else app.use(await expressFloor());
  const port = await new Promise<number>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  answerParent(port);
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as ExpressMode);
