/**
 * `format: 'negotiate'` and JSON:API's media type rules: q-values, wildcards, specificity and the
 * default; JSON:API instances with parameters ignored (406 when they are all there is), JSON:API
 * content types with parameters refused (415); and hostile headers (64 KB, thousands of types,
 * junk q-values, CRLF) read only up to the bound, so their cost is that of a short header.
 */
import { jsonApiSchemaErrors } from '@faultline/testkit';
import { describe, expect, it } from 'vitest';
import { checkFormatOptions, jsonApiRefusal } from '../src/answer/format-options.js';
import { httpAnswer } from '../src/answer/http-answer.js';
import {
  acceptRanges,
  jsonApiAcceptRefused,
  jsonApiContentTypeRefused,
  MAX_ACCEPT_ENTRIES,
  MAX_MEDIA_HEADER_LENGTH,
} from '../src/answer/media-type.js';
import { negotiateFormat } from '../src/answer/negotiate.js';
import { resolveResponder } from '../src/answer/responder.js';
import { capture, FaultError, OptionsError } from '../src/index.js';

const JSONAPI = 'application/vnd.api+json';

describe('negotiateFormat', () => {
  it.each([
    [undefined, 'problem'],
    ['', 'problem'],
    ['*/*', 'problem'],
    ['text/html', 'problem'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'problem'],
    ['application/json', 'envelope'],
    ['application/json; charset=utf-8', 'envelope'],
    [JSONAPI, 'jsonapi'],
    [`${JSONAPI}; profile="https://example.com/p"`, 'jsonapi'],
    [`${JSONAPI}; ext="https://example.com/e"`, 'problem'],
    [`${JSONAPI}; charset=utf-8`, 'problem'],
    [`${JSONAPI}; charset=utf-8, application/json`, 'envelope'],
    ['application/problem+json', 'problem'],
    ['application/json;q=0.5, application/problem+json', 'problem'],
    [`application/json;q=0.9, ${JSONAPI};q=0.95`, 'jsonapi'],
    [`application/json, ${JSONAPI}`, 'envelope'],
    [`${JSONAPI}, application/json`, 'jsonapi'],
    ['application/*', 'problem'],
    [`application/*;q=0.1, ${JSONAPI};q=0.2`, 'jsonapi'],
    ['application/json;q=0', 'problem'],
    ['application/json;q=abc', 'problem'],
    ['application/json;q=2', 'problem'],
    ['application/json;version=2', 'problem'],
    ['garbage,,,;;;', 'problem'],
  ])('%j -> %s', (accept, expected) => {
    expect(negotiateFormat(accept, 'problem')).toBe(expected);
  });

  it('falls back to the configured default', () => {
    expect(negotiateFormat(undefined, 'jsonapi')).toBe('jsonapi');
    expect(negotiateFormat('*/*', 'envelope')).toBe('envelope');
    expect(negotiateFormat('image/png', 'jsonapi')).toBe('jsonapi');
    expect(negotiateFormat('application/*', 'envelope')).toBe('envelope');
    expect(negotiateFormat('application/problem+json', 'jsonapi')).toBe('problem');
  });

  it('never throws on values that are not strings', () => {
    for (const value of [42, null, {}, ['application/json'], Symbol('x')])
      expect(negotiateFormat(value, 'problem')).toBe('problem');
  });
});

describe('hostile Accept headers', () => {
  const wanted = `${JSONAPI},`;
  const hostile: Record<string, string> = {
    '64 KB of one type': `${'a'.repeat(65_536)}/json`,
    'thousands of types': Array.from({ length: 5000 }, (_, i) => `application/x-${i}`).join(', '),
    'junk q-values': Array.from({ length: 3000 }, (_, i) => `application/json;q=${'9'.repeat(i % 50)}x`).join(','),
    'CRLF and NUL': `application/json\r\n\u0000X-Injected: 1, ${JSONAPI}\r\n`.repeat(2000),
    'unclosed quotes': `${JSONAPI};profile="${'"\\'.repeat(30_000)}`,
    'thousands of parameters': `${JSONAPI}${';a=b'.repeat(15_000)}`,
  };

  it.each(Object.entries(hostile))('%s: only the bounded head is read', (_name, accept) => {
    expect(acceptRanges(accept).length).toBeLessThanOrEqual(MAX_ACCEPT_ENTRIES);
    expect(['problem', 'envelope', 'jsonapi']).toContain(negotiateFormat(accept, 'problem'));
    expect(typeof jsonApiAcceptRefused(accept)).toBe('boolean');
  });

  it('reads the same ranges from a hostile header as from its bounded head', () => {
    for (const accept of Object.values(hostile)) {
      const head = accept.slice(0, MAX_MEDIA_HEADER_LENGTH);
      const cut = accept.length > MAX_MEDIA_HEADER_LENGTH ? head.slice(0, Math.max(0, head.lastIndexOf(','))) : head;
      expect(acceptRanges(accept)).toEqual(acceptRanges(cut));
    }
  });

  it('a range past the bound is not read: a hostile header cannot make the parser walk it', () => {
    const padding = Array.from({ length: 2000 }, () => 'text/x').join(',');
    expect(negotiateFormat(`${padding},${wanted}`, 'problem')).toBe('problem');
    expect(negotiateFormat(`${wanted}${padding}`, 'problem')).toBe('jsonapi');
  });
});

