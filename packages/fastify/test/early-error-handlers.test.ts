/**
 * Error handlers of the application's own on routes registered before the plugin
 * (early-error-handlers.ts): a route's `errorHandler`, and a `setErrorHandler` of a scope loaded
 * before the plugin. They stay the application's, but, unguarded, a thrown string they rethrew
 * or handed back with `reply.send(error)` went out as a 200 payload with the secret in it, and no
 * warning named them. Now the string is Faultline's 500, the routes are named in the bypass
 * warning with those registered after the plugin, and `strictErrorHandlers` fails `ready`. Real
 * server on 127.0.0.1, undici fetch.
 */
import Fastify, { type FastifyInstance, type RawServerDefault } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { expectNoSecrets } from './helpers.js';

const SECRET = 'secret postgres://u:p@10.0.0.1/db';
const LEAKS = [SECRET, 'postgres', '10.0.0.1'];

describe('own error handlers of routes registered before the plugin', () => {
  const warnings: Error[] = [];
  const collect = (warning: Error) => {
    if ((warning as { code?: string }).code === 'FAULTLINE_ERROR_HANDLER_BYPASS') warnings.push(warning);
  };
  let app: FastifyInstance;
  let base = '';

  beforeAll(async () => {
    process.on('warning', collect);
    app = Fastify(faultlineServerOptions<RawServerDefault>()) as unknown as FastifyInstance;
    const fail = () => {
      throw SECRET;
    };
    // The application's handler answers: kept, named in the warning.
    app.get('/own/answer', { errorHandler: (_e, _q, reply) => reply.code(503).send({ mine: true }) }, fail);
    // Handed back as Fastify would take a thrown string: a 200 payload before.
    app.get(
      '/own/rethrow',
      {
        errorHandler: (error) => {
          throw error;
        },
      },
      fail,
    );
    app.get('/own/send-back', { errorHandler: (error, _q, reply) => reply.send(error) }, fail);
    app.register(
      async (child) => {
        child.setErrorHandler((error) => {
          throw error;
        });
        child.get('/scoped', fail);
      },
      { prefix: '/v1' },
    );
    await app.register(faultline, { reporter: false });
    app.get('/late', { errorHandler: (_e, _q, reply) => reply.code(503).send({ mine: true }) }, fail);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  });

  const get = async (url: string) => {
    const response = await fetch(`${base}${url}`, { signal: AbortSignal.timeout(5000) });
    return { status: response.status, text: await response.text() };
  };

  afterAll(async () => {
    process.off('warning', collect);
    await app.close();
  });

  it('keeps the application’s own answer', async () => {
    const { status, text } = await get('/own/answer');
    expect([status, JSON.parse(text)]).toEqual([503, { mine: true }]);
  });

  it.each(['/own/rethrow', '/own/send-back', '/v1/scoped'])(
    'answers %s through Faultline when the handler hands a thrown string back, never as a 200 payload',
    async (url) => {
      const { status, text } = await get(url);
      expectNoSecrets(text, LEAKS);
      expect([status, (JSON.parse(text) as { code?: string }).code]).toEqual([500, 'INTERNAL']);
    },
  );

  it('names those routes in one bypass warning, with the late one', () => {
    expect(warnings).toHaveLength(1);
    const message = warnings[0]?.message ?? '';
    for (const route of ['GET /own/answer', 'HEAD /own/rethrow', 'GET, HEAD /v1/scoped', 'GET /late']) {
      expect(message).toContain(route);
    }
  });

  it('refuses them under strictErrorHandlers: ready fails, naming the route', async () => {
    const strict = Fastify(faultlineServerOptions<RawServerDefault>());
    strict.get('/own', { errorHandler: (_e, _q, reply) => reply.send({ mine: true }) }, () => 'ok');
    await strict.register(faultline, { reporter: false, strictErrorHandlers: true });
    await expect(strict.ready()).rejects.toThrow(
      /strictErrorHandlers refuses the error handler of route GET \/own \(registered before the plugin\)/,
    );
    await strict.close();
  });
});
