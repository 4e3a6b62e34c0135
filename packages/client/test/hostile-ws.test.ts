/**
 * A hostile WebSocket server (a real ws server on 127.0.0.1) sends frames and closes that no
 * Faultline server would; a real ws client hands what it receives, as ws 8 passes it (Buffers),
 * to `decodeWsFault`. Codes, statuses, sizes, params and violations are held to the rules of
 * every protocol, and nothing throws.
 */
import { runInNewContext } from 'node:vm';
import { defineCatalog } from '@faultline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { DECODE_LIMITS, decodeWsFault } from '../src/index.js';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const errors = defineCatalog({
  WS_TOO_MANY_ITEMS: { category: 'validation', message: 'At most {limit} items.', params: { limit: 'integer' } },
});
const frame = (error: Record<string, unknown>) => JSON.stringify({ error });
const HOSTILE_CODES = [
  'constructor',
  '__proto__',
  'toString',
  '<script>alert(1)</script>',
  'A'.repeat(4096),
  'A'.repeat(100 * 1024),
];
const BAD_STATUSES = [-1, 1e308, 4.5, 200, '409', null];

/** What the server sends for each message it receives: a frame, or a close (code and reason). */
const SEND: Record<string, string | { close: number; reason: string }> = {
  violations: frame({
    status: 400,
    code: 'VALIDATION_FAILED',
    message: 'The request is invalid.',
    request_id: ID,
    errors: [
      { pointer: '/items/0/qty', detail: 'Is below the minimum.' },
      { pointer: '/sku', detail: 'Is required.' },
    ],
  }),
  unknownConflict: frame({ status: 409, code: 'SEAT_TAKEN', message: 'The seat is taken.', request_id: ID }),
  hugeDetail: frame({ status: 400, code: 'WS_BIG', message: 'x'.repeat(10 * 1024 * 1024), request_id: ID }),
  longMessage: frame({ status: 400, code: 'WS_BIG', message: 'x'.repeat(DECODE_LIMITS.message + 1), request_id: ID }),
  manyViolations: frame({
    status: 400,
    code: 'VALIDATION_FAILED',
    errors: Array.from({ length: 1500 }, (_, i) => ({ pointer: `/${i}`, detail: 'Is required.' })),
  }),
  badViolations: frame({
    status: 400,
    code: 'VALIDATION_FAILED',
    errors: [
      { pointer: 'items.0', detail: 'Is required.' },
      { pointer: '/a', detail: 'd'.repeat(10_000) },
      { pointer: `/${'p'.repeat(10_000)}`, detail: 'Is required.' },
      { pointer: '/b', detail: 42 },
      'not an object',
      { pointer: '/ok', detail: 'Is required.' },
    ],
  }),
  hostileParams: `{"error":{"status":400,"code":"WS_FREE","params":{"__proto__":{"polluted":1},"constructor":"x","toString":"y","valueOf":1,"long":"${'v'.repeat(10_000)}","nested":{"a":1},"inf":1e999,"ok":"fine","n":3}}}`,
  manyParams: frame({
    status: 400,
    code: 'WS_FREE',
    params: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`p${i}`, i])),
  }),
  contradicting: frame({ status: 400, code: 'WS_TOO_MANY_ITEMS', params: { limit: 'DROP TABLE', extra: 'x' } }),
  violationsBinary: frame({ status: 400, code: 'VALIDATION_FAILED', request_id: ID }),
  closeOk: { close: 1013, reason: `UNAVAILABLE ${ID}` },
  closeHostile: { close: 4409, reason: '<script>alert(1)</script>' },
  closeProto: { close: 1011, reason: `__proto__ ${ID}` },
  closeBidi: { close: 4503, reason: `UNAVAILABLE \u202e${ID}` },
  closeControl: { close: 4503, reason: `UNAVAILABLE\r\n${ID}` },
  hostileIdFragmented: frame({ status: 409, code: 'SEAT_TAKEN', message: 'Taken.', request_id: `${ID}\u2066` }),
  hostileIdBinary: frame({ status: 409, code: 'SEAT_TAKEN', message: 'Taken.', request_id: `\u001b[2J${ID}` }),
  retryHuge: frame({ status: 429, code: 'RATE_LIMITED', request_id: ID, retry_after: 1e308 }),
  retryNegative: frame({ status: 429, code: 'RATE_LIMITED', request_id: ID, retry_after: -5 }),
  retryString: frame({ status: 429, code: 'RATE_LIMITED', request_id: ID, retry_after: '30' }),
  retryFraction: frame({ status: 429, code: 'RATE_LIMITED', request_id: ID, retry_after: 1.2 }),
  retryInherited: `{"error":{"status":429,"code":"RATE_LIMITED","request_id":"${ID}","__proto__":{"retry_after":9}}}`,
};
for (const [i, code] of HOSTILE_CODES.entries())
  SEND[`code${i}`] = frame({ status: 409, code, message: 'pwned', request_id: ID });
