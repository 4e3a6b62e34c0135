/**
 * Round 8 leaky target on node:http: driver, ORM and runtime errors serialized whole or in their
 * own words (a node-postgres error object, Prisma's and MongoDB's error fields, Sequelize's
 * validation items, Elasticsearch's error body, Redis's other replies, Spring's persistence text,
 * .NET data drivers, Go's and pydantic's type names, Java's helpful NullPointerException, a Lambda
 * error object), Node's file-system errors with a relative path, a serialized system error, an
 * environment dump, a working directory, a backend's host name and a proxy's version. Each text is
 * answered on a path of its own, in a body (JSON, gzipped, an SSE error event, NDJSON) or a header
 * field; the paths are given to the probe as `--path` hints. Every text here was missed before.
 */
import { createServer, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Severity } from '../../src/findings.js';
import { type LeakyTarget, type Planted, portOf } from './planted.js';

/** How a text is sent: in a JSON body, gzipped, as an SSE error event, as an NDJSON line, or in a field. */
export type Carrier = 'json' | 'gzip' | 'sse' | 'ndjson' | `header:${string}`;

/** One leaked text: the rule and severity that must report it, and what the finding's evidence holds. */
export interface Round8Text extends Planted {
  readonly severity: Severity;
  readonly text: string;
  readonly carrier: Carrier;
  /** Part of the evidence of the finding that reports it. */
  readonly needle: string;
}

const H = 'high' as const;
const M = 'medium' as const;
/** [rule, severity, carrier, text, needle]. */
const TEXTS: readonly [string, Severity, Carrier, string, string][] = [
  [
    'leak/driver-pg',
    H,
    'json',
    '{"length":110,"name":"error","severity":"ERROR","code":"42P01","position":"15","file":"parse_relation.c","line":"1392","routine":"parserOpenTable"}',
    '42P01',
  ],
  [
    'leak/driver-pg',
    H,
    'sse',
    '{"message":"new row violates row-level security policy for table \\"orders\\""}',
    'row-level',
  ],
  ['leak/driver-pg', H, 'json', '{"error":"permission denied for table payments"}', 'permission denied'],
  ['leak/driver-prisma', H, 'sse', '{"code":"P2002","clientVersion":"5.10.2","meta":{"modelName":"User"}}', 'P2002'],
  [
    'leak/driver-prisma',
    H,
    'gzip',
    '{"error":"An operation failed because it depends on one or more records that were required but not found. Record to update not found."}',
    'An operation failed',
  ],
  ['leak/driver-mongo', H, 'ndjson', '{"code":11000,"codeName":"DuplicateKey","keyPattern":{"email":1}}', 'codeName'],
  ['leak/driver-redis', H, 'json', '{"error":"LOADING Redis is loading the dataset in memory"}', 'LOADING'],
  [
    'leak/orm',
    H,
    'json',
    '{"errors":[{"message":"email must be unique","type":"unique violation","path":"email","validatorKey":"not_unique"}]}',
    'unique violation',
  ],
  [
    'leak/orm',
    H,
    'gzip',
    '{"message":"could not execute statement; SQL [n/a]; constraint [uk_users_email]"}',
    'could not execute',
  ],
  ['leak/orm', H, 'json', '{"error":"Npgsql.PostgresException (0x80004005): 23505"}', 'Npgsql'],
  [
    'leak/sql',
    H,
    'json',
    '{"error":{"root_cause":[{"type":"security_exception","reason":"missing authentication credentials"}]}}',
    'root_cause',
  ],
  [
    'leak/exception',
    M,
    'json',
    '{"error":"json: cannot unmarshal string into Go struct field Order.qty of type int"}',
    'Go struct',
  ],
  ['leak/exception', M, 'ndjson', '{"detail":"1 validation error for OrderCreate"}', 'validation error for'],
  [
    'leak/exception',
    M,
    'json',
    '{"error":"Cannot invoke \\"String.length()\\" because \\"<local1>\\" is null"}',
    'Cannot invoke',
  ],
  [
    'leak/exception',
    M,
    'json',
    '{"errorType":"Runtime.HandlerNotFound","errorMessage":"index.handler is undefined"}',
    'errorType',
  ],
  ['leak/errno', M, 'json', '{"error":"ENOENT: no such file or directory, open \'config/production.json\'"}', 'ENOENT'],
  ['leak/errno', M, 'sse', '{"errno":-2,"code":"ENOENT","syscall":"open","path":"keys/signing.pem"}', 'syscall'],
  ['leak/errno', M, 'json', '{"error":"listen EADDRINUSE: address already in use :::3000"}', 'EADDRINUSE'],
  ['leak/env', M, 'json', '{"env":{"NODE_ENV":"production","KUBERNETES_SERVICE_HOST":"kubernetes"}}', 'NODE_ENV'],
  ['leak/path', M, 'json', '{"process":{"cwd":"/home/node/app","pid":7}}', '/home/node/app'],
  ['leak/private-ip', M, 'header:x-backend-server', 'app-02.prod.acme.net', 'app-02.prod'],
  ['leak/version', M, 'header:via', '1.1 edge (squid/5.7)', 'squid/5.7'],
];

/** The texts, each on a path of its own. */
export const ROUND8_TEXTS: readonly Round8Text[] = TEXTS.map(([rule, severity, carrier, text, needle], i) => ({
  rule,
  severity,
  carrier,
  text,
  needle,
  where: `/r8-${i + 1}`,
}));

const CLEAN_FIELDS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** Sends `leak` in its carrier, with a 500. */
function sendLeak(res: ServerResponse, leak: Round8Text): void {
  const fields = { ...CLEAN_FIELDS, 'x-request-id': crypto.randomUUID() };
  const problem = '{"type":"about:blank","title":"Internal Server Error","status":500}';
  if (leak.carrier.startsWith('header:')) {
    res.writeHead(500, { ...fields, 'content-type': 'application/problem+json', [leak.carrier.slice(7)]: leak.text });
    res.end(problem);
  } else if (leak.carrier === 'gzip') {
    res.writeHead(500, { ...fields, 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(leak.text));
  } else if (leak.carrier === 'sse') {
    res.writeHead(500, { ...fields, 'content-type': 'text/event-stream' });
    res.end(`event: error\ndata: ${leak.text}\n\n`);
  } else if (leak.carrier === 'ndjson') {
    res.writeHead(500, { ...fields, 'content-type': 'application/x-ndjson' });
    res.end(`{"ok":true}\n${leak.text}\n`);
  } else {
    res.writeHead(500, { ...fields, 'content-type': 'application/json' });
    res.end(leak.text);
  }
}

/** The round 8 texts target: each path answers its text; clean problem JSON elsewhere. */
export async function round8Texts(): Promise<LeakyTarget> {
  const server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const leak = ROUND8_TEXTS.find((t) => path === t.where || path.startsWith(`${t.where}/`));
    if (leak !== undefined) return sendLeak(res, leak);
    res.writeHead(404, {
      ...CLEAN_FIELDS,
      'content-type': 'application/problem+json',
      'x-request-id': crypto.randomUUID(),
    });
    res.end('{"type":"about:blank","title":"Not Found","status":404}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'round 8 texts',
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: ROUND8_TEXTS.map(({ rule, where, severity }) => ({ rule, where, severity })),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
