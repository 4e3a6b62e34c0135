/**
 * The text of an answer as its reader can recover it. Escapes are undone (see {@link unescapeText});
 * text escaped twice (a JSON string holding JSON, an HTML page quoting an escaped message) is undone
 * once more; inline HTML tags (syntax highlighting in a debug page) are taken out, and `\xNN`
 * escapes (a Python repr, a log line) undone, each in a variant of its own (a Windows path may hold
 * `\xa1`); and a base64 run that decodes to text (a stack or a driver error "encoded" into a `debug`
 * field, a cookie, a header) is decoded. The recovered texts follow the once-undone text, each after
 * a blank line, so a signature reads each as written. A base64 run written in lines (MIME's 76
 * characters a line, PEM's 64: Python's `encodebytes`, Java's MIME encoder) is decoded whole, its line
 * breaks taken out, since a text cut at a line's end is in no line whole; base64 of gzipped or
 * UTF-16 text is decoded too (see {@link bytesText}). A quoted-printable MIME part is read with its soft
 * line breaks joined. Bounded: at most three more levels, 20 base64 runs of at most 64 KB each.
 */
import { bytesText } from './bytes-text.js';
import { unescapeText } from './unescape.js';

/** An escape still there once the text was unescaped: it was escaped twice. */
const ESCAPED_TWICE = /\\["\\/nrtu]|&(?:#x?[0-9a-f]|quot;|lt;|gt;|amp;|apos;)|%[0-9a-f]{2}/i;

/** An inline HTML tag, such as a debug page's syntax highlighting puts between the words of one text. */
const INLINE_TAG = /<\/?(?:span|b|i|em|strong|code|kbd|samp|var|mark|u|font|a|abbr)(?:\s[^<>]{0,200})?>/gi;

/** A `\xNN` escape. */
const HEX_ESCAPE = /\\x[0-9a-fA-F]{2}/;

/** A base64 or base64url run, 24 characters at least (18 bytes), from its start (a run is not tried again inside). */
const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}/g;

/**
 * A base64 run of two lines or more, each line ended by a line break (spaces around it allowed). A
 * line's characters cannot be whitespace, so each line is matched one way: linear in the text.
 */
const BASE64_LINES = /(?<![A-Za-z0-9+/])(?:[A-Za-z0-9+/]{16,}[ \t]*\r?\n[ \t]*)+[A-Za-z0-9+/]{2,}={0,2}/g;

/** Control characters other than tab and line ends: decoded bytes with them are not text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/;

const LIMITS = { levels: 3, runs: 20, runChars: 65_536 } as const;

/** A MIME part's quoted-printable transfer encoding, named in the answer. */
const QUOTED_PRINTABLE = /content-transfer-encoding:\s*quoted-printable/i;

/** The text `run` decodes to, when it is base64 of text (see {@link bytesText}) without control characters. */
function base64Text(run: string): string | undefined {
  const bytes = Buffer.from(run, 'base64');
  if (bytes.length < 16) return undefined;
  const text = bytesText(bytes, LIMITS.runChars * 4);
  return text === undefined || CONTROL.test(text) ? undefined : text;
}

/** `text` (as the target sent it) with every escape undone, followed by what was escaped twice or base64-encoded. */
export function readableText(text: string): string {
  const once = unescapeText(text);
  const parts = [once];
  let last = once;
  for (let level = 0; level < LIMITS.levels && ESCAPED_TWICE.test(last); level += 1) {
    const next = unescapeText(last);
    if (next === last) break;
    parts.push(next);
    last = next;
  }
  // `relation <span>"users"</span> does not exist`: the text without its inline tags, as a browser shows it.
  INLINE_TAG.lastIndex = 0;
  if (INLINE_TAG.test(once)) parts.push(once.replace(INLINE_TAG, ''));
  // `\x2F`: a string literal's hex escapes (a Python repr, a JavaScript or a log line), as a variant of its own.
  if (HEX_ESCAPE.test(once))
    parts.push(
      once.replace(/\\x([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    );
  // `relation =22users=22 does not ex=\r\nist`: a MIME part in quoted-printable, soft line breaks joined.
  if (QUOTED_PRINTABLE.test(once))
    parts.push(
      once
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    );
  let runs = 0;
  for (const match of once.matchAll(BASE64_RUN)) {
    if (runs >= LIMITS.runs) break;
    if (match[0].length > LIMITS.runChars) continue;
    runs += 1;
    const decoded = base64Text(match[0]);
    if (decoded !== undefined) parts.push(unescapeText(decoded));
  }
  for (const match of once.matchAll(BASE64_LINES)) {
    if (runs >= LIMITS.runs) break;
    if (match[0].length > LIMITS.runChars) continue;
    runs += 1;
    const decoded = base64Text(match[0].replace(/\s+/g, ''));
    if (decoded !== undefined) parts.push(unescapeText(decoded));
  }
  return parts.join('\n\n');
}
