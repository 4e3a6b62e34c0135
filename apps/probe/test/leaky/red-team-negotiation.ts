/**
 * A leaky target on node:http (HTTP/1.1) whose leaks need a request the probe did not send: only
 * for one `Accept` value alone (`text/plain`, `application/xml`, `text/html`, `*∕*`), an
 * `Accept-Language`, `X-Requested-With: XMLHttpRequest`, a query switch (`?debug=1`, `?pretty`,
 * `format=xml`), a `text/plain` body, a cross-origin GET, HTTP/1.0, no Host field; JSON nested
 * deeper than a validator's limit, a query key given twice, a URL or a field longer than the
 * application's own limit (under the server's), an object where an id goes, and a method the HTTP
 * parser does not know (its error answered by node:http's `clientError`); the page routes of
 * `red-team-pages.ts`; and a route only its OpenAPI document names, which leaks only when asked for XML. Each leak is under its own path, given to the probe as a `--path` hint, with
 * a text of its own; every other answer is a clean problem JSON.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type LeakyTarget, type Planted, portOf } from './planted.js';
import { answer, PAGE_ROUTES, type PlainRoute } from './red-team-pages.js';
import { CLEAN_BODY, stack } from './shapes-kit.js';

const path = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://x').pathname;
const query = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://x').searchParams;
/** Answers 500 with `text` before the stack of the request's route (each route's text is its own). */
const leak = (req: IncomingMessage, res: ServerResponse, text = 'Error: failed', type = 'text/plain') =>
  answer(res, 500, { 'content-type': type }, `${text}\n${stack(`/${path(req).split('/')[1]}`)}`);

/** How deep `text`'s JSON nests, counted up to just past `limit`. */
function depth(text: string, limit: number): number {
  let level = 0;
  let deepest = 0;
  for (let i = 0; i < text.length && deepest <= limit; i += 1) {
    const c = text[i];
    if (c === '[' || c === '{') deepest = Math.max(deepest, ++level);
    else if (c === ']' || c === '}') level -= 1;
  }
  return deepest;
}

/** Whether `body` is JSON whose `id` is an object. */
function objectId(body: string): boolean {
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id;
    return typeof id === 'object' && id !== null && !Array.isArray(id);
  } catch {
    return false;
  }
}

const accept = (type: string): PlainRoute => ({
  where: `/accept-${type === '*/*' ? 'any' : type.replace(/\W+/g, '-')}`,
  rule: 'leak/stack-node',
  // An error handler's `res.format({ json, text, html, xml })`: the other branches send the stack.
  answer: (q, s) => q.headers.accept === type && leak(q, s, 'Error: failed', type === '*/*' ? 'text/plain' : type),
});

/** The negotiation routes: each leak was missed before (see test/red-team-negotiation.test.ts). */
export const NEGOTIATION_ROUTES: readonly PlainRoute[] = [
  ...['text/plain', 'application/xml', 'text/html', '*/*'].map(accept),
  // An i18n layer that fails to load the locale file a client asks for.
  {
    where: '/language',
    rule: 'leak/path',
    answer: (q, s) =>
      q.headers['accept-language'] !== undefined &&
      answer(s, 500, {}, `{"error":"ENOENT: no such file or directory, open '/srv/api/locales/de.json'"}`),
  },
  {
    where: '/xhr',
    rule: 'leak/stack-node',
    answer: (q, s) => /xmlhttprequest/i.test(String(q.headers['x-requested-with'])) && leak(q, s),
  },
  { where: '/debug-query', rule: 'leak/stack-node', answer: (q, s) => query(q).get('debug') === '1' && leak(q, s) },
  { where: '/pretty', rule: 'leak/stack-node', answer: (q, s) => query(q).has('pretty') && leak(q, s) },
  { where: '/format-xml', rule: 'leak/stack-node', answer: (q, s) => query(q).get('format') === 'xml' && leak(q, s) },
  {
    where: '/text-body',
    rule: 'leak/stack-node',
    answer: (q, s) => /^text\/plain/.test(q.headers['content-type'] ?? '') && leak(q, s),
  },
  // A CORS layer whose preflight (OPTIONS) is clean, but whose GET with a foreign Origin throws.
  {
    where: '/origin-get',
    rule: 'leak/stack-node',
    answer: (q, s) => q.method === 'GET' && q.headers.origin !== undefined && leak(q, s, 'Error: Not allowed by CORS'),
  },
  { where: '/http10', rule: 'leak/stack-node', answer: (q, s) => q.httpVersion === '1.0' && leak(q, s) },
  // A handler that builds its URL from the Host field (HTTP/1.0 needs none).
  {
    where: '/no-host',
    rule: 'leak/stack-node',
    answer: (q, s) => q.headers.host === undefined && leak(q, s, 'TypeError: Invalid URL'),
  },
  // A recursive validator: past 64 levels, its RangeError.
  {
    where: '/deep-json',
    rule: 'leak/stack-node',
    answer: (q, s, body) => depth(body, 64) > 64 && leak(q, s, 'RangeError: Maximum call stack size exceeded'),
  },
  {
    where: '/duplicate-query',
    rule: 'leak/stack-node',
    answer: (q, s) => {
      const keys = [...query(q).keys()];
      return new Set(keys).size < keys.length && leak(q, s, 'TypeError: id.trim is not a function');
    },
  },
  // Limits of the application's own, under node:http's 16 KB head (which refuses 100 KB before any handler).
  { where: '/long-url', rule: 'leak/stack-node', answer: (q, s) => (q.url ?? '').length > 4096 && leak(q, s) },
  {
    where: '/long-field',
    rule: 'leak/stack-node',
    answer: (q, s) => Object.values(q.headers).some((v) => String(v).length > 8192) && leak(q, s),
  },
  {
    where: '/object-id',
    rule: 'leak/driver-pg',
    answer: (_q, s, body) =>
      objectId(body) && answer(s, 500, {}, '{"error":"invalid input syntax for type integer: \\"[object Object]\\""}'),
  },
];

