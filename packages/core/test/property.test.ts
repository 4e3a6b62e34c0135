/**
 * Property tests: for arbitrary thrown values (including hostile shapes), `capture` never throws
 * and nothing the client sees contains a string taken from the thrown value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CATEGORIES,
  capture,
  GENERIC_FIELD_DETAILS,
  renderEnvelope,
  renderProblem,
  TAXONOMY,
} from './support/source.js';

/** Every string Faultline itself may put in a response (the public vocabulary). */
const VOCABULARY = [
  ...CATEGORIES.flatMap((c) => [TAXONOMY[c].title, TAXONOMY[c].message, TAXONOMY[c].code]),
  ...Object.values(GENERIC_FIELD_DETAILS),
  ...CATEGORIES,
  ...Object.keys(capture(null)),
  'about:blank',
  'type title status detail code request_id errors pointer trace_id error message',
].join('\n');

/** Distinctive marker strings, so a leak is unambiguous. */
const secret = fc.stringMatching(/^[a-z]{3,8}$/).map((s) => `SECRET_${s}_${s.length}`);

const hostileObject = fc.record({ secretText: secret }).chain(({ secretText }) =>
  fc.constantFrom<unknown>(
    Object.assign(new Error(secretText), { code: secretText, detail: secretText, table: secretText }),
    Object.assign(new Error(secretText), { status: 400, statusCode: 400, expose: true }),
    { message: secretText, stack: secretText, code: 404, status: 404 },
    Object.defineProperty({ message: secretText }, 'name', {
      get: () => {
        throw new Error(secretText);
      },
    }),
    new Proxy({ message: secretText }, { get: (_t, key) => (key === 'name' ? 'ZodError' : secretText) }),
    { name: 'ZodError', issues: [{ code: secretText, path: [secretText, 0], message: secretText }] },
    {
      ajv: true,
      validation: true,
      errors: [{ keyword: secretText, instancePath: `/${secretText}`, params: { missingProperty: `${secretText}!` } }],
    },
    {
      name: 'PrismaClientKnownRequestError',
      code: 'P2002',
      clientVersion: secretText,
      meta: { target: [secretText] },
      message: secretText,
    },
    new AggregateError([new Error(secretText), secretText], secretText),
    new Error(secretText, { cause: { code: '23505', severity: 'ERROR', detail: secretText, table: secretText } }),
    { toString: () => secretText, [Symbol.toPrimitive]: () => secretText, toJSON: () => secretText },
    secretText,
  ),
);

function leaks(rendered: string, thrownStrings: string[]): string[] {
  return thrownStrings.filter((s) => s.length >= 4 && rendered.includes(s) && !VOCABULARY.includes(s));
}

/** Collects every string reachable in a value (bounded), to look for them in the output. */
function stringsIn(value: unknown, out: string[] = [], seen = new Set<unknown>(), depth = 0): string[] {
  if (typeof value === 'string') out.push(value);
  if (depth > 4 || value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value))
    return out;
  seen.add(value);
  try {
    for (const key of Reflect.ownKeys(value)) {
      if (typeof key === 'string') out.push(key);
      try {
        stringsIn((value as Record<PropertyKey, unknown>)[key], out, seen, depth + 1);
      } catch {
        // hostile getter
      }
    }
  } catch {
    // hostile ownKeys
  }
  return out;
}

describe('capture properties', () => {
  it('never throws and always yields a well-formed fault for anything', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true }), hostileObject),
        (thrown) => {
          const fault = capture(thrown);
          expect(CATEGORIES).toContain(fault.category);
          expect(fault.id).toMatch(/^[0-9a-f-]{36}$/);
          JSON.parse(renderProblem(fault));
          JSON.parse(renderEnvelope(fault));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never shows a string taken from the thrown value', () => {
    fc.assert(
      fc.property(fc.oneof(hostileObject, fc.anything({ maxDepth: 3 })), (thrown) => {
        const fault = capture(thrown);
        // Field pointers locate the client's own request document (validator paths), so they are
        // the one place where request structure is echoed: they must be strict safe pointers, and
        // everything else must be free of the thrown value's strings.
        for (const violation of fault.fieldViolations)
          expect(violation.pointer).toMatch(/^(?:\/[A-Za-z0-9_-]{1,64})*$/);
        const withoutPointers = {
          ...fault,
          internal: null,
          definition: null,
          fieldViolations: fault.fieldViolations.map((v) => v.detail),
        };
        const rendered = [renderProblem(fault), renderEnvelope(fault), JSON.stringify(withoutPointers)]
          .join('\n')
          .replace(/"pointer":"[^"]*"/g, '"pointer":""');
        expect(leaks(rendered, stringsIn(thrown))).toEqual([]);
        expect(rendered).not.toMatch(/SECRET_/);
      }),
      { numRuns: 500 },
    );
  });
});
