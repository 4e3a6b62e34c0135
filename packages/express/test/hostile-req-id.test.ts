/**
 * A `req.id` the application made hostile, on real Express 5 and Express 4 servers: an own
 * accessor whose getter throws (or a Proxy value) was read bare when a fault took its id, so the
 * error middleware threw, Faultline's final handler threw again, and the response was destroyed:
 * no answer, no record. The id Faultline's middleware issued answers instead.
 */
import { rawHttpExchange } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExpressRequest, NextFunction } from '../src/types.js';
import { headerValue, type Major, type RunningApp, startApp } from './helpers.js';

const SECRET = 'hunter2-req-id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const boom = () => {
  throw new Error(`getter ${SECRET}`);
};

describe.each([5, 4] as Major[])('Express %i: a hostile req.id', (major) => {
  let app: RunningApp;
  let port: number;
  beforeAll(async () => {
    app = await startApp(major, (a) => {
      a.use('/getter', (req: ExpressRequest, _res: unknown, next: NextFunction) => {
        Object.defineProperty(req, 'id', { get: boom, configurable: true });
        next();
      });
      a.use('/proxy', (req: ExpressRequest, _res: unknown, next: NextFunction) => {
        req.id = new Proxy({}, { get: boom, getPrototypeOf: boom });
        next();
      });
      for (const path of ['/getter/fail', '/proxy/fail'])
        a.get(path, () => {
          throw new Error(`route ${SECRET}`);
        });
    });
    port = Number(new URL(app.url).port);
  });
  afterAll(async () => {
    await app.stop();
  });

  it.each(['/getter/fail', '/getter/missing', '/proxy/fail', '/proxy/missing'])(
    '%s: answered with the middleware’s id, one record',
    async (path) => {
      const raw = await rawHttpExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(raw).not.toContain('hunter2');
      const end = raw.indexOf('\r\n\r\n');
      const [line = '', ...lines] = raw.slice(0, end).split('\r\n');
      expect(line).toMatch(/^HTTP\/1\.1 (500|404) /);
      const id = headerValue(lines, 'x-request-id');
      expect(id).toMatch(UUID);
      expect((JSON.parse(raw.slice(end + 4)) as { request_id: string }).request_id).toBe(id);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(app.records.filter((r) => r.request_id === id)).toHaveLength(1);
    },
  );
});
