/**
 * Text a hostile server sends on every protocol: CR/LF that forges log lines, ANSI escapes that
 * drive a terminal, NUL, U+2028, a right-to-left override and lone surrogates (which make
 * `encodeURIComponent` throw), and characters that hide or spoof text (variation selectors, bidi
 * marks, stray joiners, Hangul fillers, …), in messages, violation details, pointers and string params; and
 * JSON Pointers with a `~` that RFC 6901 does not allow. Real servers on 127.0.0.1 (ephemeral ports): node:http for problem JSON,
 * the envelope and JSON:API, ws for frames, grpc-js for `grpc-status-details-bin`. Each such text
 * is dropped like an oversized one, and every string in every fault is one line.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { jsonMethod } from '@faultline/testkit';
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { decodeGrpcFault } from '../src/grpc.js';
import { decodeFault, decodeWsFault, type RemoteFault } from '../src/index.js';
import { statusBytes } from './support/status-bytes.js';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const HOSTILE: readonly [string, string, string, string, string, ...string[]] = [
  'line\r\nX-Forged: 1',
  '\u001b[2J\u001b]0;pwned\u0007',
  'nul\u0000',
  'sep\u2028',
  'lone\ud800',
  'tab\t',
  'rlo\u202etxt.exe',
  'zero\u200bwidth',
  'tag\u{e0041}\u{e0042}',
  'bom\ufeff',
  'vs\ufe0f',
  'zwj\u200dx',
];
const FINE = 'Fine: ünïcödé 😀.';
/** Any text that is not one line, or that hides characters (no text here needs a joiner). */
const NOT_ONE_LINE = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}]/u;
/**
 * Each class of character that hides or spoofs text, alone in an otherwise fine message. None of
 * these is in a Faultline catalog's messages either.
 */
const HIDING: Record<string, readonly string[]> = {
  'variation selectors': ['x\ufe0f', 'x\ufe00', '\u2764\ufe0f', 'x\u{e0100}', 'x\u{e01ef}', 'x\u180b'],
  'tag characters': ['x\u{e0001}', 'x\u{e0041}', 'x\u{e007f}'],
  'bidi controls': ['x\u202a1', 'x\u202b1', 'x\u202e1', 'x\u20661', 'x\u20691'],
  'joiners where no script needs them': [
    'ad\u200dmin',
    'ad\u200cmin',
    '\u200dx',
    'x\u200c',
    'دا\u200c\u200cنم',
    '中\u200d文',
    'e\u0301\u200dx',
  ],
  'interlinear annotation characters': ['x\ufff9y\ufffaz\ufffb'],
  'Hangul fillers': ['x\u115f', 'x\u1160', 'x\u3164', 'x\uffa0'],
  'other invisible or format characters': [
    'x\u00ady', // soft hyphen
    'x\u034fy', // combining grapheme joiner
    'x\u180ey', // Mongolian vowel separator
    'x\u17b4y', // Khmer inherent vowel
    'x\u2062y', // invisible times
    'x\u206ay', // inhibit symmetric swapping
    'x\u{1d173}y', // musical symbol begin beam
    'x\ufffey', // noncharacter
  ],
};
/** Text that needs its joiner or is in any script: it passes. */
const NEEDS_JOINER = [
  'می\u200cخواهم',
  'क्\u200dष',
  'क्\u200cष',
  '👩🏽\u200d💻',
  '👨\u200d👩\u200d👧',
  'שלום עולם',
  'مرحبا',
  '你好',
  // The bidirectional marks place punctuation and numbers in right-to-left text.
  'שלום\u200f!',
  'x\u200e1',
  'م\u061c1',
];

const violations = [
  ...HOSTILE.map((detail, i) => ({ pointer: `/h${i}`, detail })),
  ...HOSTILE.map((bad) => ({ pointer: `/${bad}`, detail: 'Is required.' })),
  ...['/a~2b', '/a~', 'relative', '/~'].map((pointer) => ({ pointer, detail: 'Is required.' })),
  { pointer: '/ok~0~1/0', detail: FINE },
];
const params = Object.fromEntries([...HOSTILE.map((bad, i) => [`p${i}`, bad]), ['ok', FINE]]);
const BODIES: Record<string, unknown> = {
  problem: { status: 400, code: 'TEXT_HOSTILE', request_id: ID, detail: HOSTILE[1], errors: violations, params },
  envelope: {
    error: { status: 400, code: 'TEXT_HOSTILE', request_id: ID, message: HOSTILE[0], errors: violations, params },
  },
  jsonapi: {
    errors: [
      { id: ID, code: 'TEXT_HOSTILE', detail: HOSTILE[4], meta: params },
      ...violations.map((v) => ({ id: ID, detail: v.detail, source: { pointer: v.pointer } })),
      ...HOSTILE.map((bad) => ({ id: ID, detail: 'Is invalid.', source: { parameter: bad } })),
      ...HOSTILE.map((bad) => ({ id: ID, detail: 'Is invalid.', source: { header: bad } })),
      { id: ID, detail: 'Is invalid.', source: { parameter: 'sort' } },
    ],
  },
};

