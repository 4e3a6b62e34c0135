/**
 * JSON:API 1.1 error documents: every category, catalog codes with docs URIs, params and
 * translations, field violations (one object each, all with the request id, `source` pointing at
 * the body, a query parameter or a header), trace ids; each validated against the JSON:API
 * project's own 1.1 schema (vendored in testkit).
 */
import { jsonApiSchemaErrors } from '@faultline/testkit';
import { describe, expect, it } from 'vitest';
import { jsonApiSource, renderJsonApi } from '../src/answer/jsonapi.js';
import { CATEGORIES, capture, defineCatalog, FaultError, renderProblem, TAXONOMY } from '../src/index.js';

const errors = defineCatalog({
  JA_QUOTA_EXCEEDED: {
    category: 'rate_limited',
    message: 'You used your "daily" quota \\ wait.',
    type: 'https://docs.example.com/errors/quota',
  },
  JA_TOO_MANY_ITEMS: {
    category: 'validation',
    message: 'At most {limit} items.',
    params: { limit: 'integer' },
    type: 'urn:example:too-many-items',
    translations: { de: { title: 'Ungültige Anfrage', message: 'Höchstens {limit} Einträge.' } },
  },
});

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function parse(body: string) {
  const document = JSON.parse(body) as { errors: Record<string, unknown>[]; meta?: Record<string, unknown> };
  expect(jsonApiSchemaErrors(document)).toEqual([]);
  return document;
}

describe('JSON:API error documents', () => {
  it('renders every category as one error object with only the members JSON:API allows', () => {
    for (const category of CATEGORIES) {
      const fault = capture(FaultError.of(category));
      const document = parse(renderJsonApi(fault));
      expect(document).toEqual({
        errors: [
          {
            id: fault.id,
            status: String(TAXONOMY[category].http),
            code: TAXONOMY[category].code,
            title: TAXONOMY[category].title,
            detail: TAXONOMY[category].message,
          },
        ],
      });
    }
  });

  it('escapes catalog text and links the docs URI as links.type', () => {
    const fault = capture(errors.JA_QUOTA_EXCEEDED());
    const [error] = parse(renderJsonApi(fault)).errors;
    expect(error).toMatchObject({
      status: '429',
      code: 'JA_QUOTA_EXCEEDED',
      detail: 'You used your "daily" quota \\ wait.',
    });
    expect(error?.links).toEqual({ type: 'https://docs.example.com/errors/quota' });
  });

  it('writes one object per distinct field violation, all sharing the request id, with source by location', () => {
    const fault = capture(
      FaultError.of('validation', {
        fieldViolations: [
          { pointer: '/data/attributes/title', detail: 'Is required.' },
          { pointer: '/data/attributes/title', detail: 'Is required.' },
          { pointer: '/query/page/size', detail: 'Is above the maximum.' },
          { pointer: '/headers/if-match', detail: 'Has an invalid format.' },
          { pointer: '/params/id', detail: 'Has the wrong type.' },
        ],
      }),
    );
    const { errors: objects } = parse(renderJsonApi(fault));
    expect(objects).toHaveLength(5);
    expect(new Set(objects.map((o) => o.id))).toEqual(new Set([fault.id]));
    expect(objects[0]).not.toHaveProperty('source');
    expect(objects.slice(1).map((o) => [o.source, o.detail])).toEqual([
      [{ pointer: '/data/attributes/title' }, 'Is required.'],
      [{ parameter: 'page[size]' }, 'Is above the maximum.'],
      [{ header: 'if-match' }, 'Has an invalid format.'],
      [{ pointer: '/params/id' }, 'Has the wrong type.'],
    ]);
    for (const o of objects)
      expect(o).toMatchObject({ status: '400', code: 'VALIDATION_FAILED', title: 'Bad Request' });
  });

  it('puts public params in meta and translations in title and detail; the trace id in the document meta', () => {
    const fault = capture(
      errors.JA_TOO_MANY_ITEMS({
        params: { limit: 100 },
        fieldViolations: [{ pointer: '/items', detail: 'Has too many items.' }],
      }),
    );
    const document = parse(renderJsonApi(fault, { locale: 'de', traceId: TRACE }));
    expect(document.meta).toEqual({ trace_id: TRACE });
    expect(document.errors[0]).toEqual({
      id: fault.id,
      status: '400',
      code: 'JA_TOO_MANY_ITEMS',
      title: 'Ungültige Anfrage',
      detail: 'Höchstens 100 Einträge.',
      links: { type: 'urn:example:too-many-items' },
      meta: { limit: 100 },
    });
    expect(document.errors[1]).toMatchObject({ source: { pointer: '/items' }, meta: { limit: 100 } });
    expect(parse(renderJsonApi(fault)).errors[0]?.detail).toBe('At most 100 items.');
  });

  it('leaves out a trace id that is not a valid W3C one', () => {
    const fault = capture(FaultError.of('internal'));
    for (const traceId of ['0'.repeat(32), 'not-hex', `${TRACE}"}`]) {
      expect(parse(renderJsonApi(fault, { traceId }))).not.toHaveProperty('meta');
    }
  });

  it('keeps the thrown text out: the same bytes as any other internal fault but the id', () => {
    const fault = capture(new Error('password=hunter2 at /srv/app/db.js:12'));
    const body = renderJsonApi(fault);
    expect(body).not.toContain('hunter2');
    expect(body.replace(fault.id, 'ID')).toBe(
      renderJsonApi(capture(new Error('other'))).replace(/"id":"[^"]+"/, '"id":"ID"'),
    );
    expect(body.length).toBeLessThanOrEqual(renderProblem(fault).length);
  });

  it('maps pointers to sources', () => {
    expect(jsonApiSource('')).toEqual({ pointer: '' });
    expect(jsonApiSource('/query/sort')).toEqual({ parameter: 'sort' });
    expect(jsonApiSource('/query')).toEqual({ pointer: '/query' });
    expect(jsonApiSource('/headers/x-api-key')).toEqual({ header: 'x-api-key' });
    expect(jsonApiSource('/headers/a/b')).toEqual({ pointer: '/headers/a/b' });
  });
});
