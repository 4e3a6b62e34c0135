/**
 * Failures after the answer was sent, on real Express 5 and Express 4 servers (one each): a throw,
 * a `next(err)` and a rejection after `res.json`/`res.send`/`res.end`, after a streamed body was
 * written and ended, and a throw or rejection in the response's own `finish` or `close` listener
 * (an uncaught exception before: the process ended). The client keeps the answer
 * it got (status and body whole), the failure is recorded exactly once under the `X-Request-ID`
 * the client saw, redacted, nothing of it reaches stderr raw, and the server keeps serving.
 */
import { until } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExpressRequest, ExpressResponse, NextFunction } from '../src/types.js';
import { type Major, type RunningApp, startApp } from './helpers.js';

const SECRET = 'postgres://app:hunter2@db.internal.example/shop';
const tick = () => new Promise((resolve) => setImmediate(resolve));
const fail = (where: string) => new Error(`late ${where} ${SECRET}`);

type Handler = (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => unknown;
const ROUTES: Record<string, Handler> = {
  'json-throw': (_req, res) => {
    (res as unknown as { json(v: unknown): void }).json({ ok: true });
    throw fail('json-throw');
  },
  'send-next': (_req, res, next) => {
    (res as unknown as { send(v: unknown): void }).send('ok');
    next(fail('send-next'));
  },
  'send-next-later': (_req, res, next) => {
    (res as unknown as { send(v: unknown): void }).send('ok');
    setImmediate(() => next(fail('send-next-later')));
  },
  'end-reject': async (_req, res) => {
    res.end('ok');
    await tick();
    throw fail('end-reject');
  },
  'end-reject-now': async (_req, res) => {
    res.end('ok');
    throw fail('end-reject-now');
  },
  'stream-throw': (_req, res) => {
    res.write('o');
    res.end('k');
    throw fail('stream-throw');
  },
  'stream-reject': async (_req, res) => {
    res.write('o');
    await tick();
    res.end('k');
    await tick();
    throw fail('stream-reject');
  },
  'finish-throw': (_req, res) => {
    res.on('finish', () => {
      throw fail('finish-throw');
    });
    res.end('ok');
  },
  'finish-reject': (_req, res) => {
    res.once('finish', async () => {
      await tick();
      throw fail('finish-reject');
    });
    res.end('ok');
  },
  'close-throw': (_req, res) => {
    res.prependListener('close', () => {
      throw fail('close-throw');
    });
    res.end('ok');
  },
};

describe('response listeners', () => {
  it('removeListener, listeners() and a once listener behave as on any emitter', async () => {
    const seen: string[] = [];
    const app = await startApp(5, (a) => {
      a.get('/listeners', (_req: unknown, res: ExpressResponse) => {
        const kept = () => seen.push('kept');
        const removed = () => seen.push('removed');
        const once = () => seen.push('once');
        res.on('finish', kept);
        res.on('finish', removed);
        res.once('finish', once);
        res.removeListener('finish', removed);
        seen.push(String(res.listeners('finish').includes(kept)));
        res.end('ok');
      });
    });
    try {
      await (await fetch(`${app.url}/listeners`)).text();
      await until(() => seen.length >= 3);
      expect(seen).toEqual(['true', 'kept', 'once']);
    } finally {
      await app.stop();
    }
  });
});

describe.each([5, 4] as Major[])('Express %i: a failure after the answer', (major) => {
  let app: RunningApp;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
      stderr.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    app = await startApp(major, (a, wrap) => {
      for (const [name, handler] of Object.entries(ROUTES)) a.get(`/${name}`, wrap(handler as never));
      a.get('/ok', (_req: unknown, res: ExpressResponse) => res.end('fine'));
    });
  });
  afterAll(async () => {
    process.stderr.write = write;
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    await app.stop();
  });

  it.each(Object.keys(ROUTES))('%s: answer whole, one redacted record under its id', async (name) => {
    const response = await fetch(`${app.url}/${name}`);
    const id = response.headers.get('x-request-id');
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^(ok|\{"ok":true\})$/);
    expect(id).toBeTruthy();
    await until(() => app.records.some((r) => r.request_id === id));
    await tick();
    const mine = app.records.filter((r) => r.request_id === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 500 });
    expect(JSON.stringify(mine)).not.toContain('hunter2');
    expect(uncaught).toEqual([]);
    expect(stderr.join('')).not.toContain('hunter2');
    expect((await fetch(`${app.url}/ok`)).status).toBe(200);
  });
});
