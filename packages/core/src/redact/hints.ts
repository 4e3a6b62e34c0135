/**
 * The cheap first test of redaction: does any value pattern's hint match a text at all. Most log
 * text holds none, and is then returned as it is (exactly what running every pattern would give).
 */
import type { ValuePattern } from './value-pattern.js';

/** Shortest and longest text the hint test remembers as holding no hint (see {@link hintTest}). */
const MIN_REMEMBERED = 16;
const MAX_REMEMBERED = 1024;

/**
 * One test for "does any pattern's hint match": the hints joined into one alternation (one for
 * case-sensitive hints, one for case-insensitive; a hint several patterns share, once). When it
 * fails no pattern can match. `undefined` (test every pattern) when a pattern has no hint, or a
 * hint has flags other than `i`, `g` or `y` or a backreference.
 */
export function combinedHints(patterns: readonly ValuePattern[]): ((text: string) => boolean) | undefined {
  const sensitive = new Set<string>();
  const insensitive = new Set<string>();
  for (const { hint } of patterns) {
    // A backreference would point elsewhere once joined: such a hint is tested on its own.
    if (hint === undefined || /[^igy]/.test(hint.flags) || /\\[1-9]|\\k</.test(hint.source)) return undefined;
    (hint.flags.includes('i') ? insensitive : sensitive).add(`(?:${hint.source})`);
  }
  try {
    const a = sensitive.size > 0 ? new RegExp([...sensitive].join('|')) : undefined;
    const b = insensitive.size > 0 ? new RegExp([...insensitive].join('|'), 'i') : undefined;
    return (text) => (a?.test(text) ?? false) || (b?.test(text) ?? false);
  } catch {
    return undefined;
  }
}

/**
 * True when whether `hint` matches depends only on the characters it matches, not on what
 * surrounds them: no anchor (`^`, `$`), word boundary (`\b`, `\B`), lookaround (`(?=`, `(?!`,
 * `(?<=`, `(?<!`, named groups too) or backreference outside a character class. Such a hint that
 * matches nowhere in a text matches nowhere in any part of it either.
 */
export function substringMonotone(hint: RegExp): boolean {
  const source = hint.source;
  let inClass = false;
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i];
    if (c === '\\') {
      if (!inClass && /[bBk1-9]/.test(source[i + 1] ?? '')) return false;
      i += 1;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') inClass = true;
    else if (c === '^' || c === '$') return false;
    else if (c === '(' && source[i + 1] === '?' && source[i + 2] !== ':') return false;
  }
  return true;
}

/**
 * {@link combinedHints} that remembers the last text (16 to 1024 characters) in which no hint
 * matched, and answers "none" at once for a part of it. A record's texts overlap: the stack's
 * header line (`Error: <message>`) holds the error's type and message, each redacted on its own
 * too, and with distinct messages the joined hints were the worker's largest cost after
 * serialization (about 18k instructions a record, callgrind). Only when every hint is
 * {@link substringMonotone}; else the plain combined test.
 */
export function hintTest(patterns: readonly ValuePattern[]): ((text: string) => boolean) | undefined {
  const any = combinedHints(patterns);
  if (any === undefined || !patterns.every(({ hint }) => hint !== undefined && substringMonotone(hint))) return any;
  let clean = '';
  return (text) => {
    if (text.length <= clean.length && clean.includes(text)) return false;
    if (any(text)) return true;
    if (text.length >= MIN_REMEMBERED && text.length <= MAX_REMEMBERED) clean = text;
    return false;
  };
}
