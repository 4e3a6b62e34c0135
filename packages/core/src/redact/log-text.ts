/**
 * Text made safe for one log line: what can forge a line (controls, CR and LF, separators) or make
 * a viewer show other words than it holds (bidirectional controls, invisible characters) is
 * written as a visible escape.
 */

/** What {@link escapeLogText} escapes (a tag character is a surrogate pair, matched whole). */
const HIDES_OR_FORGES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200b\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|\udb40[\udc00-\udc7f]/g;

/** {@link HIDES_OR_FORGES} without the global flag: `test` then keeps no state between texts. */
const ANY_TO_ESCAPE = new RegExp(HIDES_OR_FORGES.source);

/**
 * Escapes characters that can forge or hide log lines: C0 controls (CR and LF included), DEL, C1
 * controls (ANSI CSI), U+2028/U+2029, the bidirectional embedding, override and isolate
 * controls (U+202A–U+202E, U+2066–U+2069) that make a viewer show other words than the line
 * holds, and invisible characters that hide text in it: zero-width space (U+200B), word joiner
 * and invisible operators (U+2060–U+2064), zero-width no-break space (U+FEFF) and tag characters
 * (U+E0000–U+E007F, which carry text no viewer shows). Tabs are kept, and so are the marks some
 * scripts need (ZWNJ, ZWJ, LRM, RLM, ALM). Newlines of multi-line text (stacks) are escaped too:
 * a record's string never spans two lines of any log format.
 */
export function escapeLogText(text: string): string {
  // Most text has nothing to escape: a test stays in the regex's compiled code, where a global
  // `replace` with a function always entered the runtime (about 1.4k instructions a call, callgrind).
  if (!ANY_TO_ESCAPE.test(text)) return text;
  return text.replace(HIDES_OR_FORGES, (ch) => {
    const code = ch.charCodeAt(0);
    if (code === 0x0a) return '\\n';
    if (code === 0x0d) return '\\r';
    if (ch.length === 2) return `\\u${code.toString(16)}\\u${ch.charCodeAt(1).toString(16)}`;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}
