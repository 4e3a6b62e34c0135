/**
 * Redacting a record's thrown value, with the stack's frames remembered: in a storm the same
 * call site throws many errors whose messages differ while their frames are the same text, so the
 * frames are redacted, split and parsed for the fingerprint once per distinct frame text (a
 * bounded map), and only the header line (type and message) is redacted per record. The result
 * is exactly what `Redactor.redactSnapshot` returns for the whole value; stacks the fast path
 * cannot split the same way (long, unusual layouts) take the plain path.
 */
import { type Redacted, type Redactor, stackHeaderEnd } from '../redact/redactor.js';
import type { SnapError, SnapNode } from '../redact/snapshot.js';
import { TOP_FRAMES, topFrames } from './fingerprint.js';
import type { StackJson } from './line-format.js';
import { OldestFirst } from './windows.js';

/** Frame texts remembered at once. */
const MAX_ENTRIES = 256;
/** Longest stack the fast path takes (topFrames reads 16 KiB of a stack; stackFrames 64 KiB). */
const MAX_STACK = 16_384;
/** Where the frames of a V8 stack start: a newline, then `at `. */
const FRAMES_START = /^\n\s*at /;

interface Frames {
  /** Redacted, escaped frame lines, as `stackFrames` makes them. */
  readonly lines: readonly string[];
  /** The fingerprint's top frames. */
  readonly top: readonly string[];
  /** `lines` as JSON, each line's JSON joined by commas (spliced into the record's text). */
  readonly json: string;
}

/** The redacted thrown value and the frames its fingerprint is made of. */
export interface RedactedError {
  readonly error: Redacted;
  readonly top: readonly string[];
  /** The stack array in `error` whose frame lines are already serialized (fast path only). */
  readonly stackJson?: StackJson;
}

/** The stack of a snapshot's thrown value, if any. */
function stackOf(thrown: SnapNode): string | undefined {
  if (typeof thrown !== 'object' || thrown === null || Array.isArray(thrown)) return undefined;
  if ('e' in thrown) return thrown.e.stack;
  if ('o' in thrown && typeof thrown.o.stack === 'string') return thrown.o.stack;
  return undefined;
}

/** Most short strings whose redaction is remembered (then the memory starts over). */
const MAX_MEMO = 1024;
/** Longest string whose redaction is remembered. */
const MAX_MEMO_LENGTH = 256;

/**
 * `redactor` with `redactString` remembered for short strings: the fields a storm repeats on
 * every record (error type, classifier reason, source, method, route) are redacted once.
 */
export function rememberingStrings(redactor: Redactor): Redactor {
  const memo = new Map<string, string>();
  const redactString = (text: string): string => {
    if (text.length > MAX_MEMO_LENGTH) return redactor.redactString(text);
    let out = memo.get(text);
    if (out === undefined) {
      if (memo.size >= MAX_MEMO) memo.clear();
      out = redactor.redactString(text);
      memo.set(text, out);
    }
    return out;
  };
  return { ...redactor, redactString };
}

/** Redacts thrown values, remembering the redacted frames of each distinct frame text. */
export class ErrorRedaction {
  readonly #redactor: Redactor;
  readonly #frames = new OldestFirst<string, Frames>(MAX_ENTRIES);
  /** The frame text seen last, and its entry. */
  #lastBody = '';
  #last: Frames | undefined;

  constructor(redactor: Redactor) {
    this.#redactor = redactor;
  }

  /** What `redactor.redactSnapshot(thrown)` returns, and the top frames of its stack. */
  redact(thrown: SnapNode): RedactedError {
    if (typeof thrown === 'object' && thrown !== null && !Array.isArray(thrown) && 'e' in thrown) {
      const fast = this.#fast(thrown);
      if (fast !== undefined) return fast;
    }
    const stack = stackOf(thrown);
    return {
      error: this.#redactor.redactSnapshot(thrown),
      top: stack === undefined ? [] : topFrames(stack.slice(0, MAX_STACK)),
    };
  }

  #fast({ e }: SnapError): RedactedError | undefined {
    const stack = e.stack;
    if (stack === undefined || stack.length > MAX_STACK) return undefined;
    const end = stackHeaderEnd(stack, e.message);
    const body = stack.slice(end);
    if (!FRAMES_START.test(body)) return undefined;
    const header = stack.slice(0, end);
    const frames = this.#framesOf(body);
    const error = this.#redactor.redactSnapshot({ e: { ...e, stack: header } });
    if (typeof error !== 'object' || error === null || Array.isArray(error) || !Array.isArray(error.stack))
      return undefined;
    const from = error.stack.length;
    const lines = [...error.stack, ...frames.lines];
    error.stack = lines;
    const top = topFrames(header);
    return {
      error,
      top: top.length === 0 ? frames.top : [...top, ...frames.top].slice(0, TOP_FRAMES),
      stackJson: { stack: lines, from, count: frames.lines.length, json: frames.json },
    };
  }

  /** The redacted lines and top frames of `body` (which starts with a frame line), remembered. */
  #framesOf(body: string): Frames {
    // The same call site again (a storm): comparing the text costs a fraction of hashing it.
    if (body === this.#lastBody && this.#last !== undefined) return this.#last;
    const known = this.#frames.get(body) ?? this.#newFrames(body);
    this.#lastBody = body;
    this.#last = known;
    return known;
  }

  #newFrames(body: string): Frames {
    // A one-character header: `stackFrames` then redacts exactly `body`, as it does for the real stack.
    const whole = this.#redactor.redactSnapshot({ e: { type: 'Error', stack: `H${body}`, props: {} } });
    const lines =
      typeof whole === 'object' && whole !== null && !Array.isArray(whole) && Array.isArray(whole.stack)
        ? (whole.stack.slice(1) as string[])
        : [];
    const frames: Frames = { lines, top: topFrames(body), json: lines.map((line) => JSON.stringify(line)).join(',') };
    this.#frames.set(body, frames);
    return frames;
  }
}
