/**
 * Text that is one line but shows nothing: only spaces (of any width: no-break, ideographic, em),
 * a run of bidirectional marks (LRM, RLM, ALM, which the text rule allows beside other
 * text) or the braille blank U+2800. As a message, an app would show an empty error; as a
 * violation's detail, or a JSON:API parameter or header name, an empty hint. Core's catalogs refuse
 * a blank message, so no Faultline server sends one: from any server, such text is dropped like an
 * oversized one (the message becomes the category's generic one), on every protocol. One real
 * HTTP server on 127.0.0.1 (ephemeral port); ws frames and gRPC details as ws 8 and grpc-js hand
 * them over (a Buffer, real grpc-js `Metadata`).
 */
import { createServer, type Server } from 'node:http';
import { Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGrpcFault } from '../src/grpc.js';
import { decodeFault, decodeWsFault, type RemoteFault } from '../src/index.js';
import { statusBytes } from './support/status-bytes.js';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const BLANK = [' ', '   ', '\u00a0', '\u3000\u2003', '\u200e', '\u200f\u061c', '\u2800', ' \u200e\u2800 '];
/** Text that shows something, with the same characters around it: it is kept. */
const SHOWN = [' x ', '\u200eשלום\u200f', '\u3000是\u3000', '\u2801'];
const GENERIC = 'The request is invalid.';

/** A violation per blank detail, then one that shows something. */
const violations = [
  ...BLANK.map((detail, i) => ({ pointer: `/b${i}`, detail })),
  { pointer: '/ok', detail: 'Is required.' },
];
const BODIES: Record<string, (text: string) => unknown> = {
  problem: (text) => ({ status: 400, code: 'TEXT_BLANK', request_id: ID, detail: text, errors: violations }),
  envelope: (text) => ({
    error: { status: 400, code: 'TEXT_BLANK', request_id: ID, message: text, errors: violations },
  }),
  jsonapi: (text) => ({
    errors: [
      { id: ID, code: 'TEXT_BLANK', detail: text },
      ...violations.map((v) => ({ id: ID, detail: v.detail, source: { pointer: v.pointer } })),
      ...BLANK.map((name) => ({ id: ID, detail: 'Is invalid.', source: { parameter: name } })),
      ...BLANK.map((name) => ({ id: ID, detail: 'Is invalid.', source: { header: name } })),
    ],
  }),
};

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const body = BODIES[url.pathname.slice(1)]?.(url.searchParams.get('text') ?? '');
    response.writeHead(400, { 'content-type': 'application/problem+json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** The fault of `format` with `text` as its message, over HTTP. */
async function http(format: string, text: string): Promise<RemoteFault> {
  return decodeFault(await fetch(`${base}/${format}?text=${encodeURIComponent(text)}`));
}

/** The fault of a ws error frame with `text` as its message, as ws 8 hands a binary frame over. */
function ws(text: string): RemoteFault | undefined {
  return decodeWsFault(Buffer.from(JSON.stringify(BODIES.envelope?.(text))));
}

/** The fault of gRPC details with `text` as the status message, read from real grpc-js Metadata. */
function grpc(text: string): RemoteFault {
  const metadata = new Metadata();
  metadata.set(
    'grpc-status-details-bin',
    statusBytes({
      code: 3,
      reason: 'TEXT_BLANK',
      message: text,
      requestId: ID,
      violations: violations.map((v) => ({ field: v.pointer.slice(1), description: v.detail })),
    }),
  );
  return decodeGrpcFault({ code: 3, metadata });
}

describe('text that shows nothing is dropped, on every protocol', () => {
  it('HTTP problem, envelope and JSON:API: a blank message is the generic one; blank details, parameters and headers are dropped', async () => {
    for (const format of ['problem', 'envelope', 'jsonapi']) {
      for (const text of BLANK) {
        const fault = await http(format, text);
        expect(fault, `${format} ${JSON.stringify(text)}`).toMatchObject({
          conforming: true,
          code: 'TEXT_BLANK',
          requestId: ID,
          message: GENERIC,
          fieldViolations: [{ pointer: '/ok', detail: 'Is required.' }],
        });
      }
    }
  });

  it('WebSocket error frame and gRPC details: the same', () => {
    for (const text of BLANK) {
      for (const fault of [ws(text), grpc(text)]) {
        expect(fault, `${fault?.protocol} ${JSON.stringify(text)}`).toMatchObject({
          conforming: true,
          code: 'TEXT_BLANK',
          requestId: ID,
          message: GENERIC,
          fieldViolations: [{ pointer: '/ok', detail: 'Is required.' }],
        });
      }
    }
  });

  it('text that shows something around spaces and marks is kept as sent', async () => {
    for (const text of SHOWN) {
      expect((await http('problem', text)).message).toBe(text);
      expect(ws(text)?.message).toBe(text);
      expect(grpc(text).message).toBe(text);
    }
  });
});
