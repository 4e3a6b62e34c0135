/**
 * Credentials in an authority written without a scheme (`admin:S3cret@db.internal:5432/app`,
 * `user:pass@10.0.0.5`, a DSN percent-encoded in a query parameter): the rule for
 * `scheme://user:password@host` (patterns.ts) never sees them. The user and the host are kept, as
 * that rule keeps them; the password is dropped.
 *
 * Prose holds `word:word@word` too, so the host has to look like one: an IPv4 address, a
 * bracketed IPv6 address, a dotted name whose last label starts with a letter (`npm:lodash@4.17.21`
 * is a version), `localhost`, or a single label followed by a port or a path (`db:5432`,
 * `db/app`). A user and a password that are both digits (`12:30@`, `10:5@file.js`) are a time or
 * a position, and the schemes that put an address after a colon (`mailto:bob@example.com`,
 * `sip:`, `email:`) are not a user. A password holding `:` is not found (`a:b:c@host` has no
 * single user): that is the price of the linear time below.
 *
 * Linear time: a user starts only where no user character or `:` stands before it, so the user
 * runs tried are disjoint; a password holds no `:`, so it ends before the next candidate's colon,
 * and the password runs tried are disjoint too; the host is bounded and tried once per `@`.
 */
import type { ValuePattern } from './value-pattern.js';

/** Names before a colon that introduce an address, not a user (matched case-insensitively). */
const ADDRESS_LABELS = 'mailto|sips?|xmpp|e-?mail|from|to|cc|bcc|reply-to';

/**
 * A host: IPv4, [IPv6], a dotted name ending in a label that starts with a letter, localhost, or
 * one label before a port or a path (`sep` then digits, or `slash`).
 */
const host = (sep: string, slash: string): string =>
  `(?:\\d{1,3}(?:\\.\\d{1,3}){3}|\\[[0-9a-f:.]{2,45}\\]|(?:[a-z0-9-]{1,63}\\.){1,8}[a-z][a-z0-9-]{0,62}|localhost|[a-z][a-z0-9-]{0,62}(?=${sep}\\d|${slash}))`;

/** After the host (and its port): not a host character, nor a dot or colon that goes on with one (a longer name, a digest). */
const HOST_END = '(?![a-z0-9_@-]|[.:][a-z0-9_-])';

/** A global, case-insensitive regex from pieces. */
const rei = (...parts: string[]): RegExp => new RegExp(parts.join(''), 'gi');

/** Both forms of a schemeless authority with a password; the replacement keeps user and host. */
export const AUTHORITY_PATTERNS: readonly ValuePattern[] = [
  // user:password@host. The password may hold `/` and `@` (pasted unencoded: it runs to the first
  // `@` a host follows) but no `:` (see above), space, quote or backslash (the end of an escaped
  // JSON string).
  {
    name: 'url-password',
    hint: /:[^\s:@]{0,255}@/,
    regex: rei(
      '(?<![a-z0-9._~%+:-])',
      `(?!(?:${ADDRESS_LABELS}):)(?!\\d{1,128}:\\d{1,256}@)`,
      '([a-z0-9._~%+-]{1,128}):(?!\\[REDACTED)[^\\s:"\'\\\\<>]{1,256}?@',
      `(?=${host(':', '/')}(?::\\d{1,5})?${HOST_END})`,
    ),
    replace: '$1:[REDACTED]@',
  },
  // user%3Apassword%40host, percent-encoded in a query parameter (after `=`, or after an encoded
  // `%2F%2F`): the user starts after any character that is not one of its own, or after a `%XX`.
  {
    name: 'url-password',
    hint: /%40/,
    regex: rei(
      '(?<=^|[^a-z0-9._~+-]|%[0-9a-f]{2})',
      `(?!(?:${ADDRESS_LABELS})%3A)`,
      '([a-z0-9._~+-]{1,128})%3A(?!\\[REDACTED)(?:[^\\s%:@/&;"\'\\\\<>]|%(?!3A)[0-9a-f]{2}){1,256}?%40',
      `(?=${host('%3A', '%2F')}(?:%3A\\d{1,5})?${HOST_END})`,
    ),
    replace: '$1%3A[REDACTED]%40',
  },
];
