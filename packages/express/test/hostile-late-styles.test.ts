/**
 * Hostile values (hostile-values.ts, plus `null`, `undefined`, `''`, `0`, `false` and a string)
 * through the failure styles hostile-styles.test.ts leaves out, on real Express 5 and Express 4
 * servers over raw sockets: a throw, a later `next(value)` and a rejection after the route sent
 * its head (the answer is cut short: never a complete-looking body, the connection closed, one
 * record under the id its head carried); a throw after the route ended its answer (that answer
 * stands whole); an app's own `res.render` callback that passes the view engine's value to `next`
 * or throws it; an app's `res.sendFile` callback that passes the value on; and Express's own
 * `sendFile` error for a missing file (404, the path never named), with and without a callback.
 * Handlers are wrapped in `asyncHandler` (a falsy value is "no error" to Express otherwise). Each
 * answer: no unhandled rejection, no byte of the value, and the server answers the next request.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { types } from 'node:util';
import { until } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asyncHandler } from '../src/index.js';
import type { ExpressRequest, ExpressResponse, NextFunction, RequestHandler } from '../src/types.js';
import { headerValue, type Major, type RunningApp, startApp } from './helpers.js';
import { FORBIDDEN, HOSTILE } from './hostile-values.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Hostile values and the primitives Express itself mistakes (falsy: "no error"; strings). */
const VALUES: Record<string, { make: () => unknown; status: number }> = {
  ...HOSTILE,
  null: { make: () => null, status: 500 },
  undefined: { make: () => undefined, status: 500 },
  'empty string': { make: () => '', status: 500 },
  zero: { make: () => 0, status: 500 },
  false: { make: () => false, status: 500 },
  'string with a secret': { make: () => `SELECT * FROM users_private ${FORBIDDEN[0]}`, status: 500 },
};
const NAMES = Object.keys(VALUES);
const valueAt = (index: unknown) => (VALUES[NAMES[Number(index)] as string] as { make: () => unknown }).make();
/** Whether `make` makes a truthy value (a promise it makes is marked handled: only routes throw them). */
function truthy(make: () => unknown): boolean {
  const value = make();
  if (types.isPromise(value)) value.catch(() => undefined);
  return Boolean(value);
}
/** The id of the last request whose route sent its head (the client may get none of it). */
let headId = '';

type Req = ExpressRequest & { params: Record<string, string> };
type Res = ExpressResponse & {
  render(view: string, options: object, callback: (error: unknown, html?: string) => void): void;
  sendFile(path: string, callback?: (error: unknown) => void): void;
};

const views = mkdtempSync(join(tmpdir(), 'faultline-late-'));
writeFileSync(join(views, 'page.hostile'), 'page');
afterAll(() => rmSync(views, { recursive: true, force: true }));
const tick = () => new Promise((resolve) => setImmediate(resolve));

let unhandled = 0;
const onUnhandled = () => {
  unhandled += 1;
};
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** Everything the server sent until it closed, a reset included (a cut answer may end in one). */
function exchange(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('close', () => resolve(text));
    socket.on('error', () => undefined);
    socket.setTimeout(5000, () => socket.destroy());
  });
}

