/**
 * The redaction engine for everything that leaves the process internally (log records, span
 * attributes, exception log records). It turns any value into a bounded, JSON-safe tree:
 * secrets in strings are replaced by value patterns, values under sensitive keys by key rules,
 * cycles, depth and size are bounded, hostile getters and Proxies cannot throw through it, and
 * control characters that could forge log lines or drive a terminal are escaped.
 */
import { finishCut, redactThenCut } from './cut.js';
import { hintTest } from './hints.js';
import { DEFAULT_DENY_KEYS, keyMatcher, stateless } from './keys.js';
import { escapeLogText } from './log-text.js';
import { SECRET_PATTERNS, type ValuePattern } from './patterns.js';
import { CARD_PATTERN, EMAIL_PATTERN, IP_PATTERNS, luhnValid } from './personal-patterns.js';
import { type SnapError, type SnapNode, type SnapshotBounds, setOwn, snapshot } from './snapshot.js';
import { stackFrames } from './stack.js';

export { combinedHints } from './hints.js';
export { DEFAULT_DENY_KEYS } from './keys.js';
export { stackFrames, stackHeaderEnd } from './stack.js';

/** A JSON-safe value produced by the redactor. */
export type Redacted = string | number | boolean | null | Redacted[] | { [key: string]: Redacted };

/** Options of {@link createRedactor}. */
export interface RedactionOptions {
  /** Redact email addresses (default true). */
  readonly emails?: boolean;
  /** Redact IPv4/IPv6 addresses (default false: internal logs usually need peer addresses). */
  readonly ips?: boolean;
  /** Redact payment card numbers (default true). */
  readonly cards?: boolean;
  /** More value patterns, applied after the built-in ones. */
  readonly patterns?: readonly ValuePattern[];
  /** More key rules: a key matching any of these has its value replaced. */
  readonly denyKeys?: readonly (string | RegExp)[];
  /** Keys never redacted by key rules (exact, case-insensitive), e.g. `tokenCount`. Value patterns still apply. */
  readonly allowKeys?: readonly string[];
  /** Deepest nesting kept (default 8). */
  readonly maxDepth?: number;
  /** Longest string kept, in characters (default 8192). */
  readonly maxStringLength?: number;
  /** Most keys kept per object and items per array (default 100). */
  readonly maxKeys?: number;
  /** Most nodes visited in one value (default 2000). */
  readonly maxNodes?: number;
  /**
   * Most characters of text kept in one value: strings, keys and labels together (default four
   * times `maxStringLength`). What is over is cut (`...[truncated N chars]`, `[Truncated]`).
   */
  readonly maxTotalLength?: number;
}

/** A configured redactor. */
export interface Redactor {
  /** Redacts secrets in one string and escapes log-breaking characters. */
  redactString(text: string): string;
  /** Redacts any value into a bounded JSON-safe tree. Never throws. */
  redact(value: unknown): Redacted;
  /**
   * The first half of `redact`: a bounded plain copy, cheap, for the thread that holds the value.
   * `valueType`, when the caller already has it, is `value`'s type label (`typeLabel(value)`),
   * used for `value` itself only.
   */
  snapshot(value: unknown, valueType?: string): SnapNode;
  /** The second half of `redact`, on any thread: patterns, escaping, stack frames. */
  redactSnapshot(node: SnapNode): Redacted;
}

/**
 * A pattern given in the options, made to find every match from the start of each text: without
 * the `g` flag `replace` redacted only the first match, with `y` only a match at index 0, and a
 * global or sticky hint's `test` resumed from its last match, skipping the pattern on every
 * other text.
 */
function everyMatch(pattern: ValuePattern): ValuePattern {
  const regex = stateless(pattern.regex, 'g');
  return pattern.hint === undefined ? { ...pattern, regex } : { ...pattern, regex, hint: stateless(pattern.hint) };
}

/** The label of a bigint as long as a card number (snapshot.ts writes `<digits>n`). */
const BIGINT_CARD = /^-?\d{13,19}n$/;
/** What a card number is written as. */
const CARD = `[REDACTED:${CARD_PATTERN.name}]`;

/** Keys whose sensitivity a redactor remembers at once, and the longest key it remembers. */
const MAX_REMEMBERED_KEYS = 512;
const MAX_REMEMBERED_KEY = 64;

