/**
 * The generators fed what `defineCatalog` would never make, and routes from any framework: codes
 * that are not component names, unknown or `Object.prototype` categories, definitions filed under
 * another code, things that are not catalogs, urls without a leading slash, a path parameter named
 * twice, methods OpenAPI has no operation for, and type URIs whose page would replace another.
 * Each fails with an `OpenApiInputError` that names the code or route (no `TypeError` from deep
 * inside, no document that does not validate); what can be documented validates with a
 * well-kept validator, also for messages with `{` templates, markup and 2 000 codes.
 */
import { defineCatalog } from '@faultline/core';
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { type CatalogLike, docsPages, documentedCodes, OpenApiInputError, openApiDocument } from '../src/index.js';

/** A catalog made by hand: each definition filed under its own code unless `key` says otherwise. */
function handMade(definitions: readonly Record<string, unknown>[]): CatalogLike {
  return {
    definitions: new Map(
      definitions.map((d) => [String(d.key ?? d.code), { type: 'about:blank', message: 'm', ...d }]),
    ) as never,
  };
}

const ROUTES = [{ method: 'GET', url: '/x' }];

async function expectValid(document: object) {
  const result = await validate(structuredClone(document) as never);
  expect(result.valid, JSON.stringify((result as { errors?: unknown }).errors)?.slice(0, 500)).toBe(true);
}

describe('catalogs that defineCatalog would never make', () => {
  it.each([
    ['a code with spaces, a slash and a brace', [{ code: 'A B/{x}~', category: 'conflict' }], /"A B\/\{x\}~": a code/],
    ['a lower-case code', [{ code: 'a_b', category: 'conflict' }], /"a_b": a code is UPPER_SNAKE/],
    ['a __proto__ code', [{ code: '__proto__', category: 'conflict' }], /"__proto__": a code/],
    ['a 65-character code', [{ code: 'A'.repeat(65), category: 'conflict' }], /a code is UPPER_SNAKE/],
    ['an unknown category', [{ code: 'BAD_CAT', category: 'nope' }], /"BAD_CAT": category "nope"/],
    ['an Object.prototype category', [{ code: 'BAD_CAT', category: '__proto__' }], /category "__proto__"/],
    ['a toString category', [{ code: 'BAD_CAT', category: 'toString' }], /category "toString"/],
    [
      'a definition under another code',
      [{ key: 'KEY_ONE', code: 'OTHER', category: 'conflict' }],
      /"KEY_ONE": its definition names "OTHER"/,
    ],
    ['an empty message', [{ code: 'NO_MESSAGE', category: 'conflict', message: '' }], /"NO_MESSAGE": message/],
    ['a type that is not a string', [{ code: 'NO_TYPE', category: 'conflict', type: 42 }], /"NO_TYPE": type/],
  ])('%s fails clearly', (_label, definitions, message) => {
    const catalogs = [handMade(definitions as Record<string, unknown>[])];
    for (const generate of [
      () => openApiDocument({ title: 'T', version: '1', routes: ROUTES, catalogs }),
      () => docsPages(catalogs),
      () => documentedCodes(catalogs),
    ]) {
      expect(generate).toThrow(OpenApiInputError);
      expect(generate).toThrow(message);
    }
  });

  it.each([null, undefined, {}, { definitions: 'x' }, 42])('%j is not a catalog', (catalog) => {
    expect(() => documentedCodes([catalog as never])).toThrow(/catalogs\[0\] is not a catalog/);
  });
});

describe('routes OpenAPI cannot describe', () => {
  it.each([
    [{ method: 'GET', url: 'orders' }, /url must start with '\/'/],
    [{ method: 'GET', url: '__proto__' }, /url must start with '\/'/],
    [{ method: 'GET', url: 5 }, /url must start with '\/'/],
    [{ method: 'GET', url: '/a/:id/b/:id' }, /path parameter id is named twice/],
    [{ method: 'G T', url: '/x' }, /method is not an HTTP method/],
    [{ url: '/x' }, /method is not an HTTP method/],
    [null, /method is not an HTTP method/],
  ])('%j fails clearly', (route, message) => {
    const generate = () => openApiDocument({ title: 'T', version: '1', routes: [route as never] });
    expect(generate).toThrow(OpenApiInputError);
    expect(generate).toThrow(message);
  });

  it('methods without an OpenAPI 3.1 operation are left out, and the document validates', async () => {
    const document = openApiDocument({
      title: 'T',
      version: '1',
      routes: [
        { method: 'PROPFIND', url: '/dav' },
        { method: 'constructor', url: '/dav' },
        { method: 'FOO', url: '/x' },
        { method: 'get', url: '/x/:__proto__' },
      ],
    }) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(document.paths)).toEqual(['/x/{__proto__}']);
    expect(Object.keys(document.paths['/x/{__proto__}'] ?? {})).toEqual(['get']);
    await expectValid(document);
  });
});

describe('docs pages that would replace one another', () => {
  it.each([
    ['index', /OAS_HOSTILE_INDEX: its page index\.html is already the index's/],
    ['grpc', /OAS_HOSTILE_GRPC: its page grpc\.html is already the gRPC view's/],
    ['not-found', /OAS_HOSTILE_NOT_FOUND: its page not-found\.html is already NOT_FOUND's/],
  ])('a type URI ending in /%s fails clearly', (slug, message) => {
    const code = `OAS_HOSTILE_${slug.toUpperCase().replace('-', '_')}`;
    const entry = { category: 'conflict' as const, message: 'Taken.', type: `https://docs.example.com/errors/${slug}` };
    const catalog = defineCatalog({ [code]: entry } as never);
    expect(() => docsPages([catalog])).toThrow(OpenApiInputError);
    expect(() => docsPages([catalog])).toThrow(message);
  });

  it('two codes whose type URIs end in the same segment fail clearly', () => {
    const catalog = defineCatalog({
      OAS_SHARED_A: { category: 'conflict', message: 'A.', type: 'https://docs.example.com/a/shared' },
      OAS_SHARED_B: { category: 'conflict', message: 'B.', type: 'https://docs.example.com/b/shared' },
    });
    expect(() => docsPages([catalog])).toThrow(/OAS_SHARED_B: its page shared\.html is already OAS_SHARED_A's/);
  });
});

describe('what can be documented still validates', () => {
  it('messages with templates, markup and quotes; 2 000 codes; every format', async () => {
    const catalog = defineCatalog({
      OAS_TEMPLATE: {
        category: 'validation',
        message: 'At most {limit} items; {{not a template}} "quoted" <b>&amp;</b> $ref',
        params: { limit: 'integer' },
      },
      ...Object.fromEntries(
        Array.from({ length: 2000 }, (_, i) => [`OAS_MANY_${i}`, { category: 'conflict', message: `Code ${i}.` }]),
      ),
    });
    const routes = [{ method: 'POST', url: '/orders/:id', codes: ['OAS_TEMPLATE', 'OAS_MANY_1', 'OAS_MANY_2'] }];
    for (const format of ['problem', 'envelope', 'jsonapi', 'negotiate'] as const) {
      const document = openApiDocument({ title: 'T', version: '1', routes, catalogs: [catalog], format });
      expect(Object.keys((document as { components: { responses: object } }).components.responses)).toHaveLength(
        2001 + documentedCodes().length,
      );
      await expectValid(document);
    }
  }, 60_000);
});
