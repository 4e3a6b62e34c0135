/**
 * Thrown values the corpus and `hostile-statuses.ts` leave out, each with the category the client
 * must get: objects whose `code` looks like a gRPC status but is not one (`{ code: 5 }` alone,
 * `99`, `'5'`, `-1`, `5.5`, `5n`, a getter that changes between reads), `details` and `metadata`
 * that are not what they seem (a string, a revoked Proxy, a `Metadata` subclass whose every
 * reader leaks), frozen and null-prototype values, `message`/`stack`/`code` that are not strings
 * or are huge, a thrown Promise (rejected, or never settling), a function carrying a status.
 * Every one holds {@link SECRET} somewhere a careless reader would copy it from.
 */
import { type Category, GrpcStatus } from '@faultline/core';
import { Metadata } from '@grpc/grpc-js';

/** In every value: must never reach the client. */
export const SECRET = 'hunter2-Vx7';
/** An id the values try to make the client see as theirs. */
export const FORGED_ID = '7c3e1f2a-9b4d-4e5f-8a6b-1c2d3e4f5a6b';
/** What must never reach the client, besides the testkit's stack and path fragments. */
export const FORBIDDEN = [SECRET, FORGED_ID, 'users_private', 'x-debug'];

/** Trailers an application set itself: a forged id, a debug trailer, a rich status that is not one. */
function appMetadata(): Metadata {
  const metadata = new Metadata();
  metadata.set('x-request-id', FORGED_ID);
  metadata.set('x-debug', `SELECT * FROM users_private ${SECRET}`);
  metadata.set('grpc-status-details-bin', Buffer.from(`not protobuf ${SECRET} ${FORGED_ID}`));
  return metadata;
}

/** A real `Metadata` (it passes `instanceof`) whose every reader hands out the secret. */
class LeakyMetadata extends Metadata {
  override get(): never[] {
    return [`x-request-id: ${FORGED_ID} ${SECRET}`] as never[];
  }
  override getMap(): Record<string, string> {
    return { 'x-request-id': FORGED_ID, 'x-debug': SECRET };
  }
  override toJSON(): Record<string, string[]> {
    return { 'x-debug': [SECRET] };
  }
  override clone(): Metadata {
    return this;
  }
}

/** A status-shaped object with `code`, the secret in its details, and trailers the app set. */
const withCode = (code: unknown, metadata: unknown = appMetadata()) => ({
  code,
  details: `SELECT * FROM users_private ${SECRET}`,
  metadata,
  message: `at /srv/app/db.js:1 ${SECRET}`,
});

/** An object whose conversions to a primitive throw errors carrying the secret. */
const throwingPrimitive = () => {
  const convert = () => {
    throw new Error(`convert ${SECRET}`);
  };
  return { [Symbol.toPrimitive]: convert, toString: convert, valueOf: convert };
};

/** A hostile thrown value and the category the client must get for it. */
export interface HostileThrown {
  readonly make: () => unknown;
  readonly category: Category;
  /**
   * The category when a service added without Faultline answers with it, so that only the
   * interceptor sees the status grpc-js made of it (the value's integer `code`): that code's, if
   * grpc-js itself sends it, else `internal` (the default).
   */
  readonly foreign?: Category;
}

const internal = (make: () => unknown): HostileThrown => ({ make, category: 'internal' });

