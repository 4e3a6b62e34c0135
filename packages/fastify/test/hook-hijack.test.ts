/**
 * Hooks that call `reply.hijack()` and then fail: Fastify drops the failure of an `onRequest`,
 * `preParsing`, `preValidation` or `preHandler` hook on a hijacked reply (its runner's callback
 * returns on `reply.sent`), so the client waited forever and nothing was recorded; an `onSend`,
 * `preSerialization` or `onError` hook's failure reached Faultline's handler, which destroyed the
 * socket although no byte had left. Every kind, every form (a synchronous throw, a rejection
 * before and after an await, `done(error)` now and later), added with `addHook` after the plugin
 * and as a route's own: answered on the raw response with the id in header and body, recorded
 * once under it, and the server keeps serving. Real server on 127.0.0.1, undici fetch.
 */
import { createReporter } from '@faultline/core';
import { memoryLog, recordFor, until } from '@faultline/testkit';
import Fastify, { type FastifyInstance, type FastifyReply, type RawServerDefault } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { expectNoSecrets } from './helpers.js';

const SECRET = 'postgres://app:hunter2@10.0.4.12/shop';

/** Thrown values: an error, a string, and a Proxy that throws on every trap. */
const THROWN: Record<string, () => unknown> = {
  error: () => new Error(`hook secret ${SECRET}`),
  string: () => `hook secret ${SECRET}`,
  proxy: () =>
    new Proxy(
      {},
      {
        get() {
          throw new Error(`trap ${SECRET}`);
        },
        getPrototypeOf() {
          throw new Error(`trap ${SECRET}`);
        },
      },
    ),
};

/** Where `done` sits in each hook kind's arguments. */
const DONE_AT: Record<string, number> = {
  onRequest: 2,
  preParsing: 3,
  preValidation: 2,
  preHandler: 2,
  preSerialization: 3,
  onSend: 3,
  onError: 3,
};
const KINDS = Object.keys(DONE_AT);
const FORMS = ['sync', 'async-now', 'async-later', 'done-now', 'done-later'] as const;
type Form = (typeof FORMS)[number];

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

/** A hook of `kind` that hijacks, then fails with `thrown()` in `form`. */
function failingHook(kind: string, form: Form, thrown: () => unknown): (...args: unknown[]) => unknown {
  const doneAt = DONE_AT[kind] as number;
  const hijack = (args: unknown[]) => (args[1] as FastifyReply).hijack();
  switch (form) {
    case 'sync':
      return (...args: unknown[]) => {
        hijack(args);
        throw thrown();
      };
    case 'async-now':
      return async (_request: unknown, reply: unknown) => {
        (reply as FastifyReply).hijack();
        throw thrown();
      };
    case 'async-later':
      return async (_request: unknown, reply: unknown) => {
        await tick();
        (reply as FastifyReply).hijack();
        await tick();
        throw thrown();
      };
    case 'done-now':
      return fixedArity(doneAt + 1, (args) => {
        hijack(args);
        (args[doneAt] as (e: unknown) => void)(thrown());
      });
    case 'done-later':
      return fixedArity(doneAt + 1, (args) => {
        setTimeout(() => {
          hijack(args);
          (args[doneAt] as (e: unknown) => void)(thrown());
        }, 2);
      });
  }
}

/** A callback hook declaring `arity` parameters (Fastify passes `done` either way). */
function fixedArity(arity: number, body: (args: unknown[]) => void): (...args: unknown[]) => unknown {
  const hook = (...args: unknown[]) => {
    body(args);
  };
  Object.defineProperty(hook, 'length', { value: arity });
  return hook;
}

/** The route under each hook: onError needs a failing handler, preSerialization an object. */
function handlerFor(kind: string) {
  return kind === 'onError'
    ? () => {
        throw new Error(`handler secret ${SECRET}`);
      }
    : () => ({ ok: true });
}

const cases = KINDS.flatMap((kind) =>
  FORMS.flatMap((form) => Object.keys(THROWN).map((name) => [kind, form, name] as const)),
);

describe.each([
  ['addHook after the plugin', 'scope'],
  ["a route's own hook", 'route'],
])('a hook failing after reply.hijack(), as %s', (_label, where) => {
  const log = memoryLog();
  let app: FastifyInstance;
  let base = '';

  beforeAll(async () => {
    app = Fastify(faultlineServerOptions<RawServerDefault>());
    await app.register(faultline, {
      reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }),
    });
    for (const [kind, form, name] of cases) {
      const hook = failingHook(kind, form, THROWN[name] as () => unknown);
      const path = `/${kind}/${form}/${name}`;
      if (where === 'route') {
        app.get(path, { [kind]: hook }, handlerFor(kind));
      } else {
        await app.register(async (scope) => {
          scope.addHook(kind as 'onRequest', hook as never);
          scope.get(path, handlerFor(kind));
        });
      }
    }
    app.get('/health', () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  it.each(cases)('%s, %s, %s: answered, recorded once under the id sent', async (kind, form, name) => {
    const path = `/${kind}/${form}/${name}`;
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(3000) });
    const text = await response.text();
    const headers = JSON.stringify([...response.headers]);
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body.code).toBe('INTERNAL');
    expect(body.request_id).toBe(response.headers.get('x-request-id'));
    expectNoSecrets(`${text}\n${headers}`, ['hunter2', 'trap', '10.0.4.12']);
    // onError: the handler's error, and the hook's own failure (late-hooks.ts) under the same id.
    const expected = kind === 'onError' ? 2 : 1;
    await until(() => log.records.filter((r) => r.request_id === body.request_id).length >= expected);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log.records.filter((r) => r.request_id === body.request_id)).toHaveLength(expected);
    expect(recordFor(log.records, body.request_id)).toMatchObject({ code: 'INTERNAL', method: 'GET' });
  });

  it('still serves', async () => {
    const response = await fetch(`${base}/health`, { signal: AbortSignal.timeout(3000) });
    expect(response.status).toBe(200);
  });
});
