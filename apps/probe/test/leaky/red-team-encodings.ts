/**
 * A leaky target whose leaks hide in encodings and texts the other targets do not use: UTF-16
 * without a byte order mark (`charset=utf-16` read little-endian as browsers do, and no charset at
 * all), a gzip body without a Content-Encoding, a quoted-printable MIME part, JSON four times
 * stringified, base64 of a gzipped stack and of a UTF-16 one (.NET's `Encoding.Unicode`), and the
 * texts of JDBC and database URLs with a public-looking host, SQL Server's and Oracle's connection
 * errors, Python driver exceptions, Go method frames, Scala and Gin. Beside them, benign routes
 * answer prose with SQL words (`select an option from the table`) and URL paths under `/app/` and
 * `/home/`: no leak. Each leak text is its own (one finding per text lists at most 20 locations).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { type LeakyTarget, type Planted, portOf } from './planted.js';

/** One route: what it answers, and the leak it plants (none for a benign route). */
interface Route {
  readonly where: string;
  readonly leak?: Omit<Planted, 'where'>;
  readonly answer: (res: ServerResponse) => void;
}

const fields = (type = 'application/problem+json') => ({
  'content-type': type,
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'x-request-id': crypto.randomUUID(),
});
const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
  res.writeHead(status, fields(type));
  res.end(body);
};
const json = (res: ServerResponse, value: unknown) => send(res, 500, 'application/json', JSON.stringify(value));
const utf16le = (text: string) => Buffer.from(text, 'utf16le');
const stack = (file: string) => `TypeError: x is undefined\n    at handler (/srv/api/src/routes/${file}.js:41:13)`;
const high = (rule: string) => ({ rule, severity: 'high' as const });
const medium = (rule: string) => ({ rule, severity: 'medium' as const });

/** The leaky routes: each was missed before (see test/red-team-encodings.test.ts). */
export const ENCODING_LEAKS: readonly (Route & { leak: Omit<Planted, 'where'> })[] = [
  {
    where: '/utf16-label',
    leak: high('leak/stack-node'),
    answer: (res) =>
      send(res, 500, 'application/json; charset=utf-16', utf16le(JSON.stringify({ error: stack('label') }))),
  },
  {
    where: '/utf16-sniffed',
    leak: high('leak/driver-pg'),
    answer: (res) => send(res, 500, 'application/json', utf16le('{"error":"relation \\"carts\\" does not exist"}')),
  },
  {
    where: '/gzip-undeclared',
    leak: high('leak/driver-mysql'),
    answer: (res) =>
      send(res, 500, 'application/gzip', gzipSync("ER_NO_SUCH_TABLE: Table 'shop.refunds' doesn't exist")),
  },
  {
    // Compressed twice (the application's gzip, then a proxy's), one Content-Encoding said: gunzip undoes one.
    where: '/gzip-twice',
    leak: high('leak/stack-node'),
    answer: (res) => {
      res.writeHead(500, { ...fields('application/json'), 'content-encoding': 'gzip' });
      res.end(gzipSync(gzipSync(JSON.stringify({ error: stack('gzip-twice') }))));
    },
  },
  {
    where: '/quoted-printable',
    leak: high('leak/orm'),
    answer: (res) =>
      send(
        res,
        500,
        'multipart/mixed; boundary=b',
        '--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' +
          'error=3D SequelizeConnect=\r\nionRefusedError: refused\r\n--b--\r\n',
      ),
  },
  {
    where: '/json-four-deep',
    leak: high('leak/driver-pg'),
    answer: (res) => {
      let text = JSON.stringify({ error: 'relation "coupons" does not exist' });
      for (let level = 0; level < 3; level += 1) text = JSON.stringify({ upstream: text });
      send(res, 502, 'application/json', text);
    },
  },
  {
    where: '/base64-gzip',
    leak: high('leak/stack-java'),
    answer: (res) =>
      json(res, {
        debug: gzipSync('java.lang.IllegalStateException: closed\n\tat com.acme.Cart.add(Cart.java:12)').toString(
          'base64',
        ),
      }),
  },
  {
    where: '/base64-utf16',
    leak: high('leak/stack-dotnet'),
    answer: (res) =>
      json(res, {
        debug: utf16le('   at Shop.Api.RefundsController.Post(Int32 id) in C:\\src\\Refunds.cs:line 9').toString(
          'base64',
        ),
      }),
  },
  {
    where: '/jdbc',
    leak: medium('leak/private-ip'),
    answer: (res) => json(res, { error: 'Cannot connect to jdbc:mysql://orders-db.prod.acme.com:3306/shop' }),
  },
  {
    where: '/mongo-url',
    leak: medium('leak/private-ip'),
    answer: (res) => json(res, { error: 'server selection timed out for mongodb+srv://cluster0.ab12c.mongodb.net' }),
  },
  {
    where: '/mssql',
    leak: high('leak/sql'),
    answer: (res) => json(res, { error: "Login failed for user 'shop_app'." }),
  },
  {
    where: '/oracle',
    leak: high('leak/sql'),
    answer: (res) => json(res, { error: 'TNS:listener does not currently know of service requested' }),
  },
  {
    where: '/psycopg',
    leak: high('leak/orm'),
    answer: (res) => json(res, { error: 'psycopg2.OperationalError: server closed the connection unexpectedly' }),
  },
  {
    where: '/go-method',
    leak: high('leak/stack-go'),
    answer: (res) => json(res, { error: 'github.com/acme/orders/internal/store.(*Store).Get(0xc000010000, 0x2a)' }),
  },
  {
    where: '/scala',
    leak: high('leak/stack-java'),
    answer: (res) => json(res, { error: 'scala.MatchError: refund (of class java.lang.String)' }),
  },
  {
    where: '/gin',
    leak: medium('leak/debug'),
    answer: (res) => send(res, 500, 'text/plain', '[GIN-debug] [WARNING] Running in "debug" mode.'),
  },
];

