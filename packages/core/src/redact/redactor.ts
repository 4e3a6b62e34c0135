/**
 * The redaction engine for everything that leaves the process internally (log records, span
 * attributes, exception log records). It turns any value into a bounded, JSON-safe tree:
 * secrets in strings are replaced by value patterns, values under sensitive keys by key rules,
 * cycles, depth and size are bounded, hostile getters and Proxies cannot throw through it, and
 * control characters that could forge log lines or drive a terminal are escaped.
 */
import { isObjectLike, safeGet, typeLabel } from '../safe-access.js';
import { CARD_PATTERN, EMAIL_PATTERN, IP_PATTERNS, SECRET_PATTERNS, type ValuePattern } from './patterns.js';

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

const REDACTED = '[REDACTED]';

/**
 * Escapes characters that can forge or hide log lines: C0 controls (CR and LF included), DEL, C1
 * controls (ANSI CSI), and U+2028/U+2029. Tabs are kept. Newlines of multi-line text (stacks)
 * are escaped too: a record's string never spans two lines of any log format.
 */
export function escapeLogText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    const code = ch.charCodeAt(0);
    if (code === 0x0a) return '\\n';
    if (code === 0x0d) return '\\r';
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

function keyMatcher(deny: readonly (string | RegExp)[]): (key: string) => boolean {
  const regexes = deny.map((rule) =>
    typeof rule === 'string' ? new RegExp(`^${rule.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i') : rule,
  );
  return (key) => regexes.some((r) => r.test(key));
}

/** Creates a redactor. The defaults suit log records; pass options to widen or narrow it. */
export function createRedactor(options: RedactionOptions = {}): Redactor {
  const patterns: ValuePattern[] = [...SECRET_PATTERNS];
  if (options.cards !== false) patterns.push(CARD_PATTERN);
  if (options.emails !== false) patterns.push(EMAIL_PATTERN);
  if (options.ips === true) patterns.push(...IP_PATTERNS);
  if (options.patterns !== undefined) patterns.push(...options.patterns);
  const isDenied = keyMatcher([...DEFAULT_DENY_KEYS, ...(options.denyKeys ?? [])]);
  const allowed = new Set((options.allowKeys ?? []).map((k) => k.toLowerCase()));
  const maxDepth = options.maxDepth ?? 8;
  const maxString = options.maxStringLength ?? 8192;
  const maxKeys = options.maxKeys ?? 100;
  const maxNodes = options.maxNodes ?? 2000;

  /** Applies the value patterns (no escaping); a pattern whose hint fails is skipped. */
  function redactValue(text: string): string {
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

  function truncate(text: string): string {
    return text.length > maxString
      ? `${text.slice(0, maxString)}...[truncated ${text.length - maxString} chars]`
      : text;
  }

  function redactString(text: string): string {
    return escapeLogText(redactValue(truncate(text)));
  }

  /** A stack redacted in one pass, then split into escaped frames. */
  function redactStack(stack: string): string[] {
    return stackFrames(redactValue(truncate(stack)), escapeLogText);
  }

  function sensitiveKey(key: string): boolean {
    return !allowed.has(key.toLowerCase()) && isDenied(key);
  }

  function redact(value: unknown): Redacted {
    const seen = new Set<object>();
    let nodes = 0;

    function walk(node: unknown, depth: number): Redacted {
      nodes += 1;
      if (nodes > maxNodes) return '[Truncated]';
      switch (typeof node) {
        case 'string':
          return redactString(node);
        case 'number':
          return Number.isFinite(node) ? node : String(node);
        case 'boolean':
          return node;
        case 'bigint':
          return `${node.toString()}n`;
        case 'undefined':
          return null;
        case 'symbol':
          return '[Symbol]';
        case 'function':
          return `[Function ${redactString(typeLabel(node))}]`;
        default:
          break;
      }
      if (node === null) return null;
      if (!isObjectLike(node)) return null;
      if (seen.has(node)) return '[Circular]';
      if (depth >= maxDepth) return `[${typeLabel(node)}]`;
      seen.add(node);
      try {
        if (ArrayBuffer.isView(node)) return `[${typeLabel(node)} ${node.byteLength} bytes]`;
        if (Array.isArray(node)) return walkArray(node, depth);
        if (node instanceof Map || node instanceof Set) return `[${typeLabel(node)} size=${node.size}]`;
        if (node instanceof Date) return Number.isNaN(node.getTime()) ? 'Invalid Date' : node.toISOString();
        if (looksLikeError(node)) return walkError(node, depth);
        return walkObject(node, depth);
      } catch {
        return '[Unreadable]';
      } finally {
        seen.delete(node);
      }
    }

    function walkArray(array: unknown[], depth: number): Redacted[] {
      const length = Math.min(array.length, maxKeys);
      const out: Redacted[] = [];
      for (let i = 0; i < length; i += 1) out.push(walk(safeGet(array, i), depth + 1));
      if (array.length > maxKeys) out.push(`[+${array.length - maxKeys} more]`);
      return out;
    }

    function walkObject(object: object, depth: number): { [key: string]: Redacted } {
      const out: { [key: string]: Redacted } = {};
      let keys: string[];
      try {
        keys = Object.keys(object);
      } catch {
        return { '[type]': typeLabel(object), '[error]': '[Unreadable]' };
      }
      let count = 0;
      for (const key of keys) {
        if (count >= maxKeys) {
          out['[more keys]'] = keys.length - maxKeys;
          break;
        }
        count += 1;
        const safeKey = redactString(key.slice(0, 128));
        out[safeKey] = sensitiveKey(key) ? REDACTED : walk(safeGet(object, key), depth + 1);
      }
      return out;
    }

    function walkError(error: object, depth: number): { [key: string]: Redacted } {
      const out: { [key: string]: Redacted } = { type: typeLabel(error) };
      const message = safeGet(error, 'message');
      if (typeof message === 'string') out.message = redactString(message);
      const stack = safeGet(error, 'stack');
      // An array of frames: each line is redacted and escaped on its own, so logs stay one line
      // per record yet a stack reads as frames (not one line with literal \n escapes).
      if (typeof stack === 'string') out.stack = redactStack(stack);
      const props = walkObject(error, depth);
      for (const [key, value] of Object.entries(props)) {
        if (key !== 'message' && key !== 'stack' && !(key in out)) out[key] = value;
      }
      const cause = safeGet(error, 'cause');
      if (cause !== undefined && !('cause' in out)) out.cause = walk(cause, depth + 1);
      const errors = safeGet(error, 'errors');
      if (Array.isArray(errors) && !('errors' in out)) out.errors = walkArray(errors, depth);
      return out;
    }

    try {
      return walk(value, 0);
    } catch {
      return '[Unreadable]';
    }
  }

  return { redactString, redact };
}

function looksLikeError(node: object): boolean {
  try {
    return (
      node instanceof Error ||
      (typeof safeGet(node, 'message') === 'string' && typeof safeGet(node, 'stack') === 'string')
    );
  } catch {
    return false;
  }
}

/** Most stack lines kept in a record. */
const MAX_STACK_LINES = 64;

/** A stack as redacted lines (frames trimmed of their indentation), at most {@link MAX_STACK_LINES}. */
export function stackFrames(stack: string, redactLine: (line: string) => string): string[] {
  const lines = stack.slice(0, 65_536).split(/\r?\n/, MAX_STACK_LINES + 1);
  const frames = lines.slice(0, MAX_STACK_LINES).map((line) => redactLine(line.trim()));
  if (lines.length > MAX_STACK_LINES) frames.push('...');
  return frames.filter((line) => line !== '');
}
