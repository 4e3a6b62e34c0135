/**
 * Credentials in an authority written without a scheme (`admin:S3cret@db.internal:5432/app`,
 * `user:pass@10.0.0.5`, a DSN percent-encoded in a query parameter): the rule for
 * `scheme://user:password@host` (patterns.ts) never sees them. The user and the host are kept, as
 * that rule keeps them; the password is dropped.
 *
 * Prose holds `word:word@word` too, so the host has to look like one: an IPv4 address, a
 * bracketed IPv6 address, a dotted name whose last label starts with a letter (`npm:lodash@4.17.21`
 * is a version), `localhost`, or a single label followed by a port or a path (`db:5432`,
 * `db/app`). A single label at the end of a word (`admin:S3cret@db`, then the end, a space, a
 * quote or a comma) is a host only when the password looks like one, holding a digit or a
 * symbol: `see foo:bar@baz` and `ratio a:b@c` are prose, and a password of letters only before
 * such a label (`admin:pw@db`) is not told from them. A user and a password that are both digits
 * (`12:30@`, `10:5@file.js`, `12:30:45@`, `2024-01-01T10:30:00@`) are a time or a position, and
 * the schemes that put an address after a colon (`mailto:bob@example.com`, `sip:`, `email:`)
 * are not a user. A password may hold up to three `:` (`admin:pa:ss:w0rd@db`): the first colon
 * after the user ends the user.
 *
 * Linear time: a user starts only where no user character or `:` stands before it, so the user
 * runs tried are disjoint, and each has its own first colon; a password ends at its fourth `:`,
 * so a character is in the passwords of at most the four users whose colons come before it; the
 * host is bounded and tried once per `@` for each of them (the same holds percent-encoded, with
 * `%3A` for the colon). The password test before a single label scans only user characters and
 * colons, where no other user starts (percent-encoded: up to its fourth `%3A`, as the password).
 */
import type { ValuePattern } from './value-pattern.js';

/** Names before a colon that introduce an address, not a user (matched case-insensitively). */
const ADDRESS_LABELS = 'mailto|sips?|xmpp|e-?mail|from|to|cc|bcc|reply-to';

/** Package protocols (`npm:lodash2@next`, `workspace:pkg@beta`): before a single label, a tag, not a host. */
const PACKAGE_PROTOCOLS = 'npm|jsr|workspace|catalog|patch|portal|link|file|git|github|gitlab|bitbucket';

/** Colons a password may hold. */
const PASSWORD_COLONS = 3;

/** A user and a password that are digits (with an ISO date before the hour): a time or a position. */
const NOT_TIME = `(?!(?:[0-9-]{1,32}T)?\\d{1,128}(?::[\\d.]{1,256}){1,${PASSWORD_COLONS}}@)`;

/**
 * A host: IPv4, [IPv6], a dotted name ending in a label that starts with a letter, localhost, or
 * one label before a port or a path (`sep` then digits, or `slash`), unless a slash stands
 * before its `@` (`pkg:npm/@scope/pkg`: a scoped package, `@` and `/` its own).
 */
const host = (sep: string, slash: string): string =>
  `(?:\\d{1,3}(?:\\.\\d{1,3}){3}|\\[[0-9a-f:.]{2,45}\\]|(?:[a-z0-9-]{1,63}\\.){1,8}[a-z][a-z0-9-]{0,62}|localhost|(?<!${slash}(?:@|%40))[a-z][a-z0-9-]{0,62}(?=${sep}\\d|${slash}))`;

/** After the host (and its port): not a host character, nor a dot or colon that goes on with one (a longer name, a digest). */
const HOST_END = '(?![a-z0-9_@-]|[.:][a-z0-9_-])';

/** One label, as the last part of a word: then the end, a space, a quote, a comma, a bracket, or a `.` or `:` that ends a sentence. */
const LABEL_AT_WORD_END = '[a-z][a-z0-9-]{0,62}(?=$|[\\s"\',;)\\]}>\\\\]|[.:](?![^\\s"\'\\\\]))';
/** The same, percent-encoded: then the end, `&`, `;`, `#`, `+`, or an encoded space, quote, comma or backslash. */
const ENCODED_LABEL_AT_WORD_END = '[a-z][a-z0-9-]{0,62}(?=$|[\\s&;#+"\']|%(?:2[027C]|3B|5C))';

/**
 * A password in text, as `segment` runs separated by at most {@link PASSWORD_COLONS} colons
 * (`colon`). No run starts with `[REDACTED` or with `slashes`: after a colon they are what the
 * rules before wrote, or a URL's own authority (`jdbc:postgresql://u:[REDACTED]@db`, its scheme
 * no user), which the scheme rule redacts.
 */
