/**
 * Extreme values shaped like real drivers' errors (pg, Prisma, MongoDB, axios), every field
 * filled with SQL, table names, connection strings, tokens and an authorization header.
 */
import type { ExtremeValue } from './extreme.js';
import { EXTREME_DSN as DSN, REDACTABLE_SECRET as PW, EXTREME_TEXT as TEXT } from './extreme-text.js';

/** The driver-shaped extreme values, by name. */
export const DRIVER_VALUES: Readonly<Record<string, ExtremeValue>> = {
  'pg-shaped': {
    make: () =>
      Object.assign(new Error(`relation "orders_private" does not exist ${DSN}`), {
        name: 'error',
        length: 110,
        severity: 'ERROR',
        code: '42P01',
        position: '15',
        detail: `Key (email)=(a@b.c) already exists in orders_private; password=${PW}`,
        hint: `SELECT * FROM orders_private -- ${DSN}`,
        where: 'PL/pgSQL function /srv/app/f()',
        schema: 'public',
        table: 'orders_private',
        file: 'parse_relation.c',
        line: '1392',
        routine: 'parserOpenTable',
        query: 'SELECT * FROM orders_private',
        client: { connectionString: DSN },
      }),
    statuses: [500],
  },
  'prisma-shaped': {
    make: () =>
      Object.assign(new Error(`Invalid \`prisma.order.create()\` invocation in /srv/app/orders.ts:9:3 ${DSN}`), {
        name: 'PrismaClientKnownRequestError',
        code: 'P2002',
        clientVersion: '5.22.0',
        meta: {
          modelName: 'orders_private',
          target: ['email'],
          database_url: DSN,
          driverAdapterError: { cause: { originalMessage: TEXT } },
        },
      }),
    statuses: [409, 500],
  },
  'mongo-shaped': {
    make: () =>
      Object.assign(new Error(`E11000 duplicate key error collection: shop.orders_private ${TEXT}`), {
        name: 'MongoServerError',
        code: 11000,
        codeName: 'DuplicateKey',
        errmsg: `E11000 orders_private mongodb://root:${PW}@mongo.internal:27017/shop ${TEXT}`,
        keyValue: { email: 'a@b.c' },
        errorResponse: { errmsg: TEXT, connectionString: `mongodb://root:${PW}@mongo.internal` },
      }),
    statuses: [409, 500],
  },
  'axios-shaped': {
    make: () =>
      new Error(`charge failed ${TEXT}`, {
        cause: Object.assign(new Error('Request failed with status code 500'), {
          name: 'AxiosError',
          isAxiosError: true,
          code: 'ERR_BAD_RESPONSE',
          status: 500,
          config: {
            url: `http://10.0.0.7:8080/v1/charge?access_token=${PW}`,
            headers: { Authorization: `Bearer ${PW}`, 'X-Api-Key': PW, Cookie: `sid=${PW}` },
            auth: { username: 'svc', password: PW },
            data: `{"card":"4111","password":"${PW}"}`,
          },
          request: {
            _header: `POST /v1/charge HTTP/1.1\r\nAuthorization: Bearer ${PW}\r\nHost: 10.0.0.7\r\n\r\n`,
          },
          response: { status: 500, data: TEXT, headers: { server: 'nginx/1.2.3' } },
        }),
      }),
    statuses: [500, 502],
  },
};
