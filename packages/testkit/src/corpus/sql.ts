/** SQL databases, their drivers and ORMs: pg, mysql2, Prisma, TypeORM, Sequelize, Knex. */
import { DatabaseError } from 'pg-protocol';
import { type CorpusCase, classInstance, errorLike, SECRET } from './types.js';

const SQL = `INSERT INTO users_private (email, password_hash) VALUES ('a@b.c', '${SECRET}')`;

/** A real pg-protocol DatabaseError with the fields the server sends. */
function pg(code: string, message: string, fields: Record<string, unknown> = {}): DatabaseError {
  const error = new DatabaseError(`${message} (${SECRET})`, 120, 'error');
  return Object.assign(error, { code, severity: 'ERROR', schema: 'billing', routine: 'ExecConstraints', ...fields });
}

const PG_CASES: readonly [string, string, string, Record<string, unknown>][] = [
  [
    '23505',
    'conflict',
    'duplicate key value violates unique constraint "users_private_email_key"',
    { table: 'users_private', constraint: 'users_private_email_key', detail: `Key (email)=(a@b.c) already exists.` },
  ],
  [
    '23503',
    'conflict',
    'insert or update on table "orders" violates foreign key constraint "orders_user_fk"',
    { table: 'orders', detail: 'Key (user_id)=(42) is still referenced from table "invoices".' },
  ],
  [
    '23502',
    'validation',
    'null value in column "password_hash" of relation "users_private" violates not-null constraint',
    { table: 'users_private', column: 'password_hash' },
  ],
  [
    '23514',
    'validation',
    'new row for relation "ledger" violates check constraint "ledger_balance_check"',
    { table: 'ledger' },
  ],
  ['40001', 'conflict', 'could not serialize access due to concurrent update', {}],
  ['40P01', 'conflict', 'deadlock detected', { detail: 'Process 4711 waits for ShareLock on transaction 99' }],
  ['42P01', 'internal', 'relation "users_private" does not exist', { position: '15' }],
  ['42703', 'internal', 'column "password_hash" does not exist', {}],
  ['42601', 'internal', `syntax error at or near "FROM" in ${SQL}`, {}],
  ['28P01', 'internal', 'password authentication failed for user "billing_admin"', {}],
  ['53300', 'unavailable', 'sorry, too many clients already', {}],
  ['57014', 'timeout', 'canceling statement due to statement timeout', {}],
  ['57P01', 'unavailable', 'terminating connection due to administrator command', {}],
  ['08006', 'unavailable', 'connection failure to db.internal.example:5432', {}],
  ['22P02', 'validation', 'invalid input syntax for type uuid: "zzz"', {}],
  ['42501', 'internal', 'permission denied for table users_private', {}],
];