const password = (segment: string, colon: string, slashes: string): string => {
  const fresh = `(?!\\[REDACTED|${slashes})`;
  return `${fresh}${segment}{1,256}?(?:${colon}${fresh}${segment}{0,256}?){0,${PASSWORD_COLONS}}`;
};

/** A character of a password in text: not a colon, space, quote, backslash or angle bracket. */
const PLAIN = '[^\\s:"\'\\\\<>]';
/** A character of a percent-encoded password: not `:`, `/`, `&` or `;`, and no `%3A` (its colon). */
const ENCODED = '(?:[^\\s%:@/&;"\'\\\\<>]|%(?!3A)[0-9a-f]{2})';

/** A password that looks like one: its first character other than a letter, `.`, `_`, `-` or `:` is a digit or a symbol. */
const PLAIN_SHAPED = '(?=[a-z._:-]{0,1024}[0-9!#$%&*+=?^~|])';
/** The same, percent-encoded: a digit, a symbol or an encoded character (not `%3A`, not `%40`). */
const ENCODED_SHAPED = `(?=(?:[a-z._-]{0,256}%3A){0,${PASSWORD_COLONS}}[a-z._-]{0,256}(?:[0-9!*~]|%(?!3A|40)[0-9a-f]{2}))`;

/** Where a user starts in text: after no user character and no colon. */
const PLAIN_USER_START = '(?<![a-z0-9._~%+:-])';
/** Where a user starts percent-encoded: after any character that is not one of its own, or after a `%XX`. */
const ENCODED_USER_START = '(?<=^|[^a-z0-9._~+-]|%[0-9a-f]{2})';

/** A global, case-insensitive regex from pieces. */
const rei = (...parts: string[]): RegExp => new RegExp(parts.join(''), 'gi');

/** Both forms of a schemeless authority with a password; the replacement keeps user and host. */
export const AUTHORITY_PATTERNS: readonly ValuePattern[] = [
  // user:password@host. The password may hold `/` and `@` (pasted unencoded: it runs to the first
  // `@` a host follows) and up to three `:`, but no space, quote or backslash (the end of an
  // escaped JSON string).
  {
    name: 'url-password',
    hint: /:[^\s:@]{0,256}@/,
    regex: rei(
      PLAIN_USER_START,
      `(?!(?:${ADDRESS_LABELS}):)${NOT_TIME}`,
      '([a-z0-9._~%+-]{1,128}):',
      password(PLAIN, ':', '//'),
      '@',
      `(?=${host(':', '/')}(?::\\d{1,5})?${HOST_END})`,
    ),
    replace: '$1:[REDACTED]@',
  },
  // user:password@db, the host a single label at the end of a word: the password has to look
  // like one, and the user starts with a letter and is no package protocol.
  {
    name: 'url-password',
    hint: /:[^\s:@]{0,256}@/,
    regex: rei(
      PLAIN_USER_START,
      `(?!(?:${ADDRESS_LABELS}|${PACKAGE_PROTOCOLS}):)${NOT_TIME}`,
      '(?=[a-z])([a-z0-9._~%+-]{1,128}):',
      PLAIN_SHAPED,
      password(PLAIN, ':', '//'),
      `@(?=${LABEL_AT_WORD_END})`,
    ),
    replace: '$1:[REDACTED]@',
  },
  // user%3Apassword%40host, percent-encoded in a query parameter (after `=`, or after an encoded
  // `%2F%2F`).
  {
    name: 'url-password',
    hint: /%40/,
    regex: rei(
      ENCODED_USER_START,
      `(?!(?:${ADDRESS_LABELS})%3A)`,
      '([a-z0-9._~+-]{1,128})%3A',
      password(ENCODED, '%3A', '%2F%2F'),
      '%40',
      `(?=${host('%3A', '%2F')}(?:%3A\\d{1,5})?${HOST_END})`,
    ),
    replace: '$1%3A[REDACTED]%40',
  },
  // The same with a single label at the end of the parameter (`dsn=admin%3AS3cret%40db&x=1`).
  {
    name: 'url-password',
    hint: /%40/,
    regex: rei(
      ENCODED_USER_START,
      `(?!(?:${ADDRESS_LABELS}|${PACKAGE_PROTOCOLS})%3A)`,
      '(?=[a-z])([a-z0-9._~+-]{1,128})%3A',
      ENCODED_SHAPED,
      password(ENCODED, '%3A', '%2F%2F'),
      `%40(?=${ENCODED_LABEL_AT_WORD_END})`,
    ),
    replace: '$1%3A[REDACTED]%40',
  },
];
