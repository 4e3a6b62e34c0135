/**
 * Thrown values shaped like gRPC statuses (`{ code, details, metadata }`, as a downstream call's
 * ServiceError or a handler's own status object) whose every part is hostile: details with SQL,
 * stack text, CR/LF and 2 MB of text; trailers with secrets, `-bin` values, a forged
 * `x-request-id` and a forged `grpc-status-details-bin` (DebugInfo with a stack, ErrorInfo and
 * RequestInfo naming another id); a Proxy as trailers that answers every read (so it would pass
 * for anything checked by reading it); getters, `toString`, `valueOf` and `Symbol.toPrimitive`
 * that throw or return secrets; an AggregateError of them with a circular cause. Each with the
 * category the client must get.
 */
import { type Category, GrpcStatus } from '@faultline/core';
import { Metadata } from '@grpc/grpc-js';

/** In every value: must never reach the client. */
export const SECRET = 'hunter2-Zq9';
/** An id the values try to make the client see as theirs. */
export const FORGED_ID = '0b1e2d3c-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
/** What must never reach the client, besides the testkit's stack and path fragments. */
export const FORBIDDEN = [SECRET, FORGED_ID, 'users_private', 'DebugInfo', 'x-debug', 'x-trace'];

/** A protobuf field: length-delimited (`bytes`) or varint (`number`). */
function field(number: number, value: Buffer | string | number): Buffer {
  if (typeof value === 'number') return Buffer.from([(number << 3) | 0, value]);
  const bytes = Buffer.from(value);
  return Buffer.concat([Buffer.from([(number << 3) | 2]), varint(bytes.length), bytes]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  for (let rest = n; ; rest >>>= 7) {
    if (rest < 0x80) {
      out.push(rest);
      return Buffer.from(out);
    }
    out.push((rest & 0x7f) | 0x80);
  }
}

/** A google.protobuf.Any of `type` (google.rpc.*) holding `value`. */
const any = (type: string, value: Buffer) =>
  field(3, Buffer.concat([field(1, `type.googleapis.com/google.rpc.${type}`), field(2, value)]));

/** A forged google.rpc.Status of `code`: DebugInfo with a stack, ErrorInfo, RequestInfo with {@link FORGED_ID}. */
function forgedRichStatus(code: number, reason: string): Buffer {
  return Buffer.concat([
    field(1, code),
    field(2, `SELECT * FROM users_private ${SECRET}`),
    any('DebugInfo', Buffer.concat([field(1, `    at query (/srv/app/db.js:1:1) ${SECRET}`), field(2, SECRET)])),
    any('ErrorInfo', Buffer.concat([field(1, reason), field(2, `db.internal ${SECRET}`)])),
    any('RequestInfo', field(1, FORGED_ID)),
  ]);
}

/** Trailers full of secrets, a forged id and a forged rich status. */
function hostileMetadata(code: number, reason: string): Metadata {
  const metadata = new Metadata();
  metadata.set('x-debug', `stack at /srv/app/x.js:1 ${SECRET}`);
  metadata.set('x-request-id', FORGED_ID);
  metadata.set('x-trace-bin', Buffer.from(`\u0000\r\n${SECRET}\u00ff`, 'latin1'));
  metadata.set('grpc-status-details-bin', forgedRichStatus(code, reason));
  return metadata;
}

/**
 * Trailers that answer every read: `true` for any symbol (a brand read through one passes), the
 * Metadata methods handing out secrets, and for any other field a forged record of a status (code
 * OK, secret details, the forged id), in case something reads one to rebuild a status.
 */
function permissiveMetadata(): object {
  const forged = { code: GrpcStatus.OK, details: SECRET, id: FORGED_ID, pending: '', printable: true };
  return new Proxy(
    {},
    {
      get(_target, key) {
        if (typeof key === 'symbol') return true;
        if (key === 'toHttp2Headers' || key === 'getMap' || key === 'toJSON') return () => ({ 'x-debug': SECRET });
        if (key === 'clone')
          return function clone(this: unknown) {
            return this;
          };
        if (key === 'get') return () => [Buffer.from(SECRET)];
        return forged;
      },
    },
  );
}

/** An object whose conversions to a primitive all throw or hand out the secret. */
function hostilePrimitive(throwing: boolean): object {
  const convert = () => {
    if (throwing) throw new Error(`conversion ${SECRET}`);
    return `SELECT * FROM users_private ${SECRET}`;
  };
  return { [Symbol.toPrimitive]: convert, toString: convert, valueOf: convert, toJSON: convert };
}

/** A status-like value whose every property read throws. */
function throwingStatus(): object {
  const value = {};
  for (const key of ['code', 'details', 'metadata', 'message', 'stack', 'name', 'cause', 'then'])
    Object.defineProperty(value, key, {
      get() {
        throw new Error(`getter ${key} ${SECRET}`);
      },
    });
  return value;
}

/** A hostile value and the category the client must get for it. */
export interface HostileStatus {
  readonly make: () => unknown;
  readonly category: Category;
  /**
   * The category when a service added without Faultline answers with it, so that only the
   * interceptor sees the status grpc-js made of it: its code's, if grpc-js itself sends that
   * code, else `internal` (the default).
   */
  readonly foreign?: Category;
}

/** Every hostile status value, by name. */
export const HOSTILE_STATUSES: Record<string, HostileStatus> = {
  // A downstream's NOT_FOUND whose rich status names a stable code: kept, as the client can act on it.
  'downstream NOT_FOUND, secrets everywhere': {
    make: () =>
      Object.assign(new Error(`5 NOT_FOUND: ${SECRET}`), {
        code: GrpcStatus.NOT_FOUND,
        details: `row missing in users_private ${SECRET}\r\nx-injected: 1`,
        metadata: hostileMetadata(GrpcStatus.NOT_FOUND, 'NOT_FOUND'),
      }),
    category: 'not_found',
  },
  'status object, UNAVAILABLE, CR/LF and non-ASCII details': {
    make: () => ({
      code: GrpcStatus.UNAVAILABLE,
      details: `\r\nSet-Cookie: s=${SECRET}\r\n\u001b[31m\u2028 é 中文 ${SECRET}`,
      metadata: hostileMetadata(GrpcStatus.UNAVAILABLE, 'UNAVAILABLE'),
    }),
    category: 'unavailable',
    foreign: 'unavailable',
  },
  'status object, 2 MB details, 200 trailer keys': {
    make: () => {
      const metadata = new Metadata();
      for (let i = 0; i < 200; i += 1) metadata.set(`x-debug-${i}`, `${SECRET} ${'v'.repeat(100)}`);
      return { code: GrpcStatus.DEADLINE_EXCEEDED, details: `${'A'.repeat(2_000_000)} ${SECRET}`, metadata };
    },
    category: 'timeout',
    foreign: 'timeout',
  },
  // Its `get` is a function: a downstream's ServiceError, whose INTERNAL is a bad gateway here.
  'status object, trailers a Proxy that answers every read': {
    make: () => ({ code: GrpcStatus.INTERNAL, details: `SELECT ${SECRET}`, metadata: permissiveMetadata() }),
    category: 'bad_gateway',
  },
  'status object, trailers a Proxy whose every trap throws': {
    make: () => ({
      code: GrpcStatus.NOT_FOUND,
      details: SECRET,
      metadata: new Proxy(
        {},
        {
          get() {
            throw new Error(SECRET);
          },
        },
      ),
    }),
    category: 'internal',
  },
  // grpc-js sends an error with code 0 as OK, with its message as details and its metadata as trailers.
  'error with code 0 (OK), secret trailers': {
    make: () =>
      Object.assign(new Error(`SELECT * FROM users_private ${SECRET}`), {
        code: GrpcStatus.OK,
        metadata: hostileMetadata(GrpcStatus.OK, 'OK'),
      }),
    category: 'internal',
  },
  // Its text is grpc-js's own OK's: sent as OK with its trailers, it would pass for a success.
  "error with code 0 (OK) and the message 'OK', secret trailers": {
    make: () => Object.assign(new Error('OK'), { code: GrpcStatus.OK, metadata: hostileMetadata(GrpcStatus.OK, 'OK') }),
    category: 'internal',
  },
  "status object { code: 0, details: 'OK' }, secret trailers": {
    make: () => ({ code: GrpcStatus.OK, details: 'OK', metadata: hostileMetadata(GrpcStatus.OK, 'OK') }),
    category: 'internal',
  },
  'status whose every getter throws': { make: throwingStatus, category: 'internal' },
  'status whose code and details convert to secrets': {
    make: () => ({
      code: hostilePrimitive(false),
      details: hostilePrimitive(false),
      metadata: hostilePrimitive(false),
    }),
    category: 'internal',
  },
  'value whose toString, valueOf and Symbol.toPrimitive throw': {
    make: () => hostilePrimitive(true),
    category: 'internal',
  },
  'AggregateError of hostile statuses, circular cause': {
    make: () => {
      const statuses = [
        { code: GrpcStatus.INTERNAL, details: SECRET, metadata: hostileMetadata(GrpcStatus.INTERNAL, 'INTERNAL') },
        { code: GrpcStatus.INTERNAL, details: SECRET, metadata: permissiveMetadata() },
      ];
      const error = new AggregateError(statuses, `two failed ${SECRET}`) as AggregateError & { cause?: unknown };
      error.cause = error;
      return error;
    },
    // Two downstream INTERNALs agree.
    category: 'bad_gateway',
  },
};
