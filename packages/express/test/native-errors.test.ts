/**
 * Node's own errors (testkit's `NATIVE_VALUES`) and popular libraries' (`LIBRARY_VALUES`) through
 * Express 5 and 4 failure styles: a sync
 * throw, `next(err)`, an async rejection, an error middleware that throws the value, a stream
 * piped to the answer that fails before its first byte, and an event listener that passes the
 * value on. Each answer: the category's status with its generic text, a UUID v4 id equal to
 * X-Request-ID, nothing of the path, host, address, SQL, argv or library text; the record under
 * the id keeps the code and syscall, redacted; the server keeps serving. One server per major.
 */
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { TAXONOMY } from '@faultline/core';
import {
  crashWatch,
  type NativeValue,
  nativeHttpProblems,
  prepareNativeValues,
  REAL_WORLD_CORPORA,
  REAL_WORLD_VALUES,
} from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExpressRequest, ExpressResponse, NextFunction } from '../src/types.js';
import { type Major, type RunningApp, startApp } from './helpers.js';

type Req = ExpressRequest & { path: string };
type Res = ExpressResponse & { json(value: unknown): void; setHeader(n: string, v: string): void };
/** The value named by the path's last segment (error middleware has no route params). */
const VALUES = REAL_WORLD_VALUES;
const nativeOf = (req: Req) => VALUES[decodeURIComponent(req.path.split('/')[2] ?? '')]?.make();
const STYLES = ['sync', 'next', 'async', 'error-mw', 'stream', 'listener'] as const;

const watch = crashWatch();
beforeAll(async () => {
  watch.start();
  await prepareNativeValues();
});
afterAll(() => watch.stop());

describe.each([5, 4] as Major[])("Node's own errors through Express %i", (major) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(
      major,
      (express, wrap) => {
        express.get('/sync/:name', (req: Req) => {
          throw nativeOf(req);
        });
        express.get('/next/:name', (req: Req, _res: Res, next: NextFunction) => next(nativeOf(req)));
        express.get(
          '/async/:name',
          wrap((async (req: Req) => {
            await new Promise((resolve) => setImmediate(resolve));
            throw nativeOf(req);
          }) as never),
        );
        express.get('/error-mw/:name', () => {
          throw new Error('first failure');
        });
        express.get('/stream/:name', (req: Req, res: Res, next: NextFunction) => {
          const stream = new Readable({ read: () => stream.destroy(nativeOf(req) as Error) });
          stream.on('error', next);
          stream.pipe(res as unknown as NodeJS.WritableStream);
        });
        express.get('/listener/:name', (req: Req, _res: Res, next: NextFunction) => {
          const emitter = new EventEmitter();
          emitter.on('row', () => {
            try {
              throw nativeOf(req);
            } catch (error) {
              next(error);
            }
          });
          setImmediate(() => emitter.emit('row'));
        });
        express.get('/health', (_req: Req, res: Res) => res.json({ ok: true }));
      },
      ((error: unknown, req: Req, _res: Res, next: NextFunction) => {
        if (req.path.startsWith('/error-mw/')) throw nativeOf(req);
        next(error);
      }) as never,
    );
  });
  afterAll(() => app.stop());

  it.each(REAL_WORLD_CORPORA)(
    '%s in every style: its status, generic text, one id, no leak, a full record',
    async (_t, values: Readonly<Record<string, NativeValue>>, forbidden: readonly string[]) => {
      const wrong: string[] = [];
      for (const [name, native] of Object.entries(values)) {
        const spec = TAXONOMY[native.category as keyof typeof TAXONOMY];
        for (const style of STYLES) {
          const response = await fetch(`${app.url}/${style}/${encodeURIComponent(name)}`);
          const problems = await nativeHttpProblems(response, native, app.records, spec, forbidden);
          if (problems.length > 0) wrong.push(`${name} / ${style}: ${problems.join(', ')}`);
        }
      }
      expect(wrong).toEqual([]);
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
      expect(watch.crashes).toEqual([]);
    },
  );
});
