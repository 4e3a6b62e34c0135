/**
 * Leaky targets whose OpenAPI document is where their framework serves it by default, not at the
 * first locations the probe tried: NestJS (`/api-json`), ASP.NET Swashbuckle
 * (`/swagger/v1/swagger.json`), ASP.NET 9 (`/openapi/v1.json`) and springfox (`/v2/api-docs`). Each
 * leaks only on an operation its document names, under a path no common path guesses: a string
 * where its document says the id is an integer.
 */
import { createServer } from 'node:http';
import { type LeakyTarget, portOf } from './planted.js';

/** The framework default locations, each with the collection its document names. */
export const ELSEWHERE = [
  { location: '/api-json', collection: '/api/parcels' },
  { location: '/swagger/v1/swagger.json', collection: '/api/Shipments' },
  { location: '/openapi/v1.json', collection: '/v2/consignments' },
  { location: '/v2/api-docs', collection: '/rest/manifests' },
] as const;

const CLEAN = '{"type":"about:blank","title":"Not Found","status":404}';

/** A document with one operation: GET `{collection}/{id}`, an integer id. */
function document(collection: string): string {
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
  return JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'shipping', version: '1' },
    paths: { [`${collection}/{id}`]: { get: { parameters: [id], responses: { 200: { description: 'ok' } } } } },
  });
}

/** The target serving its document at `location`; its leak is pg's text on a non-integer id. */
export async function openapiElsewhere(location: string, collection: string): Promise<LeakyTarget> {
  const server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const fields = {
      'content-type': 'application/json',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'x-request-id': crypto.randomUUID(),
    };
    if (path === location) return void res.writeHead(200, fields).end(document(collection));
    const id = path.startsWith(`${collection}/`) ? path.slice(collection.length + 1) : undefined;
    if (id !== undefined && id !== '' && !/^\d+$/.test(id))
      return void res
        .writeHead(500, fields)
        .end(JSON.stringify({ error: `invalid input syntax for type integer: "${decodeURIComponent(id)}"` }));
    res.writeHead(404, fields).end(CLEAN);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: `OpenAPI at ${location}`,
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: [{ rule: 'leak/driver-pg', where: collection, severity: 'high' }],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
