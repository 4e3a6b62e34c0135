/**
 * The repeat key keeps two DIFFERENT failures apart (another constraint, table, column, key or
 * object; another dependency address, host or file; another upstream) and still merges one
 * failure met with different request data, read back from what a real reporter writes to a file.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failureIdentity } from '../src/report/failure-identity.js';
import { MAX_IDENTITIES } from '../src/report/repeat-window.js';
import { idsIn } from './support/reporter-files.js';
import { capture, createReporter, recordFault } from './support/source.js';

type Line = Record<string, unknown>;

const fail = (message: string, fields: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(message), fields);
const pgUnique = (constraint: string, table: string, email = 'a@x.io') =>
  fail(`duplicate key value violates unique constraint "${constraint}"`, {
    code: '23505',
    constraint,
    table,
    detail: `Key (email)=(${email}) already exists.`,
  });
const notNull = (column: string, table: string) =>
  fail(`null value in column "${column}" of relation "${table}" violates not-null constraint`, {
    code: '23502',
    column,
    table,
  });
const mysqlDup = (entry: string, key: string) =>
  fail(`Duplicate entry '${entry}' for key '${key}'`, { code: 'ER_DUP_ENTRY', errno: 1062, sqlState: '23000' });
const mssqlUnique = (constraint: string, object: string, value = 'a@x.io') =>
  fail(
    `Violation of UNIQUE KEY constraint '${constraint}'. Cannot insert duplicate key in object '${object}'. The duplicate key value is (${value}).`,
    { number: 2627, code: 'EREQUEST' },
  );
const refused = (address: string, port: number) =>
  fail(`connect ECONNREFUSED ${address}:${port}`, { code: 'ECONNREFUSED', syscall: 'connect', address, port });
const notFound = (hostname: string) =>
  fail(`getaddrinfo ENOTFOUND ${hostname}`, { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname });
const noFile = (path: string) =>
  fail(`ENOENT: no such file or directory, open '${path}'`, { code: 'ENOENT', syscall: 'open', path });
/** What axios throws for a 503 (its message names no upstream). */
const axios503 = (url: string) =>
  Object.assign(fail('Request failed with status code 503', { code: 'ERR_BAD_RESPONSE' }), {
    name: 'AxiosError',
    config: { url, method: 'get' },
    response: { status: 503 },
  });
/** What got throws for a 503: `options.url` is a URL. */
const got503 = (url: string) =>
  Object.assign(fail('Response code 503 (Service Unavailable)', { code: 'ERR_NON_2XX_3XX_RESPONSE' }), {
    name: 'HTTPError',
    options: { url: new URL(url) },
  });
/** What ky throws for a failed answer: no code, the request's method and URL in the message. */
const kyError = (status: string, method: string, url: string) =>
  Object.assign(fail(`Request failed with status code ${status}: ${method} ${url}`), { name: 'HTTPError' });
/** `n` written in letters only (a slug, a host label a client chooses). */
const letters = (n: number) => n.toString(26).replace(/[0-9]/g, (d) => 'qrstuvwxyz'.charAt(Number(d)));
/** A wrapper (an ORM's) around a driver error. */
const wrapped = (inner: Error) => new Error('query failed', { cause: inner });

/** Reports each error in turn with a real reporter writing to a file; the lines written. */
async function written(errors: readonly Error[]): Promise<{ lines: Line[]; ids: string[]; file: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-repeat-identity-')), 'r.log');
  const reporter = createReporter({ destination: file, flushOnExit: false, dedupWindowMs: 60_000 });
  const ids: string[] = [];
  for (const error of errors) {
    const fault = capture(error);
    ids.push(fault.id);
    recordFault(fault, { protocol: 'http', reporter, method: 'POST', route: '/users' });
  }
  await reporter.flush();
  await reporter.close();
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line);
  return { lines, ids, file };
}

const full = (lines: Line[]) => lines.filter((line) => line.request_id !== undefined && line.repeats === undefined);
const compact = (lines: Line[]) => lines.filter((line) => line.first_request_id !== undefined);

