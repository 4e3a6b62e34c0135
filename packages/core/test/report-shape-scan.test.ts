/**
 * The message shape folded by hand (#27) is what the one-pass regex it replaced gives, on random
 * text made of the pieces where the regex's rules meet (quotes, hex runs, word boundaries, digits).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shapeOf } from '../src/report/fingerprint.js';

const VARIABLE = /("[^"]*"|'[^']*')|(\b[0-9a-f]{8,}\b)|\d+/gi;
const byRegex = (message: string): string =>
  message
    .slice(0, 256)
    .replace(VARIABLE, (_m, quoted: string | undefined, hex: string | undefined) =>
      quoted !== undefined ? '"_"' : hex !== undefined ? 'h' : '0',
    );

const piece = fc.constantFrom(
  'a',
  'f',
  'F',
  'g',
  '0',
  '9',
  '"',
  "'",
  ' ',
  '-',
  '_',
  'é',
  'K',
  '\u017f',
  '\u212a',
  '12345678',
  'deadbeef',
  'abc1234',
  'DEADBEEF0',
  'cafe1234_',
  '"x"',
  "'y'",
);

describe('message shapes folded by hand', () => {
  it('are what the regex gives on text made of the tricky pieces', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const message = pieces.join('');
        expect(shapeOf(message)).toBe(byRegex(message));
      }),
      { numRuns: 3000 },
    );
  });

  it('are what the regex gives on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (message) => {
        expect(shapeOf(message)).toBe(byRegex(message));
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['user abc could not be charged by provider abcpay', 'user abc could not be charged by provider abcpay'],
    ['id deadbeefcafe failed', 'id h failed'],
    ['id deadbee failed', 'id deadbee failed'],
    ['id deadbeefcafeg failed', 'id deadbeefcafeg failed'],
    ['x1234567890y', 'x0y'],
    ['"open quote 12', '"open quote 0'],
    ["it's 'quoted' 7", 'it"_"quoted\' 0'],
  ])('%s', (message, shape) => {
    expect(shapeOf(message)).toBe(shape);
    expect(byRegex(message)).toBe(shape);
  });
});
