/**
 * A record written member by member, each member's last value remembered (#27), is byte for byte
 * `JSON.stringify` of the record, whatever the records before it were.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLine, recordJson } from '../src/report/line-format.js';

/** Values a record's member takes, the same ones often (what the memory is for). */
const value = fc.oneof(
  fc.constantFrom('INTERNAL', 'internal', 'GET', '/charges/:id', 500, 404, true, false, 0, -0, null, undefined),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, '\u2028', '"quoted"', '\ud800', 'ü', ''),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constant(() => 1),
  fc.constant(Symbol('s')),
);
const names = fc.constantFrom('request_id', 'code', 'status', 'error', 'route', '2', '10', 'na"me', '\u2028', '__x');

describe('record JSON member by member (#27)', () => {
  it('is JSON.stringify of each record in a sequence of records', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(names, value), { maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        (records) => {
          for (const entries of records) {
            const record: Record<string, unknown> = {};
            for (const [name, v] of entries) record[name] = v;
            expect(recordJson(record)).toBe(JSON.stringify(record));
            const line = formatLine('error', record, 'm').replace(/"time":\d+/, '"time":0');
            const body = JSON.stringify(record);
            expect(line).toContain(body.length > 2 ? `,${body.slice(1, -1)},"msg":"m"}` : '"hostname"');
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes a member again when its value changed type or value', () => {
    expect(recordJson({ status: 500 })).toBe('{"status":500}');
    expect(recordJson({ status: '500' })).toBe('{"status":"500"}');
    expect(recordJson({ status: 404 })).toBe('{"status":404}');
    expect(recordJson({ status: undefined, code: 'X' })).toBe('{"code":"X"}');
    expect(recordJson({ status: 404 })).toBe('{"status":404}');
  });

  it('quotes a message or a member as JSON.stringify does', () => {
    const texts = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.constantFrom('a'.repeat(64), 'a'.repeat(65), '\x7f', '~', ' ', '"', '\\', '\x1f', '\ud800x'),
    );
    fc.assert(
      fc.property(texts, texts, (message, id) => {
        const line = formatLine('warn', { request_id: id }, message);
        expect(
          line.endsWith(`,${JSON.stringify({ request_id: id }).slice(1, -1)},"msg":${JSON.stringify(message)}}\n`),
        ).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves a record that serializes itself to JSON.stringify', () => {
    const record = { code: 'X', toJSON: () => ({ other: 1 }) };
    expect(recordJson(record)).toBe('{"other":1}');
  });
});
