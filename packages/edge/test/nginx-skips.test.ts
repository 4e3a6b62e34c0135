/**
 * The generated nginx's njs header filter passes at once an answer that needs nothing of it
 * (`$faultline_needs_filter`, see `src/nginx/filter-map.ts`, and no Refresh or WWW-Authenticate
 * header): a status from 200 to 399, or the application's own error answer, without
 * Content-Location or Link. These answers sit on the edges of that skip: each rewritten header
 * alone, on a success and on the application's own error answer, is still rewritten or removed;
 * so is one that follows an empty header of the same name (nginx's variable of an unknown header
 * reads the first only); and a 500 with the application's type and id changed by a letter, a
 * parameter or a character of the id is still replaced. The id nginx makes when the client sent
 * none (its variant nibble mapped from nginx's own random bits by a hash map) is a UUID v4 of
 * every variant.
 */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { expectFaultlineAnswer, UUID_V4 } from './answers.js';
import { behindGateway, expectOnSuccessAndOwnError } from './behind-gateway.js';
import { type Exchange, headerValues } from './gateway.js';

const TYPE = 'application/problem+json; charset=utf-8';
const BACKEND_DETAIL = 'from the backend';

/** `name`'s values hold none of `leak`. */
const without = (name: string, leak: string) => (exchange: Exchange) =>
  expect(headerValues(exchange, name).join('\n')).not.toContain(leak);

/** Header lines the filter rewrites or removes, on an answer, and what the client must get. */
const HEADERS: readonly (readonly [string, readonly string[], (exchange: Exchange) => void])[] = [
  [
    'content-location',
    ['content-location: http://10.0.0.5/api/here'],
    (e) => expect(headerValues(e, 'content-location')).toEqual(['/api/here']),
  ],
  [
    'refresh',
    ['refresh: 0; url="http://localhost:3000/api/r"'],
    (e) => expect(headerValues(e, 'refresh')).toEqual(['0; url="/api/r"']),
  ],
  [
    'link',
    ['link: <http://a.internal/api/a>; rel=next'],
    (e) => expect(headerValues(e, 'link')).toEqual(['</api/a>; rel=next']),
  ],
  [
    'www-authenticate',
    ['www-authenticate: Bearer realm="db.internal", error_description="SELECT * FROM users"'],
    (e) => expect(headerValues(e, 'www-authenticate')).toEqual(['Bearer']),
  ],
  ['an empty www-authenticate', ['www-authenticate: '], (e) => expect(headerValues(e, 'www-authenticate')).toEqual([])],
  [
    'refresh after an empty one',
    ['refresh: ', 'refresh: http://localhost:3000/api/r'],
    without('refresh', 'localhost'),
  ],
  [
    'content-location after an empty one',
    ['content-location: ', 'content-location: http://10.0.0.5/api/here'],
    without('content-location', '10.0.0.5'),
  ],
  [
    'two content-locations, the second internal',
    ['content-location: /api/here', 'content-location: http://orders-svc:8080/api/here'],
    without('content-location', 'orders-svc'),
  ],
  [
    'location after an empty one',
    ['location: ', 'location: http://10.0.0.5/api/here'],
    without('location', '10.0.0.5'),
  ],
  [
    'two locations, the second internal',
    ['location: /api/here', 'location: http://orders-svc:8080/api/here'],
    without('location', 'orders-svc'),
  ],
  ['link after an empty one', ['link: ', 'link: <http://a.internal/api/a>; rel=next'], without('link', 'internal')],
  [
    'www-authenticate after an empty one',
    ['www-authenticate: ', 'www-authenticate: Bearer realm="db.internal"'],
    without('www-authenticate', 'internal'),
  ],
];

