/**
 * A clean API that is not Faultline's, whose answers hold what a leak's signature may mistake for
 * one: SQL words in prose (`select one item from the table where …`), `trace` and trace ids, URL
 * paths under `/v1/files/home`, an `apiVersion` date and a version, UUIDs and hex ids, a `Warning`
 * field whose agent is a public host, a `WWW-Authenticate` realm. Its errors are problem JSON with
 * the fields a client needs, whatever the `Accept`, the method or the HTTP version; what node:http
 * refuses before any handler (a method it does not know, a head too long) is answered alike.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { portOf } from './planted.js';

/** The paths it serves (GET): the probe is told them. */
export const CLEAN_PATHS = ['/v1/files/home', '/v1/orders'];

const fields = () => ({
  'content-type': 'application/problem+json',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'x-request-id': crypto.randomUUID(),
  warning: '299 api.example.com "Deprecated API: use /v2"',
});
const problem = (status: number, detail: string) =>
  JSON.stringify({
    type: 'about:blank',
    title: 'Request failed',
    status,
    detail,
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  });
const LISTING = JSON.stringify({
  apiVersion: '2024-01-01',
  version: '1.2.3',
  items: [
    { id: '3fa85f64-5717-4562-b3fc-2c963f66afa6', ref: '65a1f0c2e4b0a1b2c3d4e5f6', href: '/v1/files/home/reports/q1' },
  ],
  sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  help: 'Select one item from the table where the price is lowest, then trace the order from the list.',
  trace: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
});

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= 1 << 20) chunks.push(chunk);
  });
  req.on('error', () => undefined);
  req.on('end', () => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const known = CLEAN_PATHS.includes(path);
    const error = (status: number, detail: string, extra: Record<string, string> = {}) =>
      res.writeHead(status, { ...fields(), ...extra }).end(req.method === 'HEAD' ? undefined : problem(status, detail));
    if (size > 1 << 20) return error(413, 'The body is larger than this API takes.');
    if (req.headers.authorization !== undefined)
      return error(401, 'The token is not valid.', { 'www-authenticate': 'Bearer realm="api", error="invalid_token"' });
    if (!['GET', 'HEAD'].includes(req.method ?? ''))
      return error(405, 'Select GET or HEAD from the methods this table lists.');
    if (!known) return error(404, 'No file at /v1/files/home under that name.');
    res.writeHead(200, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' }).end(LISTING);
  });
}

/** The clean API; closes with the returned function. */
export async function cleanWords(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handle);
  server.on('clientError', (_error: Error, socket: Socket) => {
    const body = problem(400, 'The request could not be read.');
    const head = Object.entries({ ...fields(), 'content-length': String(body.length), connection: 'close' })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    if (socket.writable) socket.end(`HTTP/1.1 400 Bad Request\r\n${head}\r\n${body}`);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
