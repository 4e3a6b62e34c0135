/**
 * The generated HAProxy skips the rules an answer needs none of (`http-response allow`, see
 * `src/haproxy/responses.ts`): an answer under 400 or the application's own error answer skips the
 * pages, and one without any header the rules rewrite skips those too. These answers sit on the
 * edges of the skips: each rewritten header alone, on a success and on the application's own error
 * answer, is still removed or rewritten; the application's type and this request's id with a
 * second Content-Type (or another type in the same line) are still replaced.
 */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { expectFaultlineAnswer } from './answers.js';
import { behindGateway, expectOnSuccessAndOwnError } from './behind-gateway.js';
import { type Exchange, headerValues } from './gateway.js';

const TYPE = 'application/problem+json; charset=utf-8';
const BACKEND_DETAIL = 'from the backend';

/** Each header the rules remove or rewrite, alone on an answer, and what the client must get. */
const HEADERS: readonly (readonly [string, (exchange: Exchange) => void])[] = [
  ...['server: Apache/2.4.1', 'x-powered-by: Express', 'via: 1.1 varnish', 'x-aspnet-version: 4.0.30319']
    .concat(['x-aspnetmvc-version: 5.2', 'x-sourcefiles: =?UTF-8?B?QzpcaW5l?=', 'x-runtime: 0.12'])
    .concat(['x-generator: Drupal 9', 'x-debug-token-link: http://10.0.0.5:8080/_profiler/4f2a1b'])
    .map(
      (line) =>
        [
          line,
          (exchange: Exchange) => expect(headerValues(exchange, line.slice(0, line.indexOf(':')))).toEqual([]),
        ] as const,
    ),
  ['location: http://api.internal:8080/api/moved', (e) => expect(headerValues(e, 'location')).toEqual(['/api/moved'])],
  [
    'content-location: http://10.0.0.5/api/here',
    (e) => expect(headerValues(e, 'content-location')).toEqual(['/api/here']),
  ],
  [
    'content-location: \r\ncontent-location: http://10.0.0.5/api/here',
    (e) => expect(headerValues(e, 'content-location').join('\n')).not.toContain('10.0.0.5'),
  ],
  [
    'content-location: /api/here\r\ncontent-location: http://orders-svc:8080/api/here',
    (e) => expect(headerValues(e, 'content-location').join('\n')).not.toContain('orders-svc'),
  ],
  ['refresh: 0; url=http://localhost:3000/api/r', (e) => expect(headerValues(e, 'refresh')).toEqual(['0; url=/api/r'])],
  ['link: <http://a.internal/api/a>; rel=next', (e) => expect(headerValues(e, 'link')).toEqual(['</api/a>; rel=next'])],
  [
    'www-authenticate: Bearer realm="db.internal", error_description="SELECT * FROM users"',
    (e) => expect(headerValues(e, 'www-authenticate')).toEqual(['Bearer']),
  ],
];

/** The application's own 409 for the request `head`: its type, the request's id, one header more. */
function ownError(head: string, extra: string, contentType = `content-type: ${TYPE}`): string {
  const id = /\r\nx-request-id: *([^\r]*)/i.exec(head)?.[1] ?? '';
  const body = `{"type":"about:blank","title":"Conflict","status":409,"detail":"${BACKEND_DETAIL}","code":"CONFLICT","request_id":"${id}"}`;
  return `HTTP/1.1 409 Conflict\r\n${contentType}\r\nx-request-id: ${id}\r\n${extra}content-length: ${body.length}\r\n\r\n${body}`;
}

/** Answers `/api/ok/<n>` with a 200 and header n, `/api/own/<n>` with the application's 409 and header n. */
function answer(head: string, socket: Socket): void {
  const [, kind = '', n = ''] = /^[A-Z]+ \/api\/([a-z-]+)\/?(\d*)/.exec(head) ?? [];
  const extra = n === '' ? '' : `${HEADERS[Number(n)]?.[0]}\r\n`;
  if (kind === 'ok') socket.end(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n${extra}content-length: 2\r\n\r\nok`);
  else if (kind === 'own') socket.end(ownError(head, extra));
  else if (kind === 'two-types') socket.end(ownError(head, `content-type: ${TYPE}\r\n`));
  else if (kind === 'type-list') socket.end(ownError(head, '', `content-type: text/html, ${TYPE}`));
  else socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
}

const { get } = behindGateway('haproxy', answer);

describe('haproxy: the answers on the edges of the skipped rules', () => {
  it.each(HEADERS.map(([line], n) => [line.slice(0, line.indexOf(':')), n] as const))(
    "%s alone on a 200 and on the application's own error answer: removed or rewritten",
    async (_name, n) => {
      const [, expectation] = HEADERS[n] as (typeof HEADERS)[number];
      await expectOnSuccessAndOwnError(get, n, BACKEND_DETAIL, expectation);
    },
  );

  it("the application's own error answer passes as it came", async () => {
    const own = await get('/api/own');
    expect(own.status).toBe(409);
    const body = JSON.parse(own.body) as Record<string, unknown>;
    expect(body).toMatchObject({ detail: BACKEND_DETAIL, code: 'CONFLICT' });
    expect(headerValues(own, 'x-request-id')).toEqual([body.request_id]);
    expect(headerValues(own, 'content-type')).toEqual([TYPE]);
  });

  it.each(['two-types', 'type-list'])(
    "the application's type and this id, but %s in Content-Type: replaced by the gateway's page",
    async (path) => {
      const exchange = await get(`/api/${path}`);
      expectFaultlineAnswer(exchange, 409, 'CONFLICT');
      expect(exchange.body).not.toContain(BACKEND_DETAIL);
    },
  );
});