describe('two different failures of one kind', () => {
  const pairs: [string, Error, Error][] = [
    ['pg: another constraint and table', pgUnique('users_email_key', 'users'), pgUnique('orders_pkey', 'orders')],
    ['pg: another column', notNull('email', 'users'), notNull('total', 'orders')],
    [
      'pg: another relation (message only)',
      fail('relation "users" does not exist', { code: '42P01' }),
      fail('relation "orders" does not exist', { code: '42P01' }),
    ],
    [
      'pg, translated message: the driver fields (partitions differ in digits only)',
      fail('doppelter Schlüsselwert verletzt Unique-Constraint »orders_2024_pkey«', {
        code: '23505',
        constraint: 'orders_2024_pkey',
        table: 'orders_2024',
      }),
      fail('doppelter Schlüsselwert verletzt Unique-Constraint »orders_2025_pkey«', {
        code: '23505',
        constraint: 'orders_2025_pkey',
        table: 'orders_2025',
      }),
    ],
    ['MySQL: another key', mysqlDup('a@x.io', 'users.email'), mysqlDup('a@x.io', 'orders.PRIMARY')],
    [
      'MSSQL: another constraint',
      mssqlUnique('UQ_users_email', 'dbo.users'),
      mssqlUnique('UQ_orders_ref', 'dbo.orders'),
    ],
    [
      'MSSQL: another object',
      fail("Invalid object name 'dbo.users'.", { number: 208, code: 'EREQUEST' }),
      fail("Invalid object name 'dbo.orders'.", { number: 208, code: 'EREQUEST' }),
    ],
    ['net: another dependency down', refused('10.0.0.5', 5432), refused('10.0.0.9', 6379)],
    ['net: another port of one host', refused('10.0.0.5', 5432), refused('10.0.0.5', 5433)],
    ['dns: another host', notFound('db1.internal'), notFound('db2.internal')],
    ['fs: another file', noFile('/a'), noFile('/b')],
    ['axios: another upstream', axios503('http://billing.internal/charge/1'), axios503('http://ledger.internal/e/1')],
    ['got: another upstream', got503('https://billing.internal/charge/1'), got503('https://ledger.internal/e/1')],
    [
      'wrapped: another constraint',
      wrapped(pgUnique('users_email_key', 'users')),
      wrapped(pgUnique('orders_pkey', 'orders')),
    ],
    ['wrapped: another dependency', wrapped(refused('10.0.0.5', 5432)), wrapped(refused('10.0.0.9', 6379))],
    [
      'ky: another upstream',
      kyError('503 Service Unavailable', 'POST', 'https://billing.internal/v1/charges'),
      kyError('503 Service Unavailable', 'POST', 'https://ledger.internal/v1/charges'),
    ],
    [
      'ky: another endpoint of one upstream',
      kyError('503 Service Unavailable', 'POST', 'https://billing.internal/v1/charges'),
      kyError('503 Service Unavailable', 'POST', 'https://billing.internal/v1/refunds'),
    ],
    [
      'dns, message only: another host',
      fail('getaddrinfo ENOTFOUND db1.internal'),
      fail('getaddrinfo ENOTFOUND db2.internal'),
    ],
  ];

  it.each(pairs)('%s: two full records, each under its own id and fingerprint', async (_, a, b) => {
    const { lines, ids } = await written([a, b]);
    expect(compact(lines)).toEqual([]);
    const records = full(lines);
    expect(records.map((line) => line.request_id)).toEqual(ids);
    expect(records[0]?.fingerprint).not.toBe(records[1]?.fingerprint);
  });
});

describe('one failure met with different request data', () => {
  const pairs: [string, Error, Error][] = [
    [
      'pg: user input in a uuid',
      fail('invalid input syntax for type uuid: "abc"', { code: '22P02' }),
      fail('invalid input syntax for type uuid: "zzz\' or 1=1"', { code: '22P02' }),
    ],
    [
      'pg: another email on one constraint',
      pgUnique('users_email_key', 'users'),
      pgUnique('users_email_key', 'users', 'b@y.io'),
    ],
    ['MySQL: another entry on one key', mysqlDup('a@x.io', 'users.email'), mysqlDup('evil@y.io', 'users.email')],
    [
      'MSSQL: another value on one constraint',
      mssqlUnique('UQ_users_email', 'dbo.users'),
      mssqlUnique('UQ_users_email', 'dbo.users', 'evil@y.io'),
    ],
    ['ids and numbers', fail('order 41 not found after 3 tries'), fail('order 90210 not found after 7 tries')],
    ['a token', fail("Invalid API key 'sk_live_abc'"), fail("Invalid API key 'sk_live_xyz'")],
    [
      'axios: another path on one upstream',
      axios503('http://billing.internal/charge/1?t=x'),
      axios503('http://u:p@billing.internal/charge/2'),
    ],
    ['net: one dependency down', refused('10.0.0.5', 5432), refused('10.0.0.5', 5432)],
    [
      'ky: another id, query and credentials on one endpoint',
      kyError('404 Not Found', 'GET', 'https://api.partner.example/users/42/orders?token=abc'),
      kyError(
        '404 Not Found',
        'GET',
        'https://u:p@api.partner.example/users/3f2a9c1e-1b2c-4d3e-8f9a-0b1c2d3e4f5a/orders',
      ),
    ],
  ];

  it.each(pairs)('%s: one full record and one repeat of it', async (_, a, b) => {
    const { lines, ids } = await written([a, b]);
    const records = full(lines);
    expect(records.map((line) => line.request_id)).toEqual([ids[0]]);
    expect(compact(lines).map((line) => [line.first_request_id, line.request_ids, line.fingerprint])).toEqual([
      [ids[0], [ids[1]], records[0]?.fingerprint],
    ]);
  });
});