/** Creates a redactor. The defaults suit log records; pass options to widen or narrow it. */
export function createRedactor(options: RedactionOptions = {}): Redactor {
  const patterns: ValuePattern[] = [...SECRET_PATTERNS];
  if (options.cards !== false) patterns.push(CARD_PATTERN);
  if (options.emails !== false) patterns.push(EMAIL_PATTERN);
  if (options.ips === true) patterns.push(...IP_PATTERNS);
  if (options.patterns !== undefined) patterns.push(...options.patterns.map(everyMatch));
  const isDenied = keyMatcher([...DEFAULT_DENY_KEYS, ...(options.denyKeys ?? [])]);
  const allowed = new Set((options.allowKeys ?? []).map((k) => k.toLowerCase()));
  const maxDepth = options.maxDepth ?? 8;
  const maxString = options.maxStringLength ?? 8192;
  const maxKeys = options.maxKeys ?? 100;
  const maxNodes = options.maxNodes ?? 2000;
  const maxTotalLength = options.maxTotalLength ?? 4 * maxString;
  const cards = options.cards !== false;

  const anyHint = hintTest(patterns);

  /** Applies the value patterns (no escaping); a pattern whose hint fails is skipped. */
  function redactValue(text: string): string {
    // Most text holds no hint of any pattern: one or two scans instead of one per pattern.
    if (anyHint !== undefined && !anyHint(text)) return text;
    let out = text;
    for (const pattern of patterns) {
      if (pattern.hint !== undefined && !pattern.hint.test(out)) continue;
      pattern.regex.lastIndex = 0;
      const replacement = pattern.replace ?? `[REDACTED:${pattern.name}]`;
      const accept = pattern.accept;
      out =
        accept === undefined
          ? out.replace(pattern.regex, replacement)
          : out.replace(pattern.regex, (match) => (accept(match) ? replacement : match));
    }
    return out;
  }

  /** Redacted, then cut to `maxStringLength`: a secret the cut goes through is redacted whole. */
  function redactString(text: string): string {
    return escapeLogText(redactThenCut(text, maxString, redactValue));
  }

  /** A string of the snapshot: redacted with the margin it kept, then cut at its mark (cut.ts). */
  function redactCut(text: string): string {
    return escapeLogText(finishCut(text, redactValue));
  }

  /**
   * A number that is a payment card's (14 to 19 digits, Luhn) is written as the card pattern writes
   * it. From 14 digits: a timestamp in milliseconds has 13 until the year 2286, and one in ten of
   * them passes the Luhn check (13-digit card numbers are no longer issued).
   */
  function redactNumber(value: number): Redacted {
    return cards && Number.isInteger(value) && Math.abs(value) >= 1e13 && luhnValid(String(Math.abs(value)))
      ? CARD
      : value;
  }

  // A record's keys repeat (`code`, `detail`, a driver's fields): the answer of the allow list
  // and the deny rules (15 regexes by default) is remembered per key, bounded (#27: a quarter of
  // a snapshot's cost on the response thread was this check).
  const keyAnswers = new Map<string, boolean>();
  const sensitiveKey = (key: string): boolean => {
    let answer = keyAnswers.get(key);
    if (answer === undefined) {
      answer = !allowed.has(key.toLowerCase()) && isDenied(key);
      if (key.length <= MAX_REMEMBERED_KEY) {
        if (keyAnswers.size >= MAX_REMEMBERED_KEYS) keyAnswers.clear();
        keyAnswers.set(key, answer);
      }
    }
    return answer;
  };
  const bounds: SnapshotBounds = {
    maxDepth,
    maxStringLength: maxString,
    maxKeys,
    maxNodes,
    maxTotalLength,
    sensitiveKey,
  };

  function redactObject(object: { readonly [key: string]: SnapNode }): { [key: string]: Redacted } {
    const out: { [key: string]: Redacted } = {};
    for (const key of Object.keys(object)) setOwn(out, redactCut(key), redactSnapshot(object[key] as SnapNode));
    return out;
  }

  function redactError({ e }: SnapError): { [key: string]: Redacted } {
    // The type label is a name the thrown value chose (its constructor's or its `name`).
    // An array of frames: each line is redacted and escaped on its own, so logs stay one line
    // per record yet a stack reads as frames (not one line with literal \n escapes). Redacted
    // first: its header line holds the type and the message, whose hint test is then at once.
    const stack = e.stack === undefined ? undefined : stackFrames(e.stack, redactValue, escapeLogText, e.message);
    const out: { [key: string]: Redacted } = { type: redactCut(e.type) };
    if (e.message !== undefined) out.message = redactCut(e.message);
    if (stack !== undefined) out.stack = stack;
    for (const [key, value] of Object.entries(redactObject(e.props))) {
      // An own `message` or `stack` is the text above; one that is not a string (an object a
      // library assigned: not above) is kept here, or the record lost it.
      if (!Object.hasOwn(out, key)) setOwn(out, key, value);
      // An own `type` is the library's code (node-fetch's `request-timeout`, body-parser's
      // `entity.parse.failed`), not the class: kept beside the type label rather than lost.
      else if (key === 'type' && value !== out.type) setOwn(out, 'own_type', value);
    }
    if (e.cause !== undefined && !Object.hasOwn(out, 'cause')) out.cause = redactSnapshot(e.cause);
    if (e.errors !== undefined && !Object.hasOwn(out, 'errors')) out.errors = e.errors.map(redactSnapshot);
    return out;
  }

  function redactSnapshot(node: SnapNode): Redacted {
    if (typeof node === 'string') return redactCut(node);
    if (typeof node === 'number') return redactNumber(node);
    if (typeof node !== 'object' || node === null) return node;
    if (Array.isArray(node)) return node.map(redactSnapshot);
    // Labels carry names the value chose too (`[Function name]`, a nested object's type).
    if ('l' in node) return cards && BIGINT_CARD.test(node.l) && luhnValid(node.l) ? CARD : redactCut(node.l);
    if ('o' in node) return redactObject(node.o);
    return redactError(node);
  }

  function redact(value: unknown): Redacted {
    try {
      return redactSnapshot(snapshot(value, bounds));
    } catch {
      return '[Unreadable]';
    }
  }

  return { redactString, redact, snapshot: (value, valueType) => snapshot(value, bounds, valueType), redactSnapshot };
}
