/**
 * Faultline writes its error headers straight into the reply's header table (no per-call copy of
 * each name): the table must be found on the Fastify in use, stale headers must go whichever way
 * the route set them, and a reply without the table (another Fastify) still gets every header.
 */
import type { FastifyReply } from 'fastify';
import { describe, expect, it } from 'vitest';
import { removeReplyHeaders, replyHeaderTable, setReplyHeader, setReplyHeaders } from '../src/reply-headers.js';
import { buildApp } from './helpers.js';

describe('reply header table', () => {
  it('is found on this Fastify, and what is written there is sent', async () => {
    const { app } = await buildApp();
    let found: unknown;
    app.get('/table', async (_req, reply) => {
      found = replyHeaderTable(reply);
      setReplyHeader(reply, 'x-one', '1');
      setReplyHeaders(reply, { 'x-two': '2', 'x-three': '3' });
      return 'ok';
    });
    const res = await app.inject('/table');
    expect(typeof found).toBe('object');
    expect(res.headers).toMatchObject({ 'x-one': '1', 'x-two': '2', 'x-three': '3' });
    await app.close();
  });

  it('error answers drop stale headers set on the raw response too', async () => {
    const { app } = await buildApp();
    app.get('/raw-headers', async (_req, reply) => {
      reply.raw.setHeader('ETag', '"raw"');
      reply.raw.setHeader('x-kept', 'yes');
      reply.header('content-disposition', 'attachment; filename=secret.csv');
      throw new Error('route secret');
    });
    const res = await app.inject('/raw-headers');
    expect(res.statusCode).toBe(500);
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(res.headers['x-kept']).toBe('yes');
    await app.close();
  });

  it('falls back to the public methods on a reply without the table', () => {
    const headers: Record<string, string> = { etag: '"v1"', 'x-kept': 'yes' };
    const reply = {
      raw: { getHeaderNames: () => [], removeHeader: () => undefined },
      header(name: string, value: string) {
        headers[name] = value;
        return reply;
      },
      getHeaders: () => ({ ...headers }),
      removeHeader(name: string) {
        delete headers[name];
        return reply;
      },
    } as unknown as FastifyReply;
    expect(replyHeaderTable(reply)).toBeUndefined();
    setReplyHeaders(reply, { 'content-type': 'application/problem+json' });
    setReplyHeader(reply, 'x-request-id', 'id');
    removeReplyHeaders(reply, new Set(['etag']));
    expect(headers).toEqual({ 'x-kept': 'yes', 'content-type': 'application/problem+json', 'x-request-id': 'id' });
  });
});
