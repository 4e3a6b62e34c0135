/**
 * The hint test's memory of the last text without a hint (#27): a part of that text is answered
 * at once, and only when every hint's match depends on nothing but the characters it matches.
 */
import { describe, expect, it } from 'vitest';
import { hintTest, substringMonotone } from '../src/redact/hints.js';
import { SECRET_PATTERNS } from '../src/redact/patterns.js';
import { CARD_PATTERN, EMAIL_PATTERN, IP_PATTERNS } from '../src/redact/personal-patterns.js';
import { createRedactor } from '../src/redact/redactor.js';

const patterns = [...SECRET_PATTERNS, CARD_PATTERN, EMAIL_PATTERN];
const each = (text: string) => patterns.some((p) => p.hint?.test(text) === true);

describe('hint test with memory (#27)', () => {
  it('says yes exactly when some pattern hint does, over texts that are parts of earlier ones', () => {
    const test = hintTest(patterns);
    expect(test).toBeDefined();
    const pieces = ['Error: ', 'user abc ', 'could not ', 'AKIA', 'token', '@', '1 2 3 4', 'xo', 'x', 'eyJ', 'plain '];
    let seed = 11;
    const next = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const seen: string[] = [];
    for (let i = 0; i < 5000; i += 1) {
      let text: string;
      const earlier = seen[next() % Math.max(1, seen.length)];
      if (earlier !== undefined && next() % 2 === 0) {
        // A part of an earlier text, with or without a hint of its own.
        const from = next() % (earlier.length + 1);
        text = earlier.slice(from, from + (next() % (earlier.length - from + 1)));
      } else {
        text = '';
        for (let j = 1 + (next() % 8); j > 0; j -= 1) text += pieces[next() % pieces.length];
        seen.push(text);
      }
      expect(test?.(text), JSON.stringify(text)).toBe(each(text));
    }
  });

  it('takes only hints whose match does not look around it', () => {
    for (const { hint } of [...patterns, ...IP_PATTERNS])
      if (hint !== undefined) expect(substringMonotone(hint)).toBe(true);
    expect(substringMonotone(/[^\s:@]{0,256}@/)).toBe(true);
    expect(substringMonotone(/a[$^\b]b\\/)).toBe(true);
    for (const hint of [/^abc/, /abc$/, /\babc/, /a\Bb/, /(?<=x)abc/, /(?<!x)abc/, /abc(?=x)/, /abc(?!x)/, /(a)\1/])
      expect(substringMonotone(hint), hint.source).toBe(false);
  });

  it('tests every text again when a hint depends on what surrounds its match', () => {
    for (const [hint, regex] of [
      [/^abc/, /^abc\d/g],
      [/\babc/, /\babc\d/g],
      [/(?<![a-z])abc/, /(?<![a-z])abc\d/g],
    ] as const) {
      const redactor = createRedactor({ patterns: [{ name: 'lead', regex, hint }] });
      // No hint in the whole text (the match would need its start, or no letter before it)...
      expect(redactor.redactString('zzzzzzzzzzzzzzzzzzzzabc1 zzzz')).toBe('zzzzzzzzzzzzzzzzzzzzabc1 zzzz');
      // ...yet in this part of it there is: remembered as clean, the secret would be written.
      expect(redactor.redactString('abc1 zzzz')).toBe('[REDACTED:lead] zzzz');
    }
  });

  it('redacts a secret in a part of a text that held none of it', () => {
    const redactor = createRedactor();
    expect(redactor.redactString('Error: the upstream call failed for user abc')).toBe(
      'Error: the upstream call failed for user abc',
    );
    expect(redactor.redactString('the upstream call failed for user abc')).toBe(
      'the upstream call failed for user abc',
    );
    expect(redactor.redactString('user abc password=hunter2')).toBe('user abc password=[REDACTED]');
  });
});
