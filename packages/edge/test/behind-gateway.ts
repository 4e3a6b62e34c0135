/**
 * One generated gateway (nginx or HAProxy, on `/api/`) in front of a raw backend answering with
 * `answer`, started before a test file's tests and stopped after them.
 */
import type { Socket } from 'node:net';
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll } from 'vitest';
import { curl, type Exchange, type Gateway, startHaproxy, startNginx } from './gateway.js';
import { type RawBackend, startRawBackend } from './raw-backend.js';

/**
 * Registers the file's `beforeAll`/`afterAll` that start and stop the backend and `gateway`;
 * returns a GET of a path through the gateway (curl) and the gateway's origin (once started).
 */
export function behindGateway(
  gateway: 'nginx' | 'haproxy',
  answer: (head: string, socket: Socket) => void,
): { get: (path: string) => Promise<Exchange>; origin: () => string } {
  let backend: RawBackend | undefined;
  let started: Gateway | undefined;
  beforeAll(async () => {
    backend = await startRawBackend(answer);
    const options = { upstreams: [`127.0.0.1:${backend.port}`], routes: ['/api/'] };
    started = await (gateway === 'nginx' ? startNginx : startHaproxy)(await freePort(), options);
  });
  afterAll(async () => {
    await started?.stop();
    await backend?.stop();
  });
  const origin = () => `http://127.0.0.1:${started?.port}`;
  return { get: (path) => curl([`${origin()}${path}`]), origin };
}
