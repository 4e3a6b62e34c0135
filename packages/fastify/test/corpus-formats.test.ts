/**
 * The adversarial corpus in every other answer format: `envelope`, `jsonapi` and `negotiate`
 * (each case asked for a different format through `Accept`), through a real Fastify server over
 * HTTP/1.1 (fetch) and h2c (node:http2), thrown and rejected. Each answer is in the format asked
 * for, has the expected status and code and the request id in body and header, JSON:API answers
 * validate against the JSON:API 1.1 schema, and no forbidden substring reaches the status line,
 * headers or body: 0 leaks.
 */
import { type ClientHttp2Session, connect } from 'node:http2';
import { type Category, TAXONOMY } from '@faultline/core';
import { CORPUS, type CorpusCase, jsonApiSchemaErrors, leaksIn } from '@faultline/testkit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions } from '../src/index.js';
import { type Answer, postJson, postJsonH2 } from './helpers.js';

const JSONAPI = 'application/vnd.api+json';
const FORMATS = ['problem', 'envelope', 'jsonapi'] as const;
type Format = (typeof FORMATS)[number];
const ACCEPT: Readonly<Record<Format, string>> = {
  problem: 'application/problem+json',
  envelope: 'application/json',
  jsonapi: JSONAPI,
};

/** What any of the three formats says: its format, status, code and request id. */
function read(answer: Answer): { format: Format; status: unknown; code: unknown; id: unknown } {
  const type = answer.headers['content-type'] ?? '';
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  if (type === JSONAPI) {
    expect(jsonApiSchemaErrors(body)).toEqual([]);
    const [first] = body.errors as Record<string, unknown>[];
    return { format: 'jsonapi', status: Number(first?.status), code: first?.code, id: first?.id };
  }
  if (type.startsWith('application/json')) {
    const error = body.error as Record<string, unknown>;
    return { format: 'envelope', status: error.status, code: error.code, id: error.request_id };
  }
  expect(type).toMatch(/^application\/problem\+json/);
  return { format: 'problem', status: body.status, code: body.code, id: body.request_id };
}

async function build(format: 'envelope' | 'jsonapi' | 'negotiate', http2: boolean): Promise<FastifyInstance> {
  const options = http2 ? ({ ...faultlineServerOptions(), http2: true } as object) : faultlineServerOptions();
  const app = Fastify(options) as unknown as FastifyInstance;
  await app.register(faultline, { format, reporter: false });
  const make = (index: string) => (CORPUS[Number(index)] as CorpusCase).make();
  app.post<{ Params: { i: string } }>('/sync/:i', (request) => {
    throw make(request.params.i);
  });
  app.post<{ Params: { i: string } }>('/async/:i', async (request) => {
    await new Promise((resolve) => setImmediate(resolve));
    throw make(request.params.i);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}

function portOf(app: FastifyInstance): number {
  return (app.server.address() as { port: number }).port;
}

describe.each([
  ['envelope', 'HTTP/1.1'],
  ['envelope', 'h2c'],
  ['jsonapi', 'HTTP/1.1'],
  ['jsonapi', 'h2c'],
  ['negotiate', 'HTTP/1.1'],
  ['negotiate', 'h2c'],
] as const)('corpus in %s over %s', (format, protocol) => {
  let app: FastifyInstance;
  let session: ClientHttp2Session | undefined;
  let leaks = 0;
  beforeAll(async () => {
    app = await build(format, protocol === 'h2c');
    if (protocol === 'h2c') session = connect(`http://127.0.0.1:${portOf(app)}`);
  });
  afterAll(async () => {
    session?.close();
    await app.close();
  });

  async function send(path: string, accept: string, body: unknown): Promise<Answer> {
    if (session !== undefined) return postJsonH2(session, path, body, { accept }, 10_000);
    return postJson(`http://127.0.0.1:${portOf(app)}${path}`, body, { accept }, 10_000);
  }

  it.each(CORPUS.map((c, i) => [c.name, i] as const))('%s', async (_name, index) => {
    const testCase = CORPUS[index] as CorpusCase;
    const spec = TAXONOMY[(testCase.liveHttpCategory ?? testCase.category) as Category];
    // negotiate: each case asks for another format; fixed formats ignore Accept.
    const asked = FORMATS[index % FORMATS.length] as Format;
    const expected: Format = format === 'negotiate' ? asked : format;
    for (const style of ['sync', 'async']) {
      const answer = await send(`/${style}/${index}`, ACCEPT[asked], testCase.input ?? {});
      const seen = read(answer);
      expect(seen).toMatchObject({ format: expected, status: spec.http, code: spec.code });
      expect(answer.status).toBe(spec.http);
      expect(answer.headers['x-request-id']).toBe(seen.id);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['cache-control']).toBe('no-store');
      if (format === 'negotiate') expect(answer.headers.vary).toBe('Accept');
      const found = leaksIn(`${answer.status}\n${JSON.stringify(answer.headers)}\n${answer.body}`, testCase);
      leaks += found.length;
      expect(found).toEqual([]);
    }
  });

  it('leaked nothing in any case', () => {
    expect(leaks).toBe(0);
  });
});
