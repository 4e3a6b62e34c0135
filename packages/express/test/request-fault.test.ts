/**
 * The error middleware and the not-found handler without `fl.requestId` in front (the id is then
 * the incoming header's, checked against the id policy and the peer), and with it: the reused
 * capture contexts carry each request's own id, validation input and peer.
 */
import type { Server } from 'node:http';
import { isUuid } from '@faultline/core';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultlineExpressOptions, faultline } from '../src/index.js';

const INCOMING = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

/** An Express 5 app with `/fail` and, when `withMiddleware`, `fl.requestId` first. */
async function start(options: FaultlineExpressOptions, withMiddleware: boolean): Promise<string> {
  const fl = faultline({ ...options, reporter: false });
  const app = express();
  if (withMiddleware) app.use(fl.requestId);
  app.get('/fail', () => {
    throw Object.assign(new Error('duplicate key'), { code: '23505', severity: 'ERROR' });
  });
  app.use(fl.notFound);
  app.use(fl.errorHandler);
  const s = await new Promise<Server>((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  server = s;
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}

async function idOf(url: string, incoming?: string): Promise<{ status: number; header: string | null; body: string }> {
  const response = await fetch(url, {
    headers: incoming === undefined ? {} : { 'x-request-id': incoming },
    signal: AbortSignal.timeout(5000),
  });
  const body = (await response.json()) as { request_id: string };
  return { status: response.status, header: response.headers.get('x-request-id'), body: body.request_id };
}

describe('faults of requests the id middleware did not see', () => {
  it.each([
    ['/fail', 409],
    ['/missing', 404],
  ])('keep an incoming id from a trusted peer on %s', async (path, status) => {
    const url = await start({ trustedProxies: ['127.0.0.1'] }, false);
    const answer = await idOf(`${url}${path}`, INCOMING);
    expect(answer).toEqual({ status, header: INCOMING, body: INCOMING });
  });

  it.each(['/fail', '/missing'])('replace an incoming id from a peer not trusted on %s', async (path) => {
    const url = await start({ trustedProxies: ['10.0.0.0/8'] }, false);
    const answer = await idOf(`${url}${path}`, INCOMING);
    expect(answer.body).not.toBe(INCOMING);
    expect(isUuid(answer.body)).toBe(true);
    expect(answer.header).toBe(answer.body);
  });

  it('give each request its own id, one after another (no id left in the reused context)', async () => {
    const url = await start({}, false);
    const first = await idOf(`${url}/fail`, INCOMING);
    const second = await idOf(`${url}/fail`);
    const third = await idOf(`${url}/missing`);
    expect(first.body).toBe(INCOMING);
    expect(isUuid(second.body) && second.body !== INCOMING).toBe(true);
    expect(isUuid(third.body) && third.body !== INCOMING && third.body !== second.body).toBe(true);
  });
});

describe('faults of requests the id middleware saw', () => {
  it('answer with the id the middleware issued, on both paths', async () => {
    const url = await start({}, true);
    for (const path of ['/fail', '/missing']) {
      const answer = await idOf(`${url}${path}`);
      expect(isUuid(answer.body)).toBe(true);
      expect(answer.header).toBe(answer.body);
    }
  });
});