describe('JSON:API media type rules', () => {
  it('refuses JSON:API content types with parameters other than profile (415)', () => {
    expect(jsonApiContentTypeRefused(JSONAPI)).toBe(false);
    expect(jsonApiContentTypeRefused(`${JSONAPI}; profile="https://example.com/p"`)).toBe(false);
    expect(jsonApiContentTypeRefused(`${JSONAPI}; charset=utf-8`)).toBe(true);
    expect(jsonApiContentTypeRefused(`${JSONAPI}; ext="https://example.com/e"`)).toBe(true);
    expect(jsonApiContentTypeRefused(`${JSONAPI};;;"`)).toBe(true);
    expect(jsonApiContentTypeRefused('application/json; charset=utf-8')).toBe(false);
    expect(jsonApiContentTypeRefused(undefined)).toBe(false);
  });

  it('refuses an Accept whose every JSON:API instance has such parameters (406)', () => {
    expect(jsonApiAcceptRefused(undefined)).toBe(false);
    expect(jsonApiAcceptRefused('application/json')).toBe(false);
    expect(jsonApiAcceptRefused(JSONAPI)).toBe(false);
    expect(jsonApiAcceptRefused(`${JSONAPI}; charset=utf-8`)).toBe(true);
    expect(jsonApiAcceptRefused(`${JSONAPI}; ext="https://example.com/e", application/json`)).toBe(true);
    expect(jsonApiAcceptRefused(`${JSONAPI}; charset=utf-8, ${JSONAPI}; profile="https://x.example/p"`)).toBe(false);
  });

  it('applies only with strictJsonApi', () => {
    const headers = { accept: `${JSONAPI}; charset=utf-8`, 'content-type': `${JSONAPI}; charset=utf-8` };
    expect(jsonApiRefusal({}, headers)).toBeUndefined();
    expect(jsonApiRefusal({ strictJsonApi: true }, headers)).toBe('unsupported_media_type');
    expect(jsonApiRefusal({ strictJsonApi: true }, { accept: headers.accept })).toBe('not_acceptable');
  });

  it('checks the format options together', () => {
    expect(() => checkFormatOptions('t', { strictJsonApi: true, format: 'problem' })).toThrow(OptionsError);
    expect(() => checkFormatOptions('t', { defaultFormat: 'jsonapi' })).toThrow(/negotiate/);
    expect(() => checkFormatOptions('t', { strictJsonApi: true })).not.toThrow();
    expect(resolveResponder({ strictJsonApi: true }, undefined).format).toBe('jsonapi');
    expect(resolveResponder({ strictJsonApi: true, format: 'negotiate' }, undefined).defaultFormat).toBe('jsonapi');
  });
});

describe('httpAnswer with negotiate', () => {
  const responder = resolveResponder({ format: 'negotiate' }, undefined);

  it('answers in the negotiated format with Vary: Accept and the usual headers', () => {
    const fault = capture(FaultError.of('not_found'));
    const answer = httpAnswer(fault, responder, undefined, { accept: JSONAPI });
    expect(answer.headers).toMatchObject({
      'content-type': JSONAPI,
      vary: 'Accept',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    // The id travels apart from the headers, which many answers share.
    expect(answer.requestId).toBe(fault.id);
    expect(answer.headers).not.toHaveProperty('x-request-id');
    expect(jsonApiSchemaErrors(JSON.parse(answer.body))).toEqual([]);
    expect(httpAnswer(fault, responder, undefined, {}).headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(httpAnswer(fault, responder, undefined, { accept: 'application/json' }).body).toContain('"error":');
  });

  it('sends no Vary for a fixed format', () => {
    const fault = capture(FaultError.of('not_found'));
    const fixed = resolveResponder({ format: 'jsonapi' }, undefined);
    expect(httpAnswer(fault, fixed, undefined, { accept: 'application/json' }).headers).not.toHaveProperty('vary');
  });

  it('the schema check itself rejects documents JSON:API does not allow', () => {
    expect(jsonApiSchemaErrors({ errors: [{ status: 400 }] })).not.toEqual([]);
    expect(jsonApiSchemaErrors({ errors: [{ request_id: 'x' }] })).not.toEqual([]);
    expect(jsonApiSchemaErrors({ errors: [{ code: 'A' }], trace_id: 'x' })).not.toEqual([]);
  });
});
