/**
 * Cutting text to length without cutting a secret in two. A secret that straddles a cut loses its
 * tail, and with it the shape its pattern needs (`sk_live_4eC3`, `"password":"hunt`,
 * `-----BEGIN PRIVATE KEY-----` without its end): redacting the cut text would write the part
 * that is left. So the walk (snapshot.ts) keeps {@link CUT_MARGIN} characters past the cut and
 * marks the text; the redactor redacts all it kept, then cuts at the mark ({@link finishCut}).
 * Only the redacted text is ever cut.
 */

/** Characters kept past a cut: more than any pattern whose partial match would not be redacted spans. */
export const CUT_MARGIN = 1024;

const MARK_START = '...[truncated ';
const MARK_END = ' chars]';

/** The marker a cut text ends with: `...[truncated <dropped> chars]`. */
export function cutMark(dropped: number): string {
  return `${MARK_START}${dropped}${MARK_END}`;
}

/**
 * `text` to be cut at `at` characters once redacted: as it is when it is not longer, else its
 * first `at` + {@link CUT_MARGIN} characters and the marker of what the cut drops.
 */
export function markCut(text: string, at: number): string {
  return text.length > at ? `${text.slice(0, at + CUT_MARGIN)}${cutMark(text.length - at)}` : text;
}

/** A text {@link markCut} cut: what it kept (`body`), where the cut is in it, and what the cut drops. */
export interface MarkedCut {
  readonly body: string;
  readonly at: number;
  readonly dropped: number;
}

/** The cut `text` carries, or `undefined` when it was not cut. */
export function parseCut(text: string): MarkedCut | undefined {
  if (!text.endsWith(MARK_END)) return undefined;
  const start = text.lastIndexOf(MARK_START, text.length - MARK_END.length);
  if (start < 0) return undefined;
  const digits = text.slice(start + MARK_START.length, text.length - MARK_END.length);
  if (!/^\d{1,15}$/.test(digits)) return undefined;
  const dropped = Number(digits);
  // The walk kept `at` + CUT_MARGIN characters, or all of a text shorter than that.
  return { body: text.slice(0, start), at: Math.max(0, start - Math.min(CUT_MARGIN, dropped)), dropped };
}

/**
 * `text` redacted by `redact`; a text {@link markCut} cut is redacted whole (margin included),
 * then cut at its mark. A forged marker only shortens the text that holds it.
 */
export function finishCut(text: string, redact: (text: string) => string): string {
  const cut = parseCut(text);
  if (cut === undefined) return redact(text);
  return `${redact(cut.body).slice(0, cut.at)}${cutMark(cut.dropped)}`;
}

/** `text` redacted by `redact`, cut at `max` characters only after it was redacted. */
export function redactThenCut(text: string, max: number, redact: (text: string) => string): string {
  // A text within the bound is never parsed for a marker: one it holds is its own text.
  return text.length <= max ? redact(text) : finishCut(markCut(text, max), redact);
}
