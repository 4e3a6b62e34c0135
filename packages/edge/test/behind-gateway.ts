/**
 * One generated gateway (nginx or HAProxy, on `/api/`) in front of a raw backend answering with
 * `answer`, started before a test file's tests and stopped after them; and the check the skip
 * tests make of one header case through it.
 */
import type { Socket } from 'node:net';
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll, expect } from 'vitest';
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

/**
 * `/api/ok/<n>` (the backend's 200 `ok`) and `/api/own/<n>` (the application's own 409, whose
 * `detail` is `detail`) both pass as answers, each meeting `expectation` (header case n).
 */
export async function expectOnSuccessAndOwnError(
  get: (path: string) => Promise<Exchange>,
  n: number,
  detail: string,
  expectation: (exchange: Exchange) => void,
): Promise<void> {
  const ok = await get(`/api/ok/${n}`);
  expect(ok.status).toBe(200);
  expect(ok.body).toBe('ok');
  expectation(ok);
  const own = await get(`/api/own/${n}`);
  expect(own.status).toBe(409);
  expect(JSON.parse(own.body)).toMatchObject({ detail });
  expectation(own);
}
