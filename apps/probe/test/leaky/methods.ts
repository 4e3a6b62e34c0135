/**
 * A leaky target on node:http whose leaks are only in the answers to OPTIONS (a stack from a CORS
 * handler) and HEAD (a debug header; the answer has a Content-Length and, as HEAD requires, no
 * body). Every other request gets a clean problem JSON 404.
 */
import { createServer } from 'node:http';
import { type LeakyTarget, portOf } from './planted.js';

const CLEAN_BODY = '{"type":"about:blank","title":"Not Found","status":404,"code":"NOT_FOUND"}';

/** The methods target. */
export async function methodsApi(): Promise<LeakyTarget> {
  const server = createServer((req, res) => {
    req.resume();
    const clean = {
      'content-type': 'application/problem+json',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'x-request-id': crypto.randomUUID(),
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(500, clean);
      res.end(
        JSON.stringify({ error: 'TypeError: origin.split is not a function\n    at cors (/srv/api/src/cors.js:9:21)' }),
      );
    } else if (req.method === 'HEAD') {
      res.writeHead(404, {
        ...clean,
        'content-length': CLEAN_BODY.length,
        'x-debug-handler': '/srv/api/src/routes/index.js',
      });
      res.end();
    } else {
      res.writeHead(404, { ...clean, 'content-length': CLEAN_BODY.length });
      res.end(CLEAN_BODY);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'plain http, leaks only on OPTIONS and HEAD',
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: [
      { rule: 'leak/stack-node', where: 'OPTIONS /' },
      { rule: 'leak/path', where: 'HEAD /' },
    ],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