/** Every value, by name. */
export const HOSTILE_THROWN: Record<string, HostileThrown> = {
  '{ code: 5 } alone': internal(() => ({ code: GrpcStatus.NOT_FOUND })),
  '{ code: 5, details } without metadata': internal(() => ({ code: 5, details: SECRET })),
  '{ code: 99, details, metadata }': internal(() => withCode(99)),
  "{ code: '5', details, metadata }": internal(() => withCode('5')),
  '{ code: -1, details, metadata }': internal(() => withCode(-1)),
  '{ code: 5.5, details, metadata }': internal(() => withCode(5.5)),
  '{ code: 5n, details, metadata }': internal(() => withCode(5n)),
  '{ code: NaN, details, metadata }': internal(() => withCode(Number.NaN)),
  '{ code: an object that converts to 5 }': internal(() => withCode({ valueOf: () => 5, toString: () => '5' })),
  // A downstream's NOT_FOUND (code 5, string details, trailers with `get`): the trailers it carries stay behind.
  '{ code: 5, details, metadata: app-set id and rich status }': {
    make: () => withCode(5),
    category: 'not_found',
  },
  '{ code: 14, metadata: a Metadata subclass whose readers leak }': {
    make: () => withCode(GrpcStatus.UNAVAILABLE, new LeakyMetadata()),
    category: 'unavailable',
    foreign: 'unavailable',
  },
  '{ code: 5, metadata: a string }': internal(() => withCode(5, `x-request-id: ${FORGED_ID} ${SECRET}`)),
  // A ServiceError's shape (its trailers have a `get`): a downstream's NOT_FOUND, read without them.
  '{ code: 5, metadata: { get } that throws }': {
    make: () =>
      withCode(5, {
        get() {
          throw new Error(SECRET);
        },
      }),
    category: 'not_found',
  },
  '{ code: 5, metadata: a revoked Proxy }': internal(() => {
    const { proxy, revoke } = Proxy.revocable(new Metadata(), {});
    revoke();
    return withCode(5, proxy);
  }),
  'code a getter: 5, then 0, then throws': {
    make: () => {
      let reads = 0;
      const value = withCode(5);
      Object.defineProperty(value, 'code', {
        get() {
          reads += 1;
          if (reads === 1) return 5;
          if (reads === 2) return 0;
          throw new Error(`code ${SECRET}`);
        },
      });
      return value;
    },
    // Read once by the classifier (5: a downstream's NOT_FOUND); any later read must not matter.
    category: 'not_found',
  },
  'frozen Error, code 5, details, metadata': {
    make: () => Object.freeze(Object.assign(new Error(SECRET), withCode(5))),
    category: 'not_found',
  },
  'frozen status object with frozen trailers': {
    make: () => Object.freeze(withCode(GrpcStatus.UNAVAILABLE, Object.freeze(appMetadata()))),
    category: 'unavailable',
    foreign: 'unavailable',
  },
  'null-prototype status object': {
    make: () => Object.assign(Object.create(null) as object, withCode(GrpcStatus.DEADLINE_EXCEEDED)),
    category: 'timeout',
    foreign: 'timeout',
  },
  'function carrying a status': {
    make: () => Object.assign(() => SECRET, withCode(GrpcStatus.UNAVAILABLE)),
    category: 'unavailable',
    foreign: 'unavailable',
  },
  // Not `new Error()`: V8 formats its stack (reading `message`) when `stack` is redefined.
  'Error: message a Symbol, stack a number, code an object': internal(() =>
    Object.defineProperties(Object.create(Error.prototype) as Error, {
      message: { value: Symbol(SECRET) },
      stack: { value: 42 },
      code: { value: throwingPrimitive() },
    }),
  ),
  'Error: message, stack and code 2 MB strings': internal(() =>
    Object.defineProperties(Object.create(Error.prototype) as Error, {
      message: { value: `${'m'.repeat(2_000_000)} ${SECRET}` },
      stack: { value: `${'    at x (/srv/app/y.js:1:1)\n'.repeat(70_000)} ${SECRET}` },
      code: { value: `${'E'.repeat(2_000_000)} ${SECRET}` },
    }),
  ),
  'Error: message an object whose conversions throw, details a Proxy': internal(() =>
    Object.assign(new Error(), {
      message: throwingPrimitive(),
      details: new Proxy(
        {},
        {
          get() {
            throw new Error(SECRET);
          },
        },
      ),
    }),
  ),
  'thrown rejected Promise (handled)': internal(() => {
    const promise = Promise.reject(new Error(`rejected ${SECRET}`));
    promise.catch(() => undefined);
    return promise;
  }),
  'thrown Promise that never settles': internal(() => new Promise(() => undefined)),
  'thrown Promise resolving to a status': internal(() => Promise.resolve(withCode(5))),
  'thrown BigInt': internal(() => 2n ** 80n),
  'thrown Symbol with a status description': internal(() => Symbol(`5 NOT_FOUND ${SECRET}`)),
  'Error with a cause cycle through a status': {
    make: () => {
      const error = new Error(`outer ${SECRET}`) as Error & { cause?: unknown };
      const status = { ...withCode(GrpcStatus.INTERNAL), cause: error };
      error.cause = status;
      return error;
    },
    // The status in its cause chain: a downstream's INTERNAL, a bad gateway here.
    category: 'bad_gateway',
  },
};
