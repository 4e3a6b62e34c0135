/**
 * The message shape of a fingerprint's key, folded in one regex pass (#27), is what the three
 * passes it replaced (quoted text, then hex runs, then numbers) gave.
 */
import { describe, expect, it } from 'vitest';
import { errorSignature, shapeOf } from '../src/report/fingerprint.js';

const threePasses = (message: string): string =>
  message
    .slice(0, 256)
    .replace(/"[^"]*"|'[^']*'/g, '"_"')
    .replace(/\b[0-9a-f]{8,}\b/gi, 'h')
    .replace(/\d+/g, '0');

describe('message shapes', () => {
  it('fold like the three passes on random text made of the tricky pieces', () => {
    const pieces = [
      'a',
      'f',
      'F',
      '0',
      '9',
      '1',
      '"',
      "'",
      ' ',
      '-',
      '_',
      'x',
      'Z',
      '.',
      'é',
      '\n',
      '12345678',
      'deadbeef',
      '"x"',
    ];
    let seed = 11;
    const next = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 20_000; i += 1) {
      let text = '';
      for (let j = next() % 24; j > 0; j -= 1) text += pieces[next() % pieces.length];
      expect(shapeOf(text), JSON.stringify(text)).toBe(threePasses(text));
    }
  });

  it('folds quoted text, hex runs and numbers', () => {
    expect(shapeOf(`user "bob" id=deadbeef12 took 42ms`)).toBe('user "_" id=h took 0ms');
    expect(shapeOf('x'.repeat(300))).toHaveLength(256);
  });
});

describe('error signatures of wrapped values', () => {
  const driver = Object.assign(new Error('relation "users" does not exist'), { code: '42P01' });

  it('follows the first wrapped value, in the usual order of names', () => {
    const wrapper = Object.assign(new Error('query failed'), { driverError: driver, error: new TypeError('other') });
    expect(errorSignature(wrapper)).toBe('Error||query failed>Error|42P01|relation "_" does not exist');
  });

  it('reads past a name whose getter throws, and gives the same signature each time', () => {
    const hostile = new Error('query failed');
    let reads = 0;
    Object.defineProperty(hostile, 'cause', {
      get() {
        reads += 1;
        throw new Error('getter');
      },
    });
    Object.defineProperty(hostile, 'driverError', { value: driver });
    const expected = 'Error||query failed>Error|42P01|relation "_" does not exist';
    expect(errorSignature(hostile)).toBe(expected);
    expect(errorSignature(hostile)).toBe(expected);
    expect(reads).toBeGreaterThan(0);
  });
});
