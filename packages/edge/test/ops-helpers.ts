/**
 * Helpers of the operations tests (`ops-*.test.ts`): a certificate, a plain Node service whose
 * answers an operator meets (a 503 stack page, `Connection: close`, an answer that stops mid-body,
 * its idle connections), a GET that sends a request id, and a raw exchange that writes bytes as
 * given.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type Agent, createServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A self-signed certificate for 127.0.0.1: its files for nginx, and both in one PEM for HAProxy. */
export interface OpsCertificate {
  readonly crt: string;
  readonly key: string;
  readonly bundle: string;
}

/** Makes an {@link OpsCertificate} in a temp dir with one openssl call (an EC key: fast). */
export function opsCertificate(): OpsCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-edge-ops-cert-'));
  const [crt, key, bundle] = ['server.crt', 'server.key', 'bundle.pem'].map((name) => join(dir, name)) as [
    string,
    string,
    string,
  ];
  const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', ...subject].concat(
      ['-keyout', key, '-out', crt],
    ),
    { stdio: 'ignore' },
  );
  writeFileSync(bundle, `${readFileSync(crt, 'utf8')}${readFileSync(key, 'utf8')}`);
  return { crt, key, bundle };
}

/** The 503 page of `/api/stack`: a stack, a path and an internal address. */
export const STACK = '<h1>503</h1><pre>Error at Pool.acquire (/srv/app/db.js:12:5) 10.0.0.5:5432</pre>';

/** Answers `body` with its length, `status` and `headers`. */
function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) }).end(body);
}

/**
 * The service (Node's defaults, so a kept-alive connection idle for 5 s is closed by it):
 * `/api/echo` (any other path too) answers the id it got; the others answer as named. The
 * connection that carried `/api/idle` reports, once closed, whether the gateway closed it first
 * (`onIdleClose(true)`) or the service did (`false`).
 */
export function opsService(onIdleClose: (byGateway: boolean) => void = () => undefined): Server {
  const watched = new WeakSet<object>();
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const seen = JSON.stringify({ seen: req.headers['x-request-id'] });
    const json = { 'content-type': 'application/json' };
    if (path === '/api/idle' && !watched.has(req.socket)) {
      watched.add(req.socket);
      let ended = false; // the gateway's FIN came first
      req.socket.once('end', () => {
        ended = true;
      });
      req.socket.once('close', () => onIdleClose(ended));
    }
    if (path === '/api/slow') setTimeout(() => send(res, 200, json, seen), 600);
    else if (path === '/api/stack') send(res, 503, { 'content-type': 'text/html' }, STACK);
    else if (path === '/api/close') send(res, 200, { ...json, connection: 'close' }, '{"closed":true}');
    else if (path === '/api/stall') {
      // The head and half the body, then silence past readTimeout.
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('a'.repeat(50));
    } else send(res, 200, json, seen);
  });
}

/**
 * GET `path` from 127.0.0.1:`port` with `X-Request-ID: id`, on a new connection (or `agent`'s): the
 * status, the answer's id and body; status 0 and the error's message when no answer came.
 */
export function get(port: number, path: string, id: string, agent: Agent | false = false) {
  return new Promise<{ status: number; id: string; body: string }>((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent, headers: { 'x-request-id': id } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, id: String(res.headers['x-request-id']), body }));
    });
    req.on('error', (error) => resolve({ status: 0, id: '', body: error.message }));
    req.end();
  });
}

/**
 * Writes `head` (each character one byte, so `\xff` is the byte 0xff) to 127.0.0.1:`port` and
 * resolves with what came back once the gateway closed the connection (or reset it).
 */
export function rawHttpExchange(port: number, head: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(Buffer.from(head, 'latin1')));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
    socket.setTimeout(5000, () => socket.destroy());
  });
}
