/**
 * Node's own errors, as real services throw them: made by Node itself where that needs no
 * network beyond 127.0.0.1 (fs, child_process, zlib, OpenSSL, JSON.parse, structuredClone, URL,
 * header checks, node:sqlite where the Node has it, fetch to a closed local port, abort signals),
 * shaped exactly like Node's otherwise (dns and net errors naming internal hosts, `ERR_STRING_TOO_LONG`).
 * Their messages and own properties carry paths, hosts, addresses, SQL, argv and env values.
 * The red-team suites throw each through every failure style of every adapter.
 */
import { execSync, spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { REDACTABLE_SECRET } from './extreme-text.js';
import { errorLike, SECRET, thrownBy } from './types.js';

/** One Node error: a builder, the category a client whose request is still live gets, what the record keeps. */
export interface NativeValue {
  /** A fresh value each call (errors Node makes asynchronously: the one made by {@link prepareNativeValues}). */
  readonly make: () => unknown;
  /** The category every adapter answers while the client is still connected. */
  readonly category: string;
  /** Substrings the log record under the answer's id must keep (what an operator needs: code, syscall). */
  readonly keep: readonly string[];
}

/** What no client may read of a native value (besides the corpus's `ALWAYS_FORBIDDEN`). */
export const NATIVE_FORBIDDEN: readonly string[] = [
  SECRET,
  REDACTABLE_SECRET,
  'orders_private',
  'orders-db',
  '10.2.3.4',
  '127.0.0.1',
  '/opt/',
  '/etc/',
  'ENOENT',
  'ECONNREFUSED',
  'getaddrinfo',
  'spawn',
  'routines',
  'SQLITE',
  'JSON',
  'could not be cloned',
  'Command failed',
  'Node.js',
  'fetch failed',
];

const PATH = `/srv/orders_private/${SECRET}/secrets.json`;
const require = createRequire(import.meta.url);

/** A Node system error as `uv_exception` / `exceptionWithHostPort` / `dnsException` build it. */
function systemError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

/** `node:sqlite`'s error for SQL naming a missing table, or its exact shape on a Node without it. */
function sqliteError(): unknown {
  const sql = `SELECT * FROM orders_private WHERE pw = '${SECRET}'`;
  try {
    const { DatabaseSync } = require('node:sqlite') as {
      DatabaseSync: new (path: string) => { exec(sql: string): void; close(): void };
    };
    const db = new DatabaseSync(':memory:');
    const error = thrownBy(() => db.exec(sql));
    db.close();
    return Object.assign(error as object, { sql });
  } catch {
    return Object.assign(new Error('no such table: orders_private'), {
      code: 'ERR_SQLITE_ERROR',
      errcode: 1,
      errstr: 'SQL logic error',
      sql,
    });
  }
}

/** Values Node makes only asynchronously, made once by {@link prepareNativeValues}. */
const made: Record<string, unknown> = {};
const madeOnce = (name: string) => () => {
  if (!(name in made)) throw new Error(`prepareNativeValues() was not awaited (${name})`);
  return made[name];
};

/** A local TCP port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Makes the asynchronous native values (fetch, promisified fs, abort signals); call once before use. */
export async function prepareNativeValues(): Promise<void> {
  if ('fetch failed' in made) return;
  const port = await closedPort();
  made['fetch failed'] = await fetch(`http://127.0.0.1:${port}/orders_private?token=${SECRET}`).catch((e) => e);
  made['promisified fs.stat'] = await stat(PATH).catch((e) => e);
  const timeout = AbortSignal.timeout(1);
  await sleep(20);
  made['AbortSignal.timeout'] = timeout.reason;
  made['timers abort by timeout'] = await sleep(1_000, null, { signal: AbortSignal.timeout(1) }).catch((e) => e);
  made['Promise.any of ECONNREFUSED'] = await Promise.any([
    Promise.reject(NATIVE_SYNC['net ECONNREFUSED']?.make()),
    Promise.reject(NATIVE_SYNC['net ECONNREFUSED']?.make()),
  ]).catch((e) => e);
  made['Promise.any mixed'] = await Promise.any([
    Promise.reject(NATIVE_SYNC['fs ENOENT']?.make()),
    Promise.reject(NATIVE_SYNC['dns ENOTFOUND']?.make()),
  ]).catch((e) => e);
}

const internal = (make: () => unknown, keep: readonly string[] = []): NativeValue => ({
  make,
  category: 'internal',
  keep,
});

const NATIVE_SYNC: Readonly<Record<string, NativeValue>> = {
  'fs ENOENT': internal(() => thrownBy(() => readFileSync(PATH)), ['ENOENT', 'open']),
  'fs rename dest': internal(
    () => thrownBy(() => renameSync(PATH, `/etc/orders_private/${SECRET}`)),
    ['ENOENT', 'rename'],
  ),
  'dns ENOTFOUND': {
    make: () =>
      systemError('getaddrinfo ENOTFOUND orders-db-01.internal', {
        errno: -3008,
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname: 'orders-db-01.internal',
      }),
    category: 'unavailable',
    keep: ['ENOTFOUND', 'getaddrinfo'],
  },
  'net ECONNREFUSED': {
    make: () =>
      systemError('connect ECONNREFUSED 10.2.3.4:5432', {
        errno: -111,
        code: 'ECONNREFUSED',
        syscall: 'connect',
        address: '10.2.3.4',
        port: 5432,
      }),
    category: 'unavailable',
    keep: ['ECONNREFUSED', 'connect'],
  },
  'spawn ENOENT': internal(
    () => spawnSync('/opt/orders_private/tool', [`--password=${REDACTABLE_SECRET}`]).error,
    ['ENOENT', 'spawnSync'],
  ),
  'exec with env': internal(
    () =>
      thrownBy(() =>
        execSync('echo "orders_private PGPASSWORD=$PGPASSWORD" >&2; exit 3', {
          env: { PATH: process.env.PATH, PGPASSWORD: SECRET },
          stdio: 'pipe',
        }),
      ),
    ['Command failed'],
  ),
  'zlib Z_DATA_ERROR': internal(
    () => thrownBy(() => gunzipSync(Buffer.from(`orders_private ${SECRET}`))),
    ['Z_DATA_ERROR'],
  ),
  'crypto ERR_OSSL': internal(
    () => thrownBy(() => createPrivateKey('-----BEGIN PRIVATE KEY-----\nb3JkZXJz\n-----END PRIVATE KEY-----')),
    ['ERR_OSSL'],
  ),
  'JSON.parse quoting its input': internal(
    () => thrownBy(() => JSON.parse(`orders_private ${SECRET}`)),
    ['SyntaxError'],
  ),
  'structuredClone DataCloneError': internal(
    () => thrownBy(() => structuredClone(() => `orders_private ${SECRET}`)),
    ['DataCloneError'],
  ),
  'URL ERR_INVALID_URL': internal(() => thrownBy(() => new URL(`orders_private ${SECRET}`)), ['ERR_INVALID_URL']),
  'header ERR_INVALID_CHAR': internal(
    () => thrownBy(() => new Headers({ 'x-a': `orders_private\n${SECRET}` })),
    ['TypeError'],
  ),
  'node:sqlite': internal(sqliteError, ['ERR_SQLITE_ERROR']),
  'stack overflow': internal(() => {
    const recurse = (n: number): number => recurse(n + 1) + 1;
    return thrownBy(() => recurse(0));
  }, ['RangeError']),
  ERR_STRING_TOO_LONG: internal(
    () =>
      errorLike('Error', 'Cannot create a string longer than 0x1fffffe8 characters', {
        code: 'ERR_STRING_TOO_LONG',
      }),
    ['ERR_STRING_TOO_LONG'],
  ),
};

/** Every native value, by name (call {@link prepareNativeValues} first). */
export const NATIVE_VALUES: Readonly<Record<string, NativeValue>> = {
  ...NATIVE_SYNC,
  'fetch failed': { make: madeOnce('fetch failed'), category: 'unavailable', keep: ['ECONNREFUSED'] },
  'promisified fs.stat': internal(madeOnce('promisified fs.stat'), ['ENOENT', 'stat']),
  'AbortSignal.timeout': { make: madeOnce('AbortSignal.timeout'), category: 'timeout', keep: ['TimeoutError'] },
  'timers abort by timeout': {
    make: madeOnce('timers abort by timeout'),
    category: 'timeout',
    keep: ['AbortError', 'TimeoutError'],
  },
  'Promise.any of ECONNREFUSED': {
    make: madeOnce('Promise.any of ECONNREFUSED'),
    category: 'unavailable',
    keep: ['ECONNREFUSED'],
  },
  'Promise.any mixed': internal(madeOnce('Promise.any mixed'), ['ENOENT', 'ENOTFOUND']),
};
