/**
 * The hand-written negotiation (`negotiate.ts`) against `negotiator`, the library it replaced (a
 * development dependency now): for any Accept header made of the types and parameters that
 * matter (the three offers, wildcards, other types, q-values, charset, JSON:API profile and ext,
 * other parameters, any case), both pick the same body format for each default.
 */
import fc from 'fast-check';
import Negotiator from 'negotiator';
import { describe, expect, it } from 'vitest';
import type { BodyFormat } from '../src/answer/http-headers.js';
import { acceptRanges, JSON_API_MEDIA_TYPE, type MediaRange, usableJsonApiInstance } from '../src/answer/media-type.js';
import { negotiateFormat } from '../src/answer/negotiate.js';

const TYPE: Readonly<Record<BodyFormat, string>> = {
  problem: 'application/problem+json',
  envelope: 'application/json',
  jsonapi: JSON_API_MEDIA_TYPE,
};
const OFFERS: Readonly<Record<BodyFormat, string[]>> = {
  problem: [TYPE.problem, TYPE.envelope, TYPE.jsonapi],
  envelope: [TYPE.envelope, TYPE.problem, TYPE.jsonapi],
  jsonapi: [TYPE.jsonapi, TYPE.problem, TYPE.envelope],
};

/** What negotiate.ts did with negotiator: the ranges written back as text, negotiator's pick. */
function reference(accept: string, fallback: BodyFormat): BodyFormat {
  const canMatch = (type: string) => type === '*/*' || type === 'application/*' || Object.values(TYPE).includes(type);
  const parts: string[] = [];
  for (const range of acceptRanges(accept, canMatch) as MediaRange[]) {
    if (range.type === JSON_API_MEDIA_TYPE) {
      if (usableJsonApiInstance(range)) parts.push(`${range.type};q=${range.q}`);
      continue;
    }
    let text = range.type;
    for (const [name, value] of range.params) if (name !== 'charset') text += `;${name}=${JSON.stringify(value)}`;
    parts.push(`${text};q=${range.q}`);
  }
  if (parts.length === 0) return fallback;
  const best = new Negotiator({ headers: { accept: parts.join(',') } }).mediaType(OFFERS[fallback]);
  const format = (Object.keys(TYPE) as BodyFormat[]).find((key) => TYPE[key] === best);
  return format ?? fallback;
}

const types = fc.constantFrom(
  '*/*',
  'application/*',
  'application/json',
  'Application/JSON',
  'application/problem+json',
  JSON_API_MEDIA_TYPE,
  'text/html',
  'text/*',
  'application/xml',
);
const params = fc.constantFrom(
  '',
  ';q=0',
  ';q=0.5',
  ';q=0.50',
  ';q=1',
  ';q=0.001',
  ';q=0.999',
  ';charset=utf-8',
  ';profile="https://example.com/p"',
  ';ext="https://example.com/e"',
  ';level=1',
  ';level=*',
  ';level=""',
  ';q=0.5;level=1',
  ';level=1;q=0.7',
  '; q=0.3 ',
);
const range = fc.tuple(types, params, params).map(([type, a, b]) => `${type}${a}${b}`);
const accept = fc.array(range, { minLength: 1, maxLength: 6 }).map((ranges) => ranges.join(', '));

describe('negotiateFormat picks what negotiator picked', () => {
  it.each(['problem', 'envelope', 'jsonapi'] as const)('with the default %s', (fallback) => {
    fc.assert(
      fc.property(accept, (header) => {
        expect(negotiateFormat(header, fallback)).toBe(reference(header, fallback));
      }),
      { numRuns: 3000 },
    );
  });
});
