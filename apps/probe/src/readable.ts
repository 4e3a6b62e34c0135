/**
 * The text of an answer as its reader can recover it. Escapes are undone (see {@link unescapeText});
 * text escaped twice (a JSON string holding JSON, an HTML page quoting an escaped message) is undone
 * once more; inline HTML tags (syntax highlighting in a debug page) are taken out, and `\xNN` and
 * octal `\101` escapes (a Python repr, a log line, a C string) undone, each in a variant of its own
 * (a Windows path may hold `\xa1`); and a base64 run that decodes to text (a stack or a driver error
 * "encoded" into a `debug` field, a cookie, a header) is decoded. The recovered texts follow the
 * once-undone text, each after a blank line, so a signature reads each as written. A base64 run written
 * in lines (MIME's 76 characters a line, PEM's 64: Python's `encodebytes`, Java's MIME encoder) is
 * decoded whole, its line breaks taken out, since a text cut at a line's end is in no line whole; base64
 * of gzipped, zlib-compressed, raw deflate, brotli or UTF-16 text is decoded too. Hex runs
 * (`4572726f72…`, `0x…`, `45 72 72 …`) and bytes written as a list of numbers (a Buffer as JSON writes
 * it) are decoded the same way (see {@link decodedRuns}). A quoted-printable MIME part is read with its
 * soft line breaks joined. Bounded: at most three more levels, 20 runs of each kind of at most 64 KB
 * each.
 */
import { decodedRuns } from './encoded.js';
import { unescapeText } from './unescape.js';

/** An escape still there once the text was unescaped: it was escaped twice. */
const ESCAPED_TWICE = /\\["\\/nrtu]|&(?:#x?[0-9a-f]|quot;|lt;|gt;|amp;|apos;)|%[0-9a-f]{2}/i;

/** An inline HTML tag, such as a debug page's syntax highlighting puts between the words of one text. */
const INLINE_TAG = /<\/?(?:span|b|i|em|strong|code|kbd|samp|var|mark|u|font|a|abbr)(?:\s[^<>]{0,200})?>/gi;

/** A `\xNN` escape. */
const HEX_ESCAPE = /\\x[0-9a-fA-F]{2}/;

/** A three-digit octal escape (`\101`), and a run of them (one UTF-8 text: `\303\266` is one letter). */
const OCTAL_ESCAPE = /\\[0-3][0-7]{2}/;
const OCTAL_RUN = /(?:\\[0-3][0-7]{2})+/g;

/** At most three more levels of escapes are undone. */
const LIMITS = { levels: 3 } as const;

/** A MIME part's quoted-printable transfer encoding, named in the answer. */
const QUOTED_PRINTABLE = /content-transfer-encoding:\s*quoted-printable/i;

/** `text` (as the target sent it) with every escape undone, followed by what was escaped twice or encoded. */
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
  // `\123\105\114`: C's, Perl's and PostgreSQL's `bytea` octal escapes, each run read as UTF-8, in a variant.
  if (OCTAL_ESCAPE.test(once))
    parts.push(
      once.replace(OCTAL_RUN, (run) =>
        Buffer.from(
          run
            .split('\\')
            .slice(1)
            .map((octal) => Number.parseInt(octal, 8)),
        ).toString('utf8'),
      ),
    );
  // `relation =22users=22 does not ex=\r\nist`: a MIME part in quoted-printable, soft line breaks joined.
  if (QUOTED_PRINTABLE.test(once))
    parts.push(
      once
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    );
  for (const decoded of decodedRuns(once)) parts.push(unescapeText(decoded));
  return parts.join('\n\n');
}
