/**
 * Answer text as its reader sees it. A leak is often carried escaped: inside a JSON string
 * (`relation \"users\" does not exist`, `File \"/app/x.py\", line 3`, `\u002fapp`), in an HTML error
 * page (`relation &quot;users&quot;`, Express's development page, Django's and Rails' debug pages)
 * or percent-encoded (a `Location` query, a `grpc-message`). Signatures are written for the plain
 * text, so they are run on the text with those escapes undone, and only on it: the escapes only hide
 * text (a quote, a slash, a line break), so a path inside an escaped stack is still part of the
 * stack, reported once under its true kind.
 */

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  quot: '"',
  apos: "'",
  amp: '&',
  lt: '<',
  gt: '>',
  nbsp: ' ',
  sol: '/',
  bsol: '\\',
  colon: ':',
  lpar: '(',
  rpar: ')',
  grave: '`',
  equals: '=',
  commat: '@',
};

const PERCENT = /%[0-9a-fA-F]{2}/;

const JSON_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: ' ', f: ' ' };

/** A code point as text, or a space when it is not a valid one. */
function codePoint(value: number): string {
  return Number.isInteger(value) && value >= 0 && value <= 0x10ffff ? String.fromCodePoint(value) : ' ';
}

/**
 * `text` with JSON string escapes (and `\u{…}`), HTML character references and percent-encoding undone
 * (one level each; `+` read as a space where the text is form-encoded).
 */
export function unescapeText(text: string): string {
  // In a form-encoded run (a query, a cookie, a form body: one with a percent escape), `+` is a space.
  const form =
    text.includes('+') && PERCENT.test(text)
      ? text.replace(/[^\s"'<>]+/g, (run) => (run.includes('+') && PERCENT.test(run) ? run.replace(/\+/g, ' ') : run))
      : text;
  return (
    form
      // JSON's `\u0041` and the `\u{41}` of JavaScript, Rust, Swift, Ruby and PHP strings.
      .replace(
        /\\u(?:([0-9a-fA-F]{4})|\{([0-9a-fA-F]{1,6})\})|\\(["\\/nrtbf])/g,
        (_m, hex: string | undefined, braced: string | undefined, c: string | undefined) =>
          hex !== undefined || braced !== undefined
            ? codePoint(Number.parseInt(hex ?? braced ?? '', 16))
            : (JSON_ESCAPES[c ?? ''] ?? c ?? ''),
      )
      .replace(
        /&(?:#x([0-9a-fA-F]{1,6})|#(\d{1,7})|([a-zA-Z]{2,8}));?/g,
        (match, hex?: string, dec?: string, name?: string) =>
          hex !== undefined
            ? codePoint(Number.parseInt(hex, 16))
            : dec !== undefined
              ? codePoint(Number.parseInt(dec, 10))
              : (NAMED_ENTITIES[(name ?? '').toLowerCase()] ?? match),
      )
      .replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
  );
}
