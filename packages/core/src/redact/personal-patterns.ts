/**
 * Value patterns for personal data found inside strings: payment card numbers (Luhn-checked),
 * email addresses and IP addresses. Each is linear-time on bounded input. Secrets are in
 * `patterns.ts`.
 */
import type { ValuePattern } from './value-pattern.js';

/** True when the digits of `text` pass the Luhn checksum (card numbers). */
export function luhnValid(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Payment card numbers (13-19 digits, optional separators, Luhn-checked). A run of digits glued
 * to letters, digits or hyphens (UUIDs, hex ids, trace ids) is not a card.
 */
export const CARD_PATTERN: ValuePattern = {
  name: 'card',
  // Any 4 digits with optional single separators: every card match contains such a run.
  hint: /\d[ -]?\d[ -]?\d[ -]?\d/,
  regex: /(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g,
  accept: luhnValid,
};

/** Email addresses. */
export const EMAIL_PATTERN: ValuePattern = {
  name: 'email',
  hint: /@/,
  regex: /\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b/g,
};

/** IPv4 and IPv6 addresses. */
export const IP_PATTERNS: readonly ValuePattern[] = [
  { name: 'ip', regex: /\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b/g },
  {
    name: 'ip',
    regex:
      /\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|\b(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?(?![\w:])/gi,
  },
];
