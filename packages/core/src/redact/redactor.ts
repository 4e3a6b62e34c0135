/**
 * The redaction engine for everything that leaves the process internally (log records, span
 * attributes, exception log records). It turns any value into a bounded, JSON-safe tree:
 * secrets in strings are replaced by value patterns, values under sensitive keys by key rules,
 * cycles, depth and size are bounded, hostile getters and Proxies cannot throw through it, and
 * control characters that could forge log lines or drive a terminal are escaped.
 */
import { escapeLogText } from './log-text.js';
import { CARD_PATTERN, EMAIL_PATTERN, IP_PATTERNS, SECRET_PATTERNS, type ValuePattern } from './patterns.js';
import { type SnapError, type SnapNode, type SnapshotBounds, snapshot, truncate } from './snapshot.js';

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

/** Key rules on by default (matched against the key, case-insensitive). */
export const DEFAULT_DENY_KEYS: readonly RegExp[] = [
  /pass(word|wd|phrase)?$/i,
  /^pwd$/i,
  /secret/i,
  /token/i,
  /authorization/i,
  /^auth$/i,
  /cookie/i,
  /api[-_]?key/i,
  /^x-api-key$/i,
  /private[-_]?key/i,
  /credential/i,
  /^session(id)?$/i,
  /connection[-_]?string/i,
  /^dsn$/i,
  /^(cvv|cvc|pin|ssn)$/i,
];

/**
 * One test for "does any pattern's hint match": the hints joined into one alternation (one for
 * case-sensitive hints, one for case-insensitive). When it fails no pattern can match, so the text
 * is returned as it is, exactly what running each pattern would give. `undefined` (test every
 * pattern) when a pattern has no hint, or a hint has flags other than `i`, `g` or `y` or a backreference.
 */
export function combinedHints(patterns: readonly ValuePattern[]): ((text: string) => boolean) | undefined {
  const sensitive: string[] = [];
  const insensitive: string[] = [];
  for (const { hint } of patterns) {
    // A backreference would point elsewhere once joined: such a hint is tested on its own.
    if (hint === undefined || /[^igy]/.test(hint.flags) || /\\[1-9]|\\k</.test(hint.source)) return undefined;
    (hint.flags.includes('i') ? insensitive : sensitive).push(`(?:${hint.source})`);
  }
  try {
    const a = sensitive.length > 0 ? new RegExp(sensitive.join('|')) : undefined;
    const b = insensitive.length > 0 ? new RegExp(insensitive.join('|'), 'i') : undefined;
    return (text) => (a?.test(text) ?? false) || (b?.test(text) ?? false);
  } catch {
    return undefined;
  }
}

/** A copy of `regex` without the `g` and `y` flags (whose `test` resumes from `lastIndex`), plus `add`. */
function stateless(regex: RegExp, add = ''): RegExp {
  return new RegExp(regex.source, `${regex.flags.replace(/[gy]/g, '')}${add}`);
}

function keyMatcher(deny: readonly (string | RegExp)[]): (key: string) => boolean {
  const regexes = deny.map((rule) =>
    typeof rule === 'string'
      ? new RegExp(`^${rule.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i')
      : // A global or sticky rule's `test` resumes from its last match: the same key would be
        // denied, then allowed. A copy without those flags answers the same every time.
        stateless(rule),
  );
  return (key) => regexes.some((r) => r.test(key));
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

  const anyHint = combinedHints(patterns);

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

  function redactString(text: string): string {
    return escapeLogText(redactValue(truncate(text, maxString)));
  }

  /** A string the snapshot already cut to length. */
  function redactCut(text: string): string {
    return escapeLogText(redactValue(text));
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
  const bounds: SnapshotBounds = { maxDepth, maxStringLength: maxString, maxKeys, maxNodes, sensitiveKey };

  function redactObject(object: { readonly [key: string]: SnapNode }): { [key: string]: Redacted } {
    const out: { [key: string]: Redacted } = {};
    for (const key of Object.keys(object)) out[redactCut(key)] = redactSnapshot(object[key] as SnapNode);
    return out;
  }

  function redactError({ e }: SnapError): { [key: string]: Redacted } {
    const out: { [key: string]: Redacted } = { type: e.type };
    if (e.message !== undefined) out.message = redactCut(e.message);
    // An array of frames: each line is redacted and escaped on its own, so logs stay one line
    // per record yet a stack reads as frames (not one line with literal \n escapes).
    if (e.stack !== undefined) out.stack = stackFrames(e.stack, redactValue, escapeLogText, e.message);
    for (const [key, value] of Object.entries(redactObject(e.props))) {
      if (key !== 'message' && key !== 'stack' && !(key in out)) out[key] = value;
    }
    if (e.cause !== undefined && !('cause' in out)) out.cause = redactSnapshot(e.cause);
    if (e.errors !== undefined && !('errors' in out)) out.errors = e.errors.map(redactSnapshot);
    return out;
  }

  function redactSnapshot(node: SnapNode): Redacted {
    if (typeof node === 'string') return redactCut(node);
    if (typeof node !== 'object' || node === null) return node;
    if (Array.isArray(node)) return node.map(redactSnapshot);
    if ('l' in node) return node.l;
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

/** Most stack lines kept in a record. */
const MAX_STACK_LINES = 64;

const FRAME_LINE = /^\s*at /;

/**
 * Where a V8 stack's header ends: the header is `Type: message`, as many lines as the message has
 * (a zod message holds newlines), so it is found through the message itself; without one, it
 * ends before the first `    at ` line.
 */
export function stackHeaderEnd(stack: string, message: string | undefined): number {
  if (message !== undefined && message !== '') {
    const at = stack.indexOf(message);
    if (at >= 0 && at <= 256) return at + message.length;
  }
  const frame = /\r?\n\s*at /.exec(stack);
  return frame === null ? stack.length : frame.index;
}

/**
 * A stack as lines: the header's first line (` …` when the message goes on: the whole message is
 * the record's `message`), then only the `at` frames, trimmed, at most {@link MAX_STACK_LINES}.
 * `redact` is applied to the header and to the frames as blocks, `escapeLine` to each line.
 */
export function stackFrames(
  stack: string,
  redact: (text: string) => string,
  escapeLine: (line: string) => string,
  message?: string,
): string[] {
  const text = stack.slice(0, 65_536);
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
  return lines.filter((line) => line !== '');
}