for (const [i, status] of BAD_STATUSES.entries())
  SEND[`status${i}`] = frame({ status, code: 'SEAT_TAKEN', message: 'pwned' });

let wss: WebSocketServer;
let url = '';
beforeAll(async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  wss.on('connection', (socket) =>
    socket.on('message', (data) => {
      const answer = SEND[String(data)];
      if (typeof answer === 'string' && String(data).endsWith('Fragmented')) {
        // One message in three fragments (a text frame and two continuations).
        const third = Math.ceil(answer.length / 3);
        for (let at = 0; at < answer.length; at += third)
          socket.send(answer.slice(at, at + third), { fin: at + third >= answer.length });
      } else if (typeof answer === 'string') socket.send(answer, { binary: String(data).endsWith('Binary') });
      else if (answer !== undefined) socket.close(answer.close, answer.reason);
    }),
  );
  await new Promise((resolve) => wss.once('listening', resolve));
  url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
});
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise((resolve) => wss.close(resolve));
});

/** Sends `name` and returns what ws hands the client first: a frame's data, or a close's code and reason. */
function exchange(name: string, binaryType: 'nodebuffer' | 'arraybuffer' = 'nodebuffer') {
  return new Promise<{ data: Buffer | ArrayBuffer } | { code: number; reason: Buffer }>((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.binaryType = binaryType;
    const timer = setTimeout(() => reject(new Error(`no answer to ${name}`)), 10_000);
    socket.on('open', () => socket.send(name));
    socket.on('message', (data) => {
      clearTimeout(timer);
      resolve({ data: data as Buffer | ArrayBuffer });
      socket.close();
    });
    socket.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason });
    });
  });
}
const decode = async (name: string, catalog?: typeof errors) => {
  const got = await exchange(name);
  return 'data' in got ? decodeWsFault(got.data, catalog) : decodeWsFault(got, catalog);
};

