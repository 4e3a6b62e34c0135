/**
 * Stacks as records hold them: the header's first line, then the `at` frames, each line redacted
 * and escaped on its own, so logs stay one line per record yet a stack reads as frames.
 */
import { parseCut } from './cut.js';

/** Most stack lines kept in a record. */
const MAX_STACK_LINES = 64;
/** Most characters of a stack read (a bound on the redaction's work). */
const MAX_STACK_TEXT = 65_536;

const FRAME_LINE = /^\s*at /;

/**
 * Where a V8 stack's header ends: the header is `Type: message`, as many lines as the message has
 * (a zod message holds newlines), so it is found through the message itself, looked for after the
 * first `: ` first (a message that is part of the type, `eg` in `AggregateError: eg`, cut the
 * header inside the type and lost the rest of it); without one, it ends before the first `    at ` line.
 */
export function stackHeaderEnd(stack: string, message: string | undefined): number {
  if (message !== undefined && message !== '') {
    const colon = stack.indexOf(': ');
    let at = colon >= 0 && colon < 256 ? stack.indexOf(message, colon + 2) : -1;
    if (at < 0 || at > 256) at = stack.indexOf(message);
    if (at >= 0 && at <= 256) return at + message.length;
  }
  const frame = /\r?\n\s*at /.exec(stack);
  return frame === null ? stack.length : frame.index;
}

/**
 * A stack as lines: the header's first line (` …` when the message goes on: the whole message is
 * the record's `message`), then only the `at` frames, trimmed, at most {@link MAX_STACK_LINES}.
 * `redact` is applied to the header and to the frames as blocks, `escapeLine` to each line.
 * A stack the walk cut (cut.ts) loses its last line, the one the cut went through: every pattern
 * but the private key's (which also matches a key without its end) stops at a line's end, so each
 * whole line is redacted as it would be uncut, while the cut line could hold the head of a
 * secret its pattern no longer knows. `...` stands for what was cut. A stack longer than
 * {@link MAX_STACK_TEXT} is read up to the last line that ends within it, for the same reason:
 * the line that straddles the bound is dropped, not cut (`sk_live_4eC3` is no key to redact).
 */
export function stackFrames(
  stack: string,
  redact: (text: string) => string,
  escapeLine: (line: string) => string,
  message?: string,
): string[] {
  const cut = parseCut(stack);
  const whole = cut === undefined ? stack : cut.body.slice(0, Math.max(0, cut.body.lastIndexOf('\n')));
  const long = whole.length > MAX_STACK_TEXT;
  // lastIndexOf from MAX_STACK_TEXT: a line ending right at the bound is whole and kept.
  const text = long ? whole.slice(0, Math.max(0, whole.lastIndexOf('\n', MAX_STACK_TEXT))) : whole;
  const end = stackHeaderEnd(text, message);
  const headerLines = text.slice(0, end).split(/\r?\n/, 2);
  const first = (headerLines[0] ?? '').trim();
  const lines = [escapeLine(redact(headerLines.length > 1 ? `${first} …` : first))];
  const body = redact(text.slice(end)).split(/\r?\n/);
  let frames = 0;
  for (const line of body) {
    if (!FRAME_LINE.test(line)) continue;
    if (frames === MAX_STACK_LINES) {
      lines.push('...');
      break;
    }
    lines.push(escapeLine(line.trim()));
    frames += 1;
  }
  if ((cut !== undefined || long) && lines[lines.length - 1] !== '...') lines.push('...');
  return lines.filter((line) => line !== '');
}
