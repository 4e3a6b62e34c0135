/**
 * Options are checked when they are given, on every adapter: a wrong value throws at
 * registration or creation, naming the option, the value and what is allowed. And the ways an
 * application's own error handler can bypass Faultline are made visible (Fastify, Express).
 */
import { faultline as expressFaultline } from '@faultline/express';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import { createServerInterceptor, wrapService } from '@faultline/grpc';
import { createWsAdapter } from '@faultline/ws';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';

const BAD: [string, unknown, RegExp][] = [
  ['format', 'bogus', /option "format" is "bogus"; expected one of "problem", "envelope"/],
  ['concealForbidden', 'yes', /option "concealForbidden" is "yes"; expected true or false/],
  ['exposeTraceId', 1, /option "exposeTraceId" is 1; expected true or false/],
  ['reporter', {}, /option "reporter" is a value of type object; expected a Reporter/],
  ['classifiers', [() => 1], /option "classifiers"/],
  ['rateLimitRetryAfter', -1, /option "rateLimitRetryAfter" is -1; expected an integer from 1 to 86400/],
  ['unavailableRetryAfter', 1.5, /option "unavailableRetryAfter" is 1\.5/],
  ['wwwAuthenticate', 'Bearer\r\nX: 1', /option "wwwAuthenticate"/],
  ['fromat', 'problem', /option "fromat" is not an option/],
];
const COMMON = BAD.filter(([name]) => !['format', 'concealForbidden', 'exposeTraceId'].includes(name));

describe('Fastify checks its options at registration', () => {
  it.each([
    ...BAD,
    ['methodNotAllowed', 'no', /option "methodNotAllowed"/],
    ['trustedProxies', ['10.0.0.1'], /option "trustedProxies".*faultlineServerOptions/],
  ] as [string, unknown, RegExp][])('%s = %j', async (name, value, message) => {
    const app = Fastify();
    await expect(app.register(faultline, { [name]: value } as never).ready()).rejects.toThrow(message);
    await app.close();
  });

  it('checks the request-id options of faultlineServerOptions', () => {
    expect(() => faultlineServerOptions({ acceptIdVersions: [4, 12] })).toThrow(/acceptIdVersions.*12/);
    expect(() => faultlineServerOptions({ trustedProxies: ['not-an-ip'] })).toThrow(/trustedProxies.*not-an-ip/);
  });
});

describe('Express, gRPC and ws check theirs at creation', () => {
  it.each(BAD)('Express %s = %j', (name, value, message) => {
    expect(() => expressFaultline({ [name]: value } as never)).toThrow(message);
  });
  it.each([...COMMON, ['domain', 'a b', /option "domain" is "a b"/]] as [string, unknown, RegExp][])(
    'gRPC %s = %j',
    (name, value, message) => {
      expect(() => createServerInterceptor({ [name]: value } as never)).toThrow(message);
      expect(() => wrapService({}, {}, { [name]: value } as never)).toThrow(message);
    },
  );
  it.each([...COMMON, ['isFatal', true, /option "isFatal" is true; expected a function/]] as [
    string,
    unknown,
    RegExp,
  ][])('ws %s = %j', (name, value, message) => {
    expect(() => createWsAdapter({ [name]: value } as never)).toThrow(message);
  });
});

describe('error handlers that bypass Faultline', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('Fastify names the scopes and routes at start-up, or refuses them with strictErrorHandlers', async () => {
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const app = Fastify();
    await app.register(faultline, { reporter: false });
    app.get('/safe', async () => 'ok');
    await app.register(async (scope) => {
      scope.setErrorHandler((error, _request, reply) => reply.code(500).send({ message: (error as Error).message }));
      scope.get('/leaky', async () => {
        throw new Error('SELECT * FROM users');
      });
    });
    app.get('/own', { errorHandler: (_e, _r, reply) => reply.send('x') }, async () => 'ok');
    await app.ready();
    const bypass = warnings.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('error handler'));
    expect(bypass).toHaveLength(1);
    expect(bypass[0]).toContain('GET /leaky');
    expect(bypass[0]).toContain('GET /own');
    expect(bypass[0]).not.toContain('/safe');
    await app.close();

    const strict = Fastify();
    await strict.register(faultline, { reporter: false, strictErrorHandlers: true });
    await expect(
      strict.register(async (scope) => {
        scope.setErrorHandler(() => undefined);
      }),
    ).rejects.toThrow(/strictErrorHandlers refuses setErrorHandler/);
    await strict.close();
    const routeLevel = Fastify();
    await routeLevel.register(faultline, { reporter: false, strictErrorHandlers: true });
    expect(() =>
      routeLevel.get('/own', { errorHandler: (_e, _r, reply) => reply.send('x') }, async () => 'ok'),
    ).toThrow(/strictErrorHandlers refuses the errorHandler of route GET \/own/);
    await routeLevel.close();
  });

  it('Express warns once when error middleware stands before Faultline’s', async () => {
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const fl = expressFaultline({ reporter: false });
    const app = express();
    app.use(fl.requestId);
    app.get('/fail', () => {
      throw new Error('SELECT * FROM users');
    });
    app.use(function leakyHandler(
      error: Error,
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) {
      res.status(500).json({ message: error.message });
    });
    app.use(fl.errorHandler);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    await fetch(`http://127.0.0.1:${port}/fail`);
    await fetch(`http://127.0.0.1:${port}/fail`);
    server.close();
    const bypass = warnings.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('before fl.errorHandler'));
    expect(bypass).toHaveLength(1);
    expect(bypass[0]).toContain('leakyHandler()');
  });
});