/** The application's own error for the request `head` (`status`, `type`, `id` or the request's), with `extra` lines. */
function ownError(head: string, extra: string, status = 409, type = TYPE, id?: string): string {
  const own = /\r\nx-request-id: *([^\r]*)/i.exec(head)?.[1] ?? '';
  const body = `{"type":"about:blank","title":"Conflict","status":${status},"detail":"${BACKEND_DETAIL}","code":"CONFLICT","request_id":"${own}"}`;
  const idLine = id === undefined ? `x-request-id: ${own}\r\n` : id === '' ? '' : `x-request-id: ${id}\r\n`;
  return `HTTP/1.1 ${status} X\r\ncontent-type: ${type}\r\n${idLine}${extra}content-length: ${body.length}\r\n\r\n${body}`;
}

/** 500s in the application's type with this id, changed by one thing each (the function of the request's id). */
const CHANGED: Readonly<Record<string, (id: string) => [type: string, id: string]>> = {
  'the type in other case': (id) => ['Application/Problem+json; charset=utf-8', id],
  'the type without its charset': (id) => ['application/problem+json', id],
  'the id with a character more': (id) => [TYPE, `${id}0`],
  'the id with a character less': (id) => [TYPE, id.slice(1)],
  'no id': () => [TYPE, ''],
};

/** `/api/ok/<n>`: a 200 with header lines n; `/api/own/<n>`: the application's 409 with them; `/api/500/<name>`: CHANGED. */
function answer(head: string, socket: Socket): void {
  const [, kind = '', rest = ''] = /^[A-Z]+ \/api\/([a-z0-9]+)\/?([^ ]*)/.exec(head) ?? [];
  const lines = HEADERS[Number(rest)]?.[1] ?? [];
  const extra = rest === '' ? '' : lines.map((line) => `${line}\r\n`).join('');
  const own = /\r\nx-request-id: *([^\r]*)/i.exec(head)?.[1] ?? '';
  const changed = CHANGED[decodeURIComponent(rest)]?.(own);
  if (kind === 'ok') socket.end(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n${extra}content-length: 2\r\n\r\nok`);
  else if (kind === 'own') socket.end(ownError(head, extra));
  else if (kind === '500') socket.end(ownError(head, '', 500, ...(changed ?? [TYPE, own])));
  else socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
}

const { get, origin } = behindGateway('nginx', answer);

describe('nginx: the answers on the edges of the filter skip', () => {
  it.each(HEADERS.map(([name], n) => [name, n] as const))(
    "%s on a 200 and on the application's own error answer: rewritten or removed",
    async (_name, n) => {
      const [, , expectation] = HEADERS[n] as (typeof HEADERS)[number];
      await expectOnSuccessAndOwnError(get, n, BACKEND_DETAIL, expectation);
    },
  );

  it("the application's own 409 and 500 pass as they came", async () => {
    for (const [path, status] of [
      ['/api/own', 409],
      ['/api/500', 500],
    ] as const) {
      const own = await get(path);
      expect(own.status).toBe(status);
      const body = JSON.parse(own.body) as Record<string, unknown>;
      expect(body).toMatchObject({ detail: BACKEND_DETAIL, code: 'CONFLICT' });
      expect(headerValues(own, 'x-request-id')).toEqual([body.request_id]);
      expect(headerValues(own, 'content-type')).toEqual([TYPE]);
    }
  });

  it.each(Object.keys(CHANGED))("a 500 in the application's type with this id, but %s: replaced", async (name) => {
    const exchange = await get(`/api/500/${encodeURIComponent(name)}`);
    expectFaultlineAnswer(exchange, 500, 'INTERNAL');
    expect(exchange.body).not.toContain(BACKEND_DETAIL);
  });
});

describe('nginx: the id it makes for a request that sent none', () => {
  it('is a UUID v4, with each of the four variant digits over 64 requests', async () => {
    const ids = await Promise.all(
      Array.from({ length: 64 }, async () => {
        const answer = await fetch(`${origin()}/api/ok`);
        await answer.text();
        return answer.headers.get('x-request-id') ?? '';
      }),
    );
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(64);
    // Each variant digit has a chance of 1/4 a request: all four appear but once in 10^7 runs.
    expect([...new Set(ids.map((id) => id.charAt(19)))].sort()).toEqual(['8', '9', 'a', 'b']);
  });
});