describe.each([5, 4] as Major[])('Express %i: hostile values after the head, and in callbacks', (major) => {
  let app: RunningApp;
  let port: number;
  beforeAll(async () => {
    const wrap = asyncHandler as (handler: unknown) => RequestHandler;
    app = await startApp(major, (a) => {
      a.get('/ok', (_req: unknown, res: ExpressResponse) => res.end('fine'));
      const head = (req: Req, res: ExpressResponse) => {
        headId = String((req as { id?: unknown }).id);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
      };
      a.get(
        '/head-throw/:i',
        wrap((req: Req, res: Res) => {
          head(req, res);
          throw valueAt(req.params.i);
        }),
      );
      a.get(
        '/head-next/:i',
        wrap((req: Req, res: Res, next: NextFunction) => {
          head(req, res);
          setImmediate(() => next(valueAt(req.params.i) || new Error('falsy')));
        }),
      );
      a.get(
        '/head-reject/:i',
        wrap(async (req: Req, res: Res) => {
          head(req, res);
          await tick();
          throw valueAt(req.params.i);
        }),
      );
      a.get(
        '/ended-throw/:i',
        wrap((req: Req, res: Res) => {
          res.end('done');
          throw valueAt(req.params.i);
        }),
      );
      const engine = a as unknown as { engine(ext: string, fn: unknown): void; set(key: string, value: unknown): void };
      engine.engine('hostile', (_path: string, options: { i: string; sync?: boolean }, done: (e: unknown) => void) => {
        if (options.sync === true) throw valueAt(options.i);
        setImmediate(() => done(valueAt(options.i)));
      });
      engine.set('views', views);
      engine.set('view engine', 'hostile');
      a.get(
        '/render-next/:i',
        wrap((req: Req, res: Res, next: NextFunction) =>
          res.render('page', { i: req.params.i }, (error) => next(error || new Error('falsy'))),
        ),
      );
      a.get(
        '/render-throw/:i',
        wrap((req: Req, res: Res) =>
          res.render('page', { i: req.params.i, sync: true }, (error) => {
            throw error;
          }),
        ),
      );
      a.get(
        '/sendfile-next/:i',
        wrap((req: Req, res: Res, next: NextFunction) =>
          res.sendFile(join(views, 'missing.txt'), () => next(valueAt(req.params.i) || new Error('falsy'))),
        ),
      );
      a.get('/sendfile-missing', (_req: Req, res: Res) => res.sendFile(join(views, 'missing.txt')));
      a.get('/sendfile-missing-next', (_req: Req, res: Res, next: NextFunction) =>
        res.sendFile(join(views, 'missing.txt'), (error) => next(error)),
      );
    });
    port = Number(new URL(app.url).port);
  });
  afterAll(async () => {
    await app.stop();
  });

  const recordsOf = (id: string) =>
    app.records.filter((r) => r.request_id === id || (Array.isArray(r.request_ids) && r.request_ids.includes(id)));

  /**
   * What is wrong with the answer to `path` (empty when nothing): `status`; `whole` (the route's
   * own answer, complete); or `cut`: Express's finalhandler does the same, the connection is
   * destroyed at once, so the client gets no byte (what the route wrote was still in the socket's
   * buffer) or the head and part of the body, never a complete body.
   */
  async function check(path: string, expected: number | 'cut' | 'whole'): Promise<string[]> {
    const before = unhandled;
    const raw = await exchange(port, path);
    const problems: string[] = [];
    for (const fragment of [...FORBIDDEN, views, 'faultline-late-', 'missing.txt', 'ENOENT'])
      if (raw.includes(fragment)) problems.push(`leaks ${fragment}`);
    const end = raw.indexOf('\r\n\r\n');
    const [line = '', ...lines] = raw.slice(0, Math.max(end, 0)).split('\r\n');
    const body = raw.slice(end + 4);
    const id = expected === 'cut' ? headId : (headerValue(lines, 'x-request-id') ?? '');
    if (!UUID.test(id)) problems.push(`id ${id}`);
    if (expected === 'cut') {
      if (raw !== '' && line !== 'HTTP/1.1 200 OK') problems.push(`status line ${line.slice(0, 80)}`);
      if (raw !== '' && headerValue(lines, 'x-request-id') !== id) problems.push('another id');
      // Chunked: a complete body ends with the last chunk; a cut one never does.
      if (raw !== '' && (!'7\r\npartial\r\n'.startsWith(body.slice(0, 12)) || body.endsWith('0\r\n\r\n')))
        problems.push(`body ${body.slice(0, 40)}`);
    } else if (expected === 'whole') {
      if (line !== 'HTTP/1.1 200 OK' || !raw.endsWith('done')) problems.push(`answer ${raw.slice(0, 80)}`);
    } else {
      if (!line.startsWith(`HTTP/1.1 ${expected} `)) problems.push(`status line ${line.slice(0, 80) || '(none)'}`);
      if (headerValue(lines, 'content-type') !== 'application/problem+json; charset=utf-8')
        problems.push(`content-type ${headerValue(lines, 'content-type')}`);
      let bodyId: unknown;
      try {
        bodyId = (JSON.parse(body) as { request_id?: unknown }).request_id;
      } catch {
        bodyId = undefined;
      }
      if (bodyId !== id) problems.push(`body id ${String(bodyId)}`);
    }
    // The record is written a turn after the answer; a second one would come in that turn too.
    await until(() => recordsOf(id).length > 0, 1000);
    await tick();
    if (recordsOf(id).length !== 1) problems.push(`${recordsOf(id).length} records`);
    if (unhandled !== before) problems.push('an unhandled rejection');
    const next = await exchange(port, '/ok');
    if (!next.startsWith('HTTP/1.1 200 ') || !next.endsWith('fine')) problems.push('the next request failed');
    return problems;
  }

  it.each(NAMES.map((name, i) => [name, i] as const))('%s', { timeout: 20_000 }, async (name, i) => {
    const { make, status } = VALUES[name] as { make: () => unknown; status: number };
    // An engine's falsy value is its success (`done(null, html)`): rendering fails only with a truthy one.
    const renders = truthy(make) ? ['render-next', 'render-throw'] : [];
    const styles: [string, number | 'cut' | 'whole'][] = [
      ['head-throw', 'cut'],
      ['head-next', 'cut'],
      ['head-reject', 'cut'],
      ['ended-throw', 'whole'],
      ...renders.map((style) => [style, status] as [string, number]),
      ['sendfile-next', truthy(make) ? status : 500],
    ];
    const failures: string[] = [];
    for (const [style, expected] of styles) {
      const problems = await check(`/${style}/${i}`, expected);
      if (problems.length > 0) failures.push(`${style}: ${problems.join(', ')}`);
    }
    expect(failures).toEqual([]);
  });

  it.each(['/sendfile-missing', '/sendfile-missing-next'])(
    "Express's own sendFile error (%s): 404, the path never named",
    async (path) => {
      expect(await check(path, 404)).toEqual([]);
    },
  );
});