/**
 * A Node.js stack of three frames (`/srv/api/src/routes/zstd.js:41:13` first) compressed with zstd
 * (level 3, made on Node.js 24: its literals are Huffman-coded, so no text of it is in the bytes).
 * Node.js 20 cannot compress zstd, so the bytes are kept here.
 */
const ZSTD_STACK = Buffer.from(
  'KLUv/SDjBQQAoocZG3Bp25bYRKZJKeEHpliTCysBJT/f53yI/3MDDgeClMMsLrVeJSjJ4cOq7D635tlXT5nCcGXLNV8HctBJUCcE6rqRffcY58Kd21IuuDOAfKUrMegSIiJAvxZxXQ97sUHEjHnwxigECACiwuEdgSnInmBrqsFAwsBTmWQsoc4=',
  'base64',
);

/**
 * A zstd body (`Content-Encoding: zstd`): a Node.js that reads zstd (22.15 and later) finds its stack;
 * an older one cannot read it, and must say so (unparseable), not call it clean.
 */
export const ZSTD_ROUTE: Route & { leak: Omit<Planted, 'where'> } = {
  where: '/zstd',
  leak: high('leak/stack-node'),
  answer: (res) => {
    res.writeHead(500, { ...fields('application/json'), 'content-encoding': 'zstd' });
    res.end(ZSTD_STACK);
  },
};

const PROSE = {
  title: 'Bad Request',
  detail: 'Please select an option from the table below. Could not delete from your cart: the item is reserved.',
  hint: 'Select a shipping method from the list, insert into the slot the card you received, update settings set for you.',
  instance: '/app/orders/12',
  links: { next: '/home/featured/items', optIn: '/opt/in/confirm', self: 'https://shop.example.com/app/orders/12' },
};

/** Benign routes: words of SQL in prose, URL paths under `/app/`, `/home/` and `/opt/`, an HTML page linking a script. */
export const BENIGN_ROUTES: readonly Route[] = [
  { where: '/prose', answer: (res) => send(res, 400, 'application/problem+json', JSON.stringify(PROSE)) },
  {
    where: '/page',
    answer: (res) =>
      send(
        res,
        404,
        'text/html',
        '<html><head><script src="/app/static/main.js"></script></head><body><p>Select a plan from the table.</p>' +
          '<a href="/home/featured/">Home</a></body></html>',
      ),
  },
];

/** The encodings target over HTTP/1.1; every other answer is a clean problem JSON. */
export async function redTeamEncodings(): Promise<LeakyTarget & { readonly benign: readonly string[] }> {
  const routes = [...ENCODING_LEAKS, ZSTD_ROUTE, ...BENIGN_ROUTES];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('error', () => undefined);
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const route = routes.find((r) => path === r.where || path.startsWith(`${r.where}/`));
      if (route !== undefined) route.answer(res);
      else send(res, 404, 'application/problem+json', '{"type":"about:blank","title":"Not Found","status":404}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'red team encodings (HTTP/1.1)',
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: ENCODING_LEAKS.map((r) => ({ where: r.where, ...r.leak })),
    benign: BENIGN_ROUTES.map((r) => r.where),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