describe('hostile WebSocket frames', () => {
  it('keeps the field violations the server sent (errors[])', async () => {
    expect((await decode('violations'))?.fieldViolations).toEqual([
      { pointer: '/items/0/qty', detail: 'Is below the minimum.' },
      { pointer: '/sku', detail: 'Is required.' },
    ]);
  });

  it.each(HOSTILE_CODES.map((code, i) => [code.slice(0, 30), i]))(
    'code %s is not conforming (the HTTP code rule)',
    async (_label, i) => {
      const fault = await decode(`code${i}`, errors);
      // A frame over DECODE_LIMITS.body (the 100 KB code) is not decoded at all.
      if (JSON.stringify(SEND[`code${i}`]).length > DECODE_LIMITS.body) return expect(fault).toBeUndefined();
      expect(fault).toMatchObject({ conforming: false, format: 'unknown', code: 'CONFLICT', category: 'conflict' });
      expect(fault?.message).not.toBe('pwned');
    },
  );

  it.each(BAD_STATUSES.map((status, i) => [String(status), i]))('status %s is not an error status', async (_l, i) => {
    const fault = await decode(`status${i}`);
    expect(fault).toMatchObject({ conforming: false, status: 500, category: 'internal', code: 'INTERNAL' });
    expect(fault?.message).not.toBe('pwned');
  });

  it('an unknown code falls back to the status category, as HTTP does (409 -> conflict)', async () => {
    expect(await decode('unknownConflict')).toMatchObject({
      code: 'SEAT_TAKEN',
      category: 'conflict',
      status: 409,
      conforming: true,
      format: 'envelope',
      message: 'The seat is taken.',
      requestId: ID,
    });
  });

  it('a 10 MB frame is not decoded; a message over 1024 characters becomes the generic one', async () => {
    expect(await decode('hugeDetail')).toBeUndefined();
    expect(await decode('longMessage')).toMatchObject({ code: 'WS_BIG', message: 'The request is invalid.' });
  });

  it('violations are bounded: at most 100, each a JSON Pointer and a detail of at most 256 characters', async () => {
    const many = await decode('manyViolations');
    expect(many?.fieldViolations).toHaveLength(DECODE_LIMITS.violations);
    expect((await decode('badViolations'))?.fieldViolations).toEqual([{ pointer: '/ok', detail: 'Is required.' }]);
  });

  it('params are bounded and never prototype members', async () => {
    const fault = await decode('hostileParams');
    expect(fault?.params).toEqual({ ok: 'fine', n: 3 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(String(fault?.params)).toBe('[object Object]');
    expect(Object.keys((await decode('manyParams'))?.params ?? {})).toHaveLength(DECODE_LIMITS.params);
  });

  it('params contradicting the catalog are dropped', async () => {
    expect((await decode('contradicting', errors))?.params).toEqual({});
    expect((await decode('contradicting'))?.params).toEqual({ limit: 'DROP TABLE', extra: 'x' });
  });

  it.each(['hostileIdFragmented', 'hostileIdBinary'])(
    '%s: a request id that is not a UUID is dropped',
    async (name) => {
      expect(await decode(name)).toMatchObject({
        conforming: true,
        code: 'SEAT_TAKEN',
        message: 'Taken.',
        requestId: undefined,
      });
    },
  );

  it.each([
    ['retryHuge', 86_400],
    ['retryNegative', undefined],
    ['retryString', undefined],
    ['retryFraction', 2],
    ['retryInherited', undefined],
  ])('%s: retry_after is a bounded number of seconds, or nothing', async (name, seconds) => {
    const fault = await decode(name);
    expect(fault?.code).toBe('RATE_LIMITED');
    expect(fault?.retryAfter).toBe(seconds);
  });

  it('takes binary frames as ws passes them (ArrayBuffer)', async () => {
    const got = await exchange('violationsBinary', 'arraybuffer');
    expect('data' in got && got.data instanceof ArrayBuffer).toBe(true);
    expect('data' in got && decodeWsFault(got.data)).toMatchObject({ code: 'VALIDATION_FAILED', requestId: ID });
  });
});

describe('hostile closes, with the reason as ws 8 passes it (a Buffer)', () => {
  it('decodes a Faultline reason from a Buffer', async () => {
    const got = await exchange('closeOk');
    expect('reason' in got && Buffer.isBuffer(got.reason)).toBe(true);
    expect(await decode('closeOk')).toMatchObject({
      code: 'UNAVAILABLE',
      category: 'unavailable',
      format: 'close-reason',
      requestId: ID,
      retryable: true,
    });
  });

  it.each(['closeHostile', 'closeProto'])('%s: a reason that breaks the code rule is not conforming', async (name) => {
    const fault = await decode(name);
    expect(fault).toMatchObject({ conforming: false, format: 'unknown' });
    expect(fault?.code).toMatch(/^[A-Z_]+$/);
  });

  it('a bidi override before the id drops the id; a CR/LF in the reason breaks the code rule', async () => {
    expect(await decode('closeBidi')).toMatchObject({
      code: 'UNAVAILABLE',
      format: 'close-reason',
      requestId: undefined,
    });
    expect(await decode('closeControl')).toMatchObject({ conforming: false, format: 'unknown', requestId: undefined });
  });
});

describe('never throws, whatever it is given', () => {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  it.each([
    ['null', null],
    ['a number', 42],
    ['an empty object', {}],
    ['a Blob', new Blob(['{"error":{"code":"X_Y"}}'])],
    ['a revoked proxy', revoked.proxy],
    [
      'a throwing getter',
      Object.defineProperty({}, 'code', {
        get: () => {
          throw new Error('boom');
        },
      }),
    ],
    ['a numeric reason', { code: 4409, reason: 12345 }],
    ['a string code', { code: '4409', reason: 'CONFLICT' }],
    ['an array of strings', ['{"error":', '{"code":"X_Y"}}']],
    ['a Uint8Array reason', { code: 4409, reason: new TextEncoder().encode(`CONFLICT ${ID}`) }],
    ['a huge reason', { code: 4409, reason: `CONFLICT ${'x'.repeat(100_000)}` }],
    ['JSON null', 'null'],
    ['an error string', '{"error":"nope"}'],
  ])('%s', (_label, input) => {
    expect(() => decodeWsFault(input as never)).not.toThrow();
  });
  it('a frame as fragments (Buffer[]) decodes; in more parts than the bytes a frame may hold, it is not read', () => {
    const body = Buffer.from(frame({ status: 409, code: 'SEAT_TAKEN', request_id: ID }));
    const parts = [body.subarray(0, 5), body.subarray(5, 9), body.subarray(9)];
    expect(decodeWsFault(parts)).toMatchObject({ code: 'SEAT_TAKEN', requestId: ID });
    const padded = [...Array.from({ length: DECODE_LIMITS.body }, () => Buffer.alloc(0)), body];
    expect(decodeWsFault(padded)).toBeUndefined();
  });
  it('the documented close shape decodes from every reason type ws and browsers use', () => {
    const text = `CONFLICT ${ID}`;
    for (const reason of [
      text,
      Buffer.from(text),
      new TextEncoder().encode(text),
      new TextEncoder().encode(text).buffer,
    ]) {
      expect(decodeWsFault({ code: 4409, reason })).toMatchObject({
        code: 'CONFLICT',
        requestId: ID,
        conforming: true,
      });
    }
    expect(decodeWsFault({ code: 4409, reason: `CONFLICT ${'x'.repeat(200)}` })).toMatchObject({ conforming: false });
  });
  it('bytes made in another realm (a vm context, as an iframe hands them over) are read; look-alikes are not', () => {
    const foreign = (text: string) => runInNewContext('Uint8Array.from(codes)', { codes: [...Buffer.from(text)] });
    const body = foreign(frame({ status: 409, code: 'SEAT_TAKEN', request_id: ID }));
    expect(body instanceof Uint8Array).toBe(false);
    expect(decodeWsFault(body)).toMatchObject({ code: 'SEAT_TAKEN', requestId: ID });
    expect(decodeWsFault(body.buffer)).toMatchObject({ code: 'SEAT_TAKEN', requestId: ID });
    expect(decodeWsFault([body.subarray(0, 7), body.subarray(7)])).toMatchObject({ code: 'SEAT_TAKEN' });
    expect(decodeWsFault({ code: 4409, reason: foreign(`CONFLICT ${ID}`) })).toMatchObject({
      code: 'CONFLICT',
      requestId: ID,
      conforming: true,
    });
    const real = Buffer.from(frame({ status: 409, code: 'SEAT_TAKEN', request_id: ID }));
    for (const lookAlike of [
      Object.create(Uint8Array.prototype),
      new Proxy(real, {}),
      Object.defineProperty(Object.create(ArrayBuffer.prototype), 'byteLength', { value: 3 }),
    ])
      expect(decodeWsFault(lookAlike)).toBeUndefined();
  });
  it('a string reason is measured in UTF-8 bytes, as its Buffer would be: 86 characters, 166 bytes is over 123', () => {
    const long = `CONFLICT ${ID} ${'\u20ac'.repeat(40)}`;
    expect(long.length).toBeLessThanOrEqual(123);
    expect(Buffer.byteLength(long)).toBeGreaterThan(123);
    expect(decodeWsFault({ code: 4409, reason: long })).toMatchObject({ conforming: false });
    expect(decodeWsFault({ code: 4409, reason: Buffer.from(long) })).toMatchObject({ conforming: false });
    // Judged as its UTF-8 bytes are, at the limit and one byte past it (a surrogate pair counts 4,
    // a lone surrogate 3, as TextEncoder writes it).
    const base = `CONFLICT ${ID} ${'\u{1F600}'.repeat(19)}`;
    for (const reason of [`${base}x`, `${base}xx`, `${base}\ud800`, `${base.slice(0, -1)}`]) {
      const bytes = new TextEncoder().encode(reason);
      expect(decodeWsFault({ code: 4409, reason }), `${bytes.length} bytes`).toEqual(
        decodeWsFault({ code: 4409, reason: bytes }),
      );
    }
    expect(new TextEncoder().encode(`${base}x`).length).toBe(123);
    expect(decodeWsFault({ code: 4409, reason: `${base}xx` })).toMatchObject({ conforming: false });
  });
});