/** Every SQL case. */
export const SQL_CASES: readonly CorpusCase[] = [
  ...PG_CASES.map(([code, category, message, fields]) => ({
    name: `pg ${code}`,
    family: 'pg',
    make: () => pg(code, message, fields),
    category,
    forbidden: [SECRET, message.slice(0, 24), 'users_private', 'billing'],
  })),
  {
    name: 'pg-pool connect timeout',
    family: 'pg',
    make: () => new Error('timeout exceeded when trying to connect'),
    category: 'unavailable',
    forbidden: ['timeout exceeded'],
  },
  {
    name: 'mysql2 ER_DUP_ENTRY',
    family: 'mysql2',
    make: () =>
      errorLike('Error', `Duplicate entry 'a@b.c' for key 'users.email' ${SECRET}`, {
        code: 'ER_DUP_ENTRY',
        errno: 1062,
        sqlState: '23000',
        sqlMessage: `Duplicate entry 'a@b.c'`,
        sql: SQL,
      }),
    category: 'conflict',
    forbidden: [SECRET, 'Duplicate entry', 'users_private', 'INSERT INTO'],
  },
  {
    name: 'mysql2 access denied',
    family: 'mysql2',
    make: () =>
      errorLike('Error', `Access denied for user 'app'@'10.0.3.4' (using password: YES) ${SECRET}`, {
        code: 'ER_ACCESS_DENIED_ERROR',
        errno: 1045,
        sqlState: '28000',
      }),
    category: 'internal',
    forbidden: [SECRET, 'Access denied', '10.0.3.4'],
  },
  {
    name: 'mysql2 no such table',
    family: 'mysql2',
    make: () =>
      errorLike('Error', `Table 'shop.users_private' doesn't exist`, {
        code: 'ER_NO_SUCH_TABLE',
        errno: 1146,
        sqlState: '42S02',
        sql: SQL,
      }),
    category: 'internal',
    forbidden: ['users_private', 'INSERT INTO', SECRET],
  },
  ...(
    [
      ['P2002', 'conflict', 'Unique constraint failed on the fields: (`email`)'],
      [
        'P2025',
        'not_found',
        'An operation failed because it depends on one or more records that were required but not found.',
      ],
      ['P2003', 'validation', 'Foreign key constraint failed on the field: `orders_user_id_fkey (index)`'],
      ['P1001', 'unavailable', "Can't reach database server at `db.internal.example`:`5432`"],
      ['P1000', 'internal', 'Authentication failed against database server at `db.internal.example`'],
      ['P2024', 'unavailable', 'Timed out fetching a new connection from the connection pool.'],
    ] as const
  ).map(([code, category, message]) => ({
    name: `prisma ${code}`,
    family: 'prisma',
    make: () =>
      classInstance(
        'PrismaClientKnownRequestError',
        `\nInvalid \`prisma.user.create()\` invocation in\n/srv/app/src/users.ts:42:7\n${message} ${SECRET}`,
        {
          code,
          clientVersion: '6.2.1',
          meta: { modelName: 'UserPrivate', target: ['email'] },
        },
      ),
    category,
    forbidden: [SECRET, '/srv/app', 'prisma.user', 'UserPrivate', '6.2.1'],
  })),
  {
    name: 'typeorm QueryFailedError wrapping pg 23505',
    family: 'typeorm',
    make: () =>
      classInstance('QueryFailedError', `duplicate key value violates unique constraint ${SECRET}`, {
        query: SQL,
        parameters: ['a@b.c', SECRET],
        driverError: pg('23505', 'duplicate key value', { table: 'users_private' }),
      }),
    category: 'conflict',
    forbidden: [SECRET, 'INSERT INTO', 'users_private'],
  },
  {
    name: 'typeorm EntityNotFoundError',
    family: 'typeorm',
    make: () =>
      classInstance('EntityNotFoundError', `Could not find any entity of type "UserPrivate" matching: {"id": 42}`),
    category: 'not_found',
    forbidden: ['UserPrivate'],
  },
  {
    name: 'sequelize UniqueConstraintError',
    family: 'sequelize',
    make: () =>
      classInstance('SequelizeUniqueConstraintError', 'Validation error', {
        name: 'SequelizeUniqueConstraintError',
        sql: SQL,
        parent: pg('23505', 'duplicate key value', { table: 'users_private' }),
        errors: [{ message: 'email must be unique', path: 'email', value: 'a@b.c' }],
      }),
    category: 'conflict',
    forbidden: [SECRET, 'INSERT INTO', 'a@b.c'],
  },
  {
    name: 'sequelize ConnectionRefusedError',
    family: 'sequelize',
    make: () =>
      classInstance('SequelizeConnectionRefusedError', `connect ECONNREFUSED 10.1.2.3:5432 ${SECRET}`, {
        name: 'SequelizeConnectionRefusedError',
        parent: errorLike('Error', 'connect ECONNREFUSED 10.1.2.3:5432', {
          code: 'ECONNREFUSED',
          address: '10.1.2.3',
          port: 5432,
        }),
      }),
    category: 'unavailable',
    forbidden: [SECRET, '10.1.2.3', 'ECONNREFUSED'],
  },
  {
    name: 'knex pool acquire timeout',
    family: 'knex',
    make: () =>
      classInstance('KnexTimeoutError', 'Knex: Timeout acquiring a connection. The pool is probably full.', {
        sql: SQL,
      }),
    category: 'unavailable',
    forbidden: ['Knex', 'pool is probably full', 'INSERT INTO'],
  },
  {
    name: 'knex wrapped pg 40P01',
    family: 'knex',
    make: () => Object.assign(pg('40P01', 'deadlock detected'), { message: `${SQL} - deadlock detected` }),
    category: 'conflict',
    forbidden: [SECRET, 'INSERT INTO'],
  },
];
