/**
 * An answer cut mid-way: a body stream that fails after its first chunk (the headers, with the
 * id, have left), and a client reading such an answer until the cut.
 */
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';

/** The first (and only) chunk of {@link streamFailingMidway}. */
export const MIDWAY_CHUNK = '{"partial":';

/**
 * A stream that sends {@link MIDWAY_CHUNK}, then on its next read, a turn later, hands itself to
 * `fail` (to destroy it, or emit 'error', with the value under test).
 */
export function streamFailingMidway(fail: (stream: Readable) => void): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(MIDWAY_CHUNK);
        return;
      }
      setImmediate(() => fail(this));
    },
  });
}

/**
 * GETs `path` from 127.0.0.1:`port` with node:http and resolves with the response headers and the
 * body that arrived before the answer ended or was cut (a stream that failed mid-way); rejects
 * when no response came within `timeoutMs`.
 */
export function httpGetUntilCut(
  port: number | string,
  path: string,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<{ headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      const done = () => resolve({ headers: res.headers, body });
      res.on('end', done);
      res.on('aborted', done);
      res.on('error', done);
      res.on('close', done);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
