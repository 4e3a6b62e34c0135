/**
 * `decodeFault` against servers that never finish their body: a real HTTP server on 127.0.0.1
 * (ephemeral port) stalls after a few bytes, trickles a byte every 50 ms, or promises more bytes
 * than it sends. Each decodes by status within its bound (`timeoutMs`, the caller's `signal`, or
 * `DECODE_LIMITS.bodyTimeoutMs` by default), and the body is cancelled so the server sees its
 * connection closed. Every call is timed against a bound of its own, so a hang fails fast.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DECODE_LIMITS, decodeFault } from '../src/index.js';
import { type RouteHandler, type RouteServer, startRouteServer, within } from './support/route-server.js';

const PROBLEM = { 'content-type': 'application/problem+json', 'retry-after': '7' };
const ROUTES: Record<string, RouteHandler> = {
  '/stall': (response) => {
    response.writeHead(503, PROBLEM);
    response.write('{"code":"UNAVAILABLE",');
  },
  '/trickle': (response) => {
    response.writeHead(503, PROBLEM);
    response.write('{"code":"UNAVAILABLE","detail":"');
    const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write('x')), 50);
  },
  '/lying-length': (response) => {
    response.writeHead(503, { ...PROBLEM, 'content-length': '4096' });
    response.write('{"code":"UNAVAILABLE"}');
  },
};

let server: RouteServer;
beforeAll(async () => {
  server = await startRouteServer(ROUTES);
});
afterAll(() => server.close());
afterEach(() => {
  vi.useRealTimers();
});

const BY_STATUS = {
  protocol: 'http',
  format: 'unknown',
  conforming: false,
  status: 503,
  category: 'unavailable',
  code: 'UNAVAILABLE',
  retryAfter: 7,
};

describe('a body that never ends', () => {
  it.each(Object.keys(ROUTES))(
    '%s decodes by status once timeoutMs passes, and the connection is closed',
    async (path) => {
      const response = await fetch(`${server.base}${path}`);
      const started = Date.now();
      const fault = await within(3000, decodeFault(response, undefined, { timeoutMs: 300 }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(fault).toMatchObject(BY_STATUS);
      expect(await within(3000, server.cut(path))).toBe(true);
    },
  );

  it('stops when the signal aborts (no time bound), without rejecting', async () => {
    const response = await fetch(`${server.base}/stall`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('page closed')), 200);
    const fault = await within(
      3000,
      decodeFault(response, undefined, { timeoutMs: Number.POSITIVE_INFINITY, signal: controller.signal }),
    );
    expect(fault).toMatchObject(BY_STATUS);
    expect(await within(3000, server.cut('/stall'))).toBe(true);
  });

  it('reads nothing when the signal has already aborted', async () => {
    const response = await fetch(`${server.base}/trickle`);
    const fault = await within(1000, decodeFault(response, undefined, { signal: AbortSignal.abort() }));
    expect(fault).toMatchObject(BY_STATUS);
  });

  it('a stream of empty chunks stops after a bounded number of them, not starving the deadline', async () => {
    // Each empty chunk resolves without waiting for I/O: a reader that did not count them would
    // never let the deadline's timer run (nor this test's), and would grow until out of memory.
    let pulls = 0;
    const empty = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        pulls += 1;
        controller.enqueue(new Uint8Array(0));
      },
    });
    const response = new Response(empty, { status: 503, headers: { 'retry-after': '7' } });
    const fault = await within(3000, decodeFault(response, undefined, { timeoutMs: 300 }));
    expect(fault).toMatchObject(BY_STATUS);
    expect(pulls).toBeLessThan(2000);
  });

  it('a body that ends in time still decodes, and its timer does not outlive the call', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const body = new Response('{"code":"SEAT_TAKEN","detail":"Taken."}').body;
    const fault = await decodeFault({ status: 409, headers: new Headers(), body, text: async () => '' });
    expect(fault).toMatchObject({ format: 'problem', code: 'SEAT_TAKEN', message: 'Taken.' });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('the default bound', () => {
  it(`is DECODE_LIMITS.bodyTimeoutMs (${DECODE_LIMITS.bodyTimeoutMs} ms), for a stream and for text()`, async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let cancelled = false;
    const stalled = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new TextEncoder().encode('{"code":')),
      cancel: () => {
        cancelled = true;
      },
    });
    const headers = new Headers({ 'retry-after': '7' });
    let settled = false;
    const fromStream = decodeFault({ status: 503, headers, body: stalled, text: () => new Promise(() => undefined) });
    const fromText = decodeFault({ status: 503, headers, text: () => new Promise<string>(() => undefined) });
    void fromStream.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(DECODE_LIMITS.bodyTimeoutMs - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await fromStream).toMatchObject(BY_STATUS);
    expect(await fromText).toMatchObject(BY_STATUS);
    expect(cancelled).toBe(true);
  });

  it.each([
    ['NaN', Number.NaN],
    ['a negative number', -1],
    ['a string', '100'],
  ])('is used when timeoutMs is %s', async (_label, timeoutMs) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let settled = false;
    const pending = decodeFault(
      { status: 503, headers: new Headers(), text: () => new Promise<string>(() => undefined) },
      undefined,
      { timeoutMs: timeoutMs as number },
    ).then((fault) => {
      settled = true;
      return fault;
    });
    await vi.advanceTimersByTimeAsync(DECODE_LIMITS.bodyTimeoutMs - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toMatchObject({ conforming: false, status: 503 });
  });

  it('a timeoutMs over the longest timer (2^31 - 1 ms) does not fire at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let settled = false;
    void decodeFault(
      { status: 503, headers: new Headers(), text: () => new Promise<string>(() => undefined) },
      undefined,
      { timeoutMs: 1e12 },
    ).then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(settled).toBe(false);
    vi.clearAllTimers();
  });
});
