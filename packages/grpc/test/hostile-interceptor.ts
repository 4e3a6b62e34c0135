/**
 * An interceptor of the application's that fails where and how a plan says, for the interceptor
 * suites: it throws, or (an `async` hook or listener) returns a rejected promise, with hostile
 * values (an Error with a secret message, a string, null, undefined, an object whose every getter
 * throws, a Proxy whose traps throw, a gRPC-shaped `{ code: 'abc' }`, huge details); succeeding
 * handlers of every method kind; and one call of a kind that resolves with its final status.
 */
import { Metadata, ServerInterceptingCall, type ServerInterceptor, type ServiceError } from '@grpc/grpc-js';
import { method } from './fixtures.js';

export const SECRET = 'hunter2-interceptor /srv/app/auth.js:12';
/** What no client may read, whatever the value. */
export const FORBIDDEN = [SECRET, 'hunter2', 'SELECT', 'xxxxxxxxxxxxxxxx'];

export type Kind = 'unary' | 'serverStream' | 'clientStream' | 'bidi';
export const KINDS: readonly Kind[] = ['unary', 'serverStream', 'clientStream', 'bidi'];

/** A service of every method kind under `prefix` (a `package.Service` name). */
export const kinds = (prefix: string) => ({
  unary: method(`/${prefix}/Unary`, false, false),
  serverStream: method(`/${prefix}/ServerStream`, false, true),
  clientStream: method(`/${prefix}/ClientStream`, true, false),
  bidi: method(`/${prefix}/Bidi`, true, true),
});

/** Thrown (or rejected) values, fresh per failure. */
export const VALUES: Record<string, () => unknown> = {
  error: () => new Error(`interceptor failed at ${SECRET}`),
  string: () => `thrown string ${SECRET}`,
  null: () => null,
  undefined: () => undefined,
  'throwing getters': () => {
    const hostile = {};
    for (const key of ['message', 'name', 'stack', 'code', 'details', 'metadata', 'cause', 'then'])
      Object.defineProperty(hostile, key, {
        enumerable: true,
        get() {
          throw new Error(`getter ${key} ${SECRET}`);
        },
      });
    return hostile;
  },
  'proxy whose traps throw': () => {
    const trap = () => {
      throw new Error(`trap ${SECRET}`);
    };
    return new Proxy({}, { get: trap, has: trap, ownKeys: trap, getPrototypeOf: trap, getOwnPropertyDescriptor: trap });
  },
  "{ code: 'abc' }": () => ({ code: 'abc', details: `SELECT * FROM users ${SECRET}` }),
  'huge details': () => ({ code: 0, details: `SELECT ${'x'.repeat(1 << 20)} ${SECRET}` }),
};

/** Where the interceptor throws, outside any listener. */
export const PLACES = [
  'interceptor',
  'async interceptor',
  'start',
  'sendMetadata',
  'sendMessage',
  'sendStatus',
] as const;
/** The listener events. */
export const LISTENER_PLACES = ['onReceiveMetadata', 'onReceiveMessage', 'onReceiveHalfClose'] as const;
/** Where an `async` hook or listener rejects: `async <hook>`. */
export const ASYNC_PLACES = ['start', 'sendMetadata', 'sendMessage', 'sendStatus', ...LISTENER_PLACES].map(
  (place) => `async ${place}`,
);

/** Where the application's interceptor fails, and with what: set before each call (the calls run one at a time). */
export const plan: { place: string; value: () => unknown } = { place: 'none', value: () => null };

/** Sets {@link plan}. */
export function failAt(place: string, value: () => unknown = () => null): void {
  plan.place = place;
  plan.value = value;
}

/** Throws `plan.value()` when `plan.place` is `here`. */
function at(here: string): void {
  if (plan.place === here) throw plan.value();
}

/**
 * The hook `body` for `here`: an `async` function that throws (without calling `next`) when the
 * plan is `async <here>`, else `body`, which throws first when the plan is `here`. Chosen as the
 * interceptor makes its call (one call at a time).
 */
function hook<A extends unknown[]>(here: string, body: (...args: A) => void): (...args: A) => unknown {
  if (plan.place === `async ${here}`)
    return async () => {
      throw plan.value();
    };
  return (...args: A) => {
    at(here);
    body(...args);
  };
}

/** The application's interceptor: fails at `plan.place` with `plan.value()`. */
export const hostile: ServerInterceptor = (_method, call) => {
  at('interceptor');
  if (plan.place === 'async interceptor') return Promise.reject(plan.value()) as unknown as ServerInterceptingCall;
  if (plan.place === 'proxy call') {
    const trap = () => {
      throw plan.value();
    };
    return new Proxy({}, { get: trap, getPrototypeOf: trap, has: trap }) as unknown as ServerInterceptingCall;
  }
  return new ServerInterceptingCall(call, {
    start: hook('start', (next) =>
      next({
        onReceiveMetadata: hook('onReceiveMetadata', (metadata, nextMetadata) => nextMetadata(metadata)),
        onReceiveMessage: hook('onReceiveMessage', (message, nextMessage) => nextMessage(message)),
        onReceiveHalfClose: hook('onReceiveHalfClose', (nextHalfClose) => nextHalfClose()),
        onCancel: hook('onCancel', () => undefined),
      }),
    ),
    sendMetadata: hook('sendMetadata', (metadata, next) => next(metadata)),
    sendMessage: hook('sendMessage', (message, next) => next(message)),
    sendStatus: hook('sendStatus', (status, next) => next(status)),
  });
};

type Call = { write(v: unknown): void; end(): void; on(e: string, f: (v?: unknown) => void): void };
/** Handlers that succeed: one message each, after the request (or the request stream's end). */
export const handlers = {
  unary: (_call: Call, callback: (e: null, v: unknown) => void) => callback(null, { ok: 1 }),
  serverStream: (call: Call) => {
    call.write({ ok: 1 });
    call.end();
  },
  clientStream: (call: Call, callback: (e: null, v: unknown) => void) => {
    call.on('data', () => undefined);
    call.on('end', () => callback(null, { ok: 1 }));
  },
  bidi: (call: Call) => {
    call.on('data', () => call.write({ ok: 1 }));
    call.on('end', () => call.end());
  },
};

/** A generic client of a {@link kinds} service. */
export type Client = Record<Kind, (...args: unknown[]) => unknown> & { close(): void };

/** One call of `kind`; resolves with its final status: undefined for OK, else the error. */
export function callKind(client: Client, kind: Kind): Promise<ServiceError | undefined> {
  const options = { deadline: Date.now() + 3000 };
  return new Promise((resolve) => {
    const done = (error: ServiceError | null) => resolve(error ?? undefined);
    if (kind === 'unary') return void client.unary({ n: 1 }, new Metadata(), options, done);
    if (kind === 'clientStream') {
      const stream = client.clientStream(new Metadata(), options, done) as Call;
      stream.write({ n: 1 });
      return stream.end();
    }
    const stream = (
      kind === 'serverStream'
        ? client.serverStream({ n: 1 }, new Metadata(), options)
        : client.bidi(new Metadata(), options)
    ) as Call;
    stream.on('data', () => undefined);
    stream.on('error', () => undefined);
    stream.on('status', (status) => {
      const s = status as { code: number };
      resolve(s.code === 0 ? undefined : (Object.assign(new Error(), status) as ServiceError));
    });
    if (kind === 'bidi') {
      stream.write({ n: 1 });
      stream.end();
    }
  });
}