describe('a flood', () => {
  it('of distinct user inputs is compacted to one record per failure, every id listed', async () => {
    const errors: Error[] = [];
    for (let i = 0; i < 600; i += 1) {
      const input = `u${i.toString(36)}-${'x'.repeat(i % 5)}@mail.example`;
      errors.push(pgUnique('users_email_key', 'users', input));
      errors.push(mysqlDup(input, 'users.email'));
      errors.push(mssqlUnique('UQ_users_email', 'dbo.users', input));
      errors.push(fail(`invalid input syntax for type uuid: "${input}"`, { code: '22P02' }));
    }
    const { lines, ids, file } = await written(errors);
    expect(full(lines)).toHaveLength(4);
    expect(idsIn(file)).toEqual(new Set(ids));
  });

  it('of client-chosen identities (paths, webhook hosts) stops making first occurrences', async () => {
    const errors: Error[] = [];
    for (let i = 0; i < 300; i += 1) {
      errors.push(noFile(`/srv/uploads/${i}.png`));
      errors.push(notFound(`hook-${i}.attacker.example`));
    }
    const { lines, ids, file } = await written(errors);
    // Each signature: its first MAX_IDENTITIES identities apart, then one overflow record.
    expect(full(lines)).toHaveLength(2 * (MAX_IDENTITIES + 1));
    expect(idsIn(file)).toEqual(new Set(ids));
  });

  it('of client-chosen names in letters (hosts, slugs in a URL) stops making first occurrences', async () => {
    const errors: Error[] = [];
    for (let i = 0; i < 300; i += 1) {
      errors.push(notFound(`hook-${letters(i)}.attacker.example`));
      errors.push(kyError('404 Not Found', 'GET', `https://api.partner.example/users/${letters(i)}`));
      errors.push(fail(`getaddrinfo EAI_AGAIN ${letters(i)}.attacker.example`));
    }
    const { lines, ids, file } = await written(errors);
    expect(full(lines)).toHaveLength(3 * (MAX_IDENTITIES + 1));
    expect(idsIn(file)).toEqual(new Set(ids));
  });
});

describe('failures that alternate (the identity made once per run of equal fields)', () => {
  it('each repeat points at the first occurrence of its own failure', async () => {
    const eperm = (path: string) => fail(`EPERM: operation not permitted, open '${path}'`, { code: 'EPERM', path });
    const a = () => pgUnique('users_email_key', 'users');
    const b = () => pgUnique('orders_pkey', 'orders');
    // EPERM is five characters long and an `E…` code: both kinds of field are read for it.
    const c = () => eperm('/etc/app/key.pem');
    const d = () => eperm('/var/lib/app/db');
    const { lines, ids } = await written([a(), b(), c(), d(), a(), b(), c(), d(), b(), a()]);
    const records = full(lines);
    expect(records.map((line) => line.request_id)).toEqual(ids.slice(0, 4));
    const firstOf = new Map(
      compact(lines).flatMap((line) => (line.request_ids as string[]).map((id) => [id, line.first_request_id])),
    );
    expect([...firstOf.entries()].sort()).toEqual(
      [
        [ids[4], ids[0]],
        [ids[5], ids[1]],
        [ids[6], ids[2]],
        [ids[7], ids[3]],
        [ids[8], ids[1]],
        [ids[9], ids[0]],
      ].sort(),
    );
  });
});

describe('a getter that keys another fault while the identity is read', () => {
  it('leaves the outer value its own identity, each time', () => {
    const nested = { constraint: 'orders_pkey', table: 'orders' };
    const outer = {
      get constraint() {
        // What a getter that reports another fault does: the reporter keys that fault at once.
        failureIdentity(nested, '23505');
        return 'users_email_key';
      },
      table: 'users',
    };
    // The last identity made is a third one's: the nested read makes a new one.
    failureIdentity({ constraint: 'carts_pkey', table: 'carts' }, '23505');
    expect(failureIdentity(outer, '23505')).toBe('c=users_email_key;t=users;');
    expect(failureIdentity(outer, '23505')).toBe('c=users_email_key;t=users;');
    expect(failureIdentity(nested, '23505')).toBe('c=orders_pkey;t=orders;');
  });
});
