/**
 * Round 8 clean control on node:http: answers that look like the round 8 signatures and are
 * ordinary data (a workout's `routine` and `file`, a promotion's `P2002` code, `table`, `select` and
 * `path` in prose, a `/home/featured` URL path, a report's file name, hex, UUID, ISO date and base64
 * ids, the deployment's environment name, error codes named in help, a CDN's cache node, an
 * OpenAPI 3.1.0 document, a `Location` under `/api/v1`, an SSE error event with a code). Nothing
 * here is a leak.
 */
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import { type LeakyTarget, portOf } from './planted.js';

/** One clean route: its status, extra fields and body. */
interface CleanRoute {
  readonly status: number;
  readonly type: string;
  readonly fields?: OutgoingHttpHeaders;
  readonly body: string;
}

const JSON_TYPE = 'application/json';
const PROBLEM = 'application/problem+json';

/** The clean routes, by path. */
export const ROUND8_CLEAN: Readonly<Record<string, CleanRoute>> = {
  '/openapi.yaml': {
    status: 200,
    type: 'application/yaml',
    body: 'openapi: 3.1.0\ninfo:\n  title: Shop API\n  version: 2.3.0\npaths:\n  /api/v1/orders:\n    post:\n      summary: Select items from the table and create an order\n',
  },
  '/api/v1/orders': {
    status: 201,
    type: JSON_TYPE,
    fields: { location: '/api/v1/orders/123e4567-e89b-42d3-a456-426614174000' },
    body: '{"id":"123e4567-e89b-42d3-a456-426614174000","created":"2024-01-02T03:04:05.678Z"}',
  },
  '/workouts': {
    status: 200,
    type: JSON_TYPE,
    body: '{"routine":"morning_stretch","file":"plan.pdf","line":"A","severity":"low","code":"A1234"}',
  },
  '/promo': {
    status: 409,
    type: PROBLEM,
    body: '{"type":"about:blank","title":"Conflict","status":409,"code":"P2002","detail":"Promo code already used"}',
  },
  '/search': {
    status: 400,
    type: PROBLEM,
    body: '{"title":"Invalid table selection","detail":"Select a row from the table, then update its path.","path":"/home/featured","status":400}',
  },
  '/files': {
    status: 200,
    type: JSON_TYPE,
    body: '{"filename":"/reports/2024-q1.pdf","id":"5f8d0d55b54764421b7156c9","sha":"9c56cc51b374c3ba189210d5b6d4bf57790d351c96c47c02190ecf1e430635ab","token":"dGhpcyBpcyBhIHB1YmxpYyBpZA=="}',
  },
  '/status': {
    status: 200,
    type: JSON_TYPE,
    fields: { via: '1.1 varnish', 'x-served-by': 'cache-fra19142-FRA', 'x-cache': 'MISS' },
    body: '{"environment":"production","region":"eu-west-1","version":"3.2.1","node":"healthy"}',
  },
  '/help/errors': {
    status: 200,
    type: JSON_TYPE,
    body: '{"codes":["ENOENT","EACCES","ECONNREFUSED"],"help":"ENOENT: see /docs/errors for the codes a job may report","severity":"ERROR","hint":"validation errors for each field are listed"}',
  },
  '/signup': {
    status: 422,
    type: PROBLEM,
    body: '{"title":"Unprocessable","status":422,"errors":[{"field":"email","type":"unique","message":"is already taken"},{"field":"qty","type":"integer","message":"must be a whole number"}]}',
  },
  '/events': {
    status: 200,
    type: 'text/event-stream',
    body: 'event: error\ndata: {"code":"UPSTREAM_UNAVAILABLE","id":"123e4567-e89b-42d3-a456-426614174000"}\n\n',
  },
};

/** The clean target: each route answers its body, whatever the request; problem JSON elsewhere. */
export async function round8Clean(): Promise<LeakyTarget> {
  const server = createServer((req, res) => {
    req.resume();
    const route = ROUND8_CLEAN[new URL(req.url ?? '/', 'http://x').pathname] ?? {
      status: 404,
      type: PROBLEM,
      body: '{"type":"about:blank","title":"Not Found","status":404}',
    };
    res.writeHead(route.status, {
      'content-type': route.type,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'x-request-id': crypto.randomUUID(),
      ...route.fields,
    });
    res.end(req.method === 'HEAD' ? undefined : route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'round 8 clean',
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: [],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