let http: HttpServer;
let wss: WebSocketServer;
let grpc: Server;
let base = '';
let wsUrl = '';
let grpcClient: InstanceType<ReturnType<typeof makeGenericClientConstructor>>;
beforeAll(async () => {
  http = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const text = url.searchParams.get('text');
    const body =
      text === null
        ? BODIES[url.pathname.slice(1)]
        : { status: 400, code: 'TEXT_HIDING', request_id: ID, detail: text };
    response.writeHead(400, { 'content-type': 'application/problem+json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (socket) => socket.send(Buffer.from(JSON.stringify(BODIES.envelope)), { binary: true }));
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  wsUrl = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
  grpc = new Server();
  const Service = { call: jsonMethod('/text.S/Call') };
  grpc.addService(Service, {
    call: (_call: unknown, callback: (e: unknown) => void) => {
      const metadata = new Metadata();
      const fieldViolations = violations.map((v) => ({ field: v.pointer.slice(1), description: v.detail }));
      metadata.set(
        'grpc-status-details-bin',
        statusBytes({
          code: 3,
          reason: 'TEXT_HOSTILE',
          message: HOSTILE[2],
          requestId: ID,
          metadata: params,
          violations: fieldViolations,
        }),
      );
      callback({ code: 3, details: 'hostile', metadata });
    },
  } as unknown as UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    grpc.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  grpcClient = new (makeGenericClientConstructor(Service, 'S'))(`127.0.0.1:${port}`, credentials.createInsecure());
});
afterAll(async () => {
  grpcClient.close();
  grpc.forceShutdown();
  for (const socket of wss.clients) socket.terminate();
  await new Promise((resolve) => wss.close(resolve));
  http.closeAllConnections();
  http.close();
});

/** Every string in a fault, with where it is. */
function strings(value: unknown, at = 'fault'): [string, string][] {
  if (typeof value === 'string') return [[at, value]];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => strings(v, `${at}.${key}`));
}

/** What every protocol must give for the hostile answer (`params` as they arrive). */
function expectOneLine(fault: RemoteFault | undefined, params: Record<string, string> = { ok: FINE }) {
  expect(fault).toMatchObject({ conforming: true, code: 'TEXT_HOSTILE', requestId: ID, category: 'validation' });
  expect(fault?.message).toBe('The request is invalid.');
  expect(fault?.params).toEqual(params);
  for (const [where, text] of strings(fault))
    expect(NOT_ONE_LINE.test(text), `${where}: ${JSON.stringify(text)}`).toBe(false);
  expect(() => encodeURIComponent(JSON.stringify(fault))).not.toThrow();
}

describe('text that is not one line, from every protocol', () => {
  it.each(['problem', 'envelope'])('HTTP %s: message, details, pointers and params are dropped', async (path) => {
    const fault = await decodeFault(await fetch(`${base}/${path}`));
    expectOneLine(fault);
    expect(fault.fieldViolations).toEqual([{ pointer: '/ok~0~1/0', detail: FINE }]);
  });

  it('HTTP JSON:API: also source.parameter and source.header', async () => {
    const fault = await decodeFault(await fetch(`${base}/jsonapi`));
    expectOneLine(fault);
    expect(fault.format).toBe('jsonapi');
    expect(fault.fieldViolations).toEqual([
      { pointer: '/ok~0~1/0', detail: FINE },
      { pointer: '', detail: 'Is invalid.', parameter: 'sort' },
    ]);
  });

  it('WebSocket binary frame', async () => {
    const data = await new Promise<WebSocket.RawData>((resolve, reject) => {
      const socket = new WebSocket(wsUrl);
      socket.once('message', (received) => {
        resolve(received);
        socket.close();
      });
      socket.once('error', reject);
    });
    const fault = decodeWsFault(data as Buffer);
    expectOneLine(fault);
    expect(fault?.fieldViolations).toEqual([{ pointer: '/ok~0~1/0', detail: FINE }]);
  });

  it('gRPC status details (field paths are escaped into pointers, so only the text rule applies)', async () => {
    const error = await new Promise<ServiceError>((resolve) =>
      (grpcClient as unknown as { call: (...a: unknown[]) => void }).call({}, new Metadata(), resolve),
    );
    const fault = decodeGrpcFault(error);
    // protobuf strings are UTF-8: the lone surrogate arrives as U+FFFD, which is one line.
    expectOneLine(fault, { p4: 'lone\ufffd', ok: FINE });
    expect(fault.fieldViolations.map((v) => v.detail)).not.toContain(HOSTILE[0]);
    expect(fault.fieldViolations).toContainEqual({ pointer: '/ok~00~01~10', detail: FINE });
  });
});

describe('text that hides or spoofs what it shows', () => {
  /** The message an HTTP problem with `text` as its detail decodes to. */
  async function messageOf(text: string): Promise<string> {
    const fault = await decodeFault(await fetch(`${base}/?text=${encodeURIComponent(text)}`));
    expect(fault).toMatchObject({ conforming: true, code: 'TEXT_HIDING', requestId: ID });
    return fault.message;
  }

  it.each(Object.entries(HIDING))('%s are dropped', async (_, texts) => {
    for (const text of texts) expect(await messageOf(text), JSON.stringify(text)).toBe('The request is invalid.');
  });

  it('joiners pass where a script or an emoji needs them, and so does any script', async () => {
    for (const text of NEEDS_JOINER) expect(await messageOf(text)).toBe(text);
  });
});
