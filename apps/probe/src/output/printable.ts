/**
 * Target-controlled text made safe for a terminal: every control character (C0, DEL, C1, ESC),
 * every line or paragraph separator, the Unicode bidirectional controls and the invisible
 * characters that hide text (zero-width space, word joiner, invisible operators, U+FEFF, tag
 * characters) are shown as visible escapes (`\n`, `\r`, `\t`, `\x1b`, `\u202e`), and the result is bounded in length, so a header,
 * path or body can neither forge a line of the report nor hide or recolour one.
 */

const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  /[\u0000-\u001f\u007f-\u009f\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\\]|\udb40[\udc00-\udc7f]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

/** `text` with every unsafe character escaped visibly, cut to `max` characters (with `…` when cut). */
export function printable(text: string, max = 200): string {
  const escaped = text.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    if (c.length === 2) return `\\u${code.toString(16)}\\u${c.charCodeAt(1).toString(16)}`;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}