/**
 * A route only its OpenAPI document names (`/openapi.json`), not given as a hint: discovery finds it,
 * and it leaks only when asked for XML.
 */
export const DISCOVERED_ROUTE: PlainRoute = {
  where: '/api/reports',
  rule: 'leak/stack-node',
  answer: (q, s) =>
    q.method === 'GET' && q.headers.accept === 'application/xml' && leak(q, s, '<error/>', 'application/xml'),
};
/** Round 5: discovered routes that leak only to a switch (`?debug=1`, an XHR client), sent before to the base and hints only. */
export const DISCOVERED_SWITCHES: readonly PlainRoute[] = [
  {
    where: '/api/exports',
    rule: 'leak/stack-node',
    answer: (q, s) => q.method === 'GET' && /[?&]debug=1\b/.test(q.url ?? '') && leak(q, s, '{}', 'application/json'),
  },
  {
    where: '/api/audit',
    rule: 'leak/stack-node',
    answer: (q, s) =>
      q.method === 'GET' && q.headers['x-requested-with'] === 'XMLHttpRequest' && leak(q, s, '{}', 'application/json'),
  },
];
const OPENAPI: PlainRoute = {
  where: '/openapi.json',
  rule: '',
  answer: (_q, s) =>
    answer(
      s,
      200,
      { 'content-type': 'application/json' },
      JSON.stringify({
        openapi: '3.0.3',
        info: { title: 'reports', version: '1' },
        paths: Object.fromEntries(
          [DISCOVERED_ROUTE, ...DISCOVERED_SWITCHES].map(({ where }) => [
            where,
            { get: { responses: { 200: { description: 'the reports' } } } },
          ]),
        ),
      }),
    ),
};

/** A method llhttp does not know, under this path: node:http's parser error, answered with the server's file. */
const UNKNOWN_METHOD: Planted = { where: '/unknown-method', rule: 'leak/path' };
const ROUTES = [...NEGOTIATION_ROUTES, ...PAGE_ROUTES];
const ALL = [...ROUTES, DISCOVERED_ROUTE, ...DISCOVERED_SWITCHES, OPENAPI];

function handle(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (chunk: Buffer) => {
    if (body.length < 100_000) body += chunk.toString('utf8');
  });
  req.on('error', () => undefined);
  req.on('end', () => {
    const route = ALL.find((r) => path(req) === r.where || path(req).startsWith(`${r.where}/`));
    if (route?.answer(req, res, body) !== true) answer(res, 400, {}, CLEAN_BODY);
  });
}

/** The negotiation target. */
export async function redTeamNegotiation(): Promise<LeakyTarget> {
  const server = createServer(handle);
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    const leaks = error.code === 'HPE_INVALID_METHOD' && String(error.rawPacket ?? '').includes(UNKNOWN_METHOD.where);
    const text = leaks ? `{"error":"${error.message} in /srv/api/src/server.js"}` : CLEAN_BODY;
    if (!socket.writable) return void socket.destroy();
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'red team negotiation and pages',
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: [...ROUTES.map(({ where, rule }) => ({ where, rule })), UNKNOWN_METHOD],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
