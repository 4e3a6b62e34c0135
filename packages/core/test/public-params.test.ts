/**
 * Public detail on purpose, never by accident: declared, typed, validated parameters rendered
 * into the catalog's fixed message and a `params` member; translations chosen by Accept-Language.
 */
import { describe, expect, it } from 'vitest';
import {
  CatalogDefinitionError,
  capture,
  defineCatalog,
  pickLocale,
  renderEnvelope,
  renderProblem,
} from './support/source.js';

const errors = defineCatalog({
  PP_TOO_MANY_ITEMS: {
    category: 'validation',
    message: 'At most {limit} items per order.',
    params: { limit: 'integer' },
    translations: {
      de: { title: 'Ungültige Anfrage', message: 'Höchstens {limit} Artikel pro Bestellung.' },
      'pt-BR': { message: 'No máximo {limit} itens por pedido.' },
    },
  },
  PP_PLAN_LIMIT: {
    category: 'forbidden',
    message: 'Your plan {plan} does not allow this.',
    params: { plan: 'string' },
  },
});

describe('catalog declarations', () => {
  it.each([
    ['an undeclared placeholder', { PP_BAD_A: { category: 'validation', message: 'At most {limit} items.' } }],
    ['a bad param type', { PP_BAD_B: { category: 'validation', message: 'x {n}', params: { n: 'date' } } }],
    ['a bad param name', { PP_BAD_C: { category: 'validation', message: 'x', params: { 'a-b': 'string' } } }],
    [
      'a bad language tag',
      { PP_BAD_D: { category: 'validation', message: 'x', translations: { 'de_DE!': { message: 'y' } } } },
    ],
    [
      'a multi-line translation',
      { PP_BAD_E: { category: 'validation', message: 'x', translations: { de: { message: 'a\nb' } } } },
    ],
    [
      'an undeclared placeholder in a translation',
      { PP_BAD_F: { category: 'validation', message: 'x', translations: { de: { message: '{secret}' } } } },
    ],
  ])('rejects %s at definition time', (_label, input) => {
    expect(() => defineCatalog(input as never)).toThrow(CatalogDefinitionError);
  });
});

describe('values', () => {
  it('renders a valid value into the message and the params member, on both formats', () => {
    const fault = capture(errors.PP_TOO_MANY_ITEMS({ params: { limit: 100 } }));
    expect(fault.message).toBe('At most 100 items per order.');
    const problem = JSON.parse(renderProblem(fault)) as Record<string, unknown>;
    expect(problem).toMatchObject({
      detail: 'At most 100 items per order.',
      params: { limit: 100 },
      request_id: fault.id,
    });
    const envelope = JSON.parse(renderEnvelope(fault)) as { error: Record<string, unknown> };
    expect(envelope.error).toMatchObject({ message: 'At most 100 items per order.', params: { limit: 100 } });
  });

  it('keeps the trace id on both formats, in the same place as a body without params', () => {
    const fault = capture(errors.PP_TOO_MANY_ITEMS({ params: { limit: 100 } }));
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    expect(JSON.parse(renderProblem(fault, { traceId })).trace_id).toBe(traceId);
    const envelope = JSON.parse(renderEnvelope(fault, { traceId })) as { error: Record<string, unknown> };
    expect(Object.keys(envelope.error)).toEqual(['status', 'code', 'message', 'request_id', 'trace_id', 'params']);
    expect(envelope.error.trace_id).toBe(traceId);
    expect(renderEnvelope(fault, { traceId: '0'.repeat(32) })).not.toContain('trace_id');
  });

  it.each([
    ['a string for an integer', { limit: '100; DROP TABLE' }],
    ['a float for an integer', { limit: 1.5 }],
    ['an undeclared name', { secret: 'hunter2' }],
    [
      'a Proxy',
      new Proxy(
        {},
        {
          get() {
            throw new Error('trap');
          },
        },
      ),
    ],
    ['nothing', undefined],
  ])('drops %s: nothing undeclared or invalid is shown', (_label, params) => {
    const fault = capture(errors.PP_TOO_MANY_ITEMS({ params: params as Record<string, unknown> }));
    const body = renderProblem(fault);
    expect(body).not.toMatch(/DROP|hunter2|1\.5|trap/);
    expect(JSON.parse(body)).not.toHaveProperty('params');
    expect(fault.message).toBe('At most … items per order.');
  });

  it('accepts only short plain strings for string parameters', () => {
    expect(capture(errors.PP_PLAN_LIMIT({ params: { plan: 'Team 2' } })).message).toBe(
      'Your plan Team 2 does not allow this.',
    );
    for (const plan of ['<script>', 'x'.repeat(65), 'a\nb', '{"a":1}']) {
      expect(renderProblem(capture(errors.PP_PLAN_LIMIT({ params: { plan } })))).not.toContain(plan);
    }
  });
});

describe('translations', () => {
  it('picks by quality, exact tag, then primary subtag; nothing when none matches', () => {
    const available = { de: {}, 'pt-BR': {} };
    expect(pickLocale('fr-CH, fr;q=0.9, de;q=0.8', available)).toBe('de');
    expect(pickLocale('de-CH', available)).toBe('de');
    expect(pickLocale('pt-br', available)).toBe('pt-BR');
    expect(pickLocale('en-US,en;q=0.9', available)).toBeUndefined();
    expect(pickLocale('de;q=0', available)).toBeUndefined();
    expect(pickLocale('*', available)).toBeUndefined();
    expect(pickLocale('de', undefined)).toBeUndefined();
  });

  it('renders the translated title and message with the same parameters', () => {
    const fault = capture(errors.PP_TOO_MANY_ITEMS({ params: { limit: 5 } }));
    expect(JSON.parse(renderProblem(fault, { locale: 'de' }))).toMatchObject({
      title: 'Ungültige Anfrage',
      detail: 'Höchstens 5 Artikel pro Bestellung.',
    });
    expect(JSON.parse(renderProblem(fault, { locale: 'pt-BR' }))).toMatchObject({
      title: 'Bad Request',
      detail: 'No máximo 5 itens por pedido.',
    });
    expect(JSON.parse(renderProblem(fault, { locale: 'xx' }))).toMatchObject({ detail: 'At most 5 items per order.' });
  });
});
