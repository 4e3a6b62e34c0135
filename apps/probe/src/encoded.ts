/**
 * Text hidden in runs of encoded bytes: base64 (one run, or MIME's and PEM's lines), hex (`4572726f72`,
 * upper or lower case, after `0x` or not, or in pairs written apart: `45 72 72`, `45:72:72`, Node's
 * `<Buffer 45 72 72 …>`), and bytes as a list of numbers (a Node.js Buffer as JSON writes it:
 * `{"type":"Buffer","data":[69,114,…]}`, Go's `[69 114 …]`, Java's `[69, 114, …]`).
 * A run counts only when its bytes are text (see {@link bytesText}: UTF-8, UTF-16, gzipped or
 * zlib-compressed; raw deflate or brotli, see {@link headerlessText}) without control characters, so
 * a hash, an id or an image is never read as text.
 * Bounded: at most 20 runs of each kind, each of at most 64 KB; every pattern reads a run once from its
 * start, so the time is linear in the text.
 */
import { bytesText, headerlessText } from './bytes-text.js';

/** A base64 or base64url run, 24 characters at least (18 bytes), from its start (a run is not tried again inside). */
const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}/g;

/**
 * A base64 run of two lines or more, each line ended by a line break (spaces around it allowed). A
 * line's characters cannot be whitespace, so each line is matched one way: linear in the text.
 */
const BASE64_LINES = /(?<![A-Za-z0-9+/])(?:[A-Za-z0-9+/]{16,}[ \t]*\r?\n[ \t]*)+[A-Za-z0-9+/]{2,}={0,2}/g;

/** A hex run of 16 bytes at least, after `0x` or not, from its start and whole (not inside a word). */
const HEX_RUN = /(?<![\w\\])(?:0x)?([0-9a-fA-F]{32,})(?!\w)/g;

/** Hex pairs written apart (16 at least, by spaces or colons), from the run's first pair. */
const HEX_PAIRS = /(?<![\w:]|[0-9a-fA-F]{2}[ :])(?:[0-9a-fA-F]{2}[ :]){15,}[0-9a-fA-F]{2}(?![\w:])/g;

/**
 * Bytes as a list of numbers (16 at least): a Node.js Buffer as JSON writes it (`"data":[69,114,…]`),
 * Go's `%v` of a `[]byte` (`[69 114 …]`), Java's `Arrays.toString` (`[69, 114, -61, …]`, signed). One way to read it:
 * each number is followed by its separator.
 */
const BYTE_LIST = /\[ ?((?:-?\d{1,3}(?:, ?| )){15,}-?\d{1,3}) ?\]/g;

/** Control characters other than tab and line ends: decoded bytes with them are not text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/;

const LIMITS = { runs: 20, runChars: 65_536 } as const;

/**
 * Whether a base64 run may hold compressed bytes: it has upper- and lower-case letters and digits, as
 * base64 of random-looking bytes has (a run of 24 characters lacks one of them 2 times in 100, a
 * compressed stack's run of 40 and more seldom), and is not a hex id (a UUID). A word, a URL path or an
 * id is not tried (a decompressor's attempt on each costs more than all signatures on a short answer).
 */
function compressible(run: string): boolean {
  return /[A-Z]/.test(run) && /[a-z]/.test(run) && /\d/.test(run) && !/^[\dA-Fa-f-]+$/.test(run);
}

/**
 * The text `bytes` hold (see {@link bytesText}, then, when `headerless`, {@link headerlessText}), when
 * they are 16 bytes at least and it has no control characters.
 */
function asText(bytes: Buffer, headerless: boolean): string | undefined {
  if (bytes.length < 16) return undefined;
  const text = bytesText(bytes, LIMITS.runChars * 4);
  if (text !== undefined && !CONTROL.test(text)) return text;
  if (!headerless) return undefined;
  // Not text as they are: raw deflate or brotli, which no header tells (see {@link headerlessText}).
  const inflated = headerlessText(bytes, LIMITS.runChars * 4);
  return inflated === undefined || inflated.length < 16 || CONTROL.test(inflated) ? undefined : inflated;
}

/** One kind of run: where it is, and the bytes its match stands for. */
interface RunKind {
  readonly pattern: RegExp;
  readonly bytes: (match: RegExpMatchArray) => Buffer | undefined;
  /** Base64: a run may hold raw deflate or brotli (see {@link compressible}). */
  readonly base64?: true;
}

const KINDS: readonly RunKind[] = [
  { pattern: BASE64_RUN, bytes: (m) => Buffer.from(m[0], 'base64'), base64: true },
  { pattern: BASE64_LINES, bytes: (m) => Buffer.from(m[0].replace(/\s+/g, ''), 'base64'), base64: true },
  {
    pattern: HEX_RUN,
    bytes: (m) => ((m[1] ?? '').length % 2 === 0 ? Buffer.from(m[1] ?? '', 'hex') : undefined),
  },
  { pattern: HEX_PAIRS, bytes: (m) => Buffer.from(m[0].replace(/[ :]/g, ''), 'hex') },
  {
    pattern: BYTE_LIST,
    bytes: (m) => {
      const values = (m[1] ?? '').split(/, ?| /).map((n) => Number(n));
      // A signed byte (Java's) is its unsigned value less 256.
      return values.every((n) => n >= -128 && n <= 255)
        ? Buffer.from(values.map((n) => (n < 0 ? n + 256 : n)))
        : undefined;
    },
  },
];

/** The texts that encoded runs of `text` decode to, in the order of the kinds above. */
export function decodedRuns(text: string): string[] {
  const texts: string[] = [];
  for (const { pattern, bytes, base64 } of KINDS) {
    let runs = 0;
    for (const match of text.matchAll(pattern)) {
      if (runs >= LIMITS.runs) break;
      if (match[0].length > LIMITS.runChars) continue;
      runs += 1;
      const data = bytes(match);
      const decoded = data === undefined ? undefined : asText(data, base64 === true && compressible(match[0]));
      if (decoded !== undefined) texts.push(decoded);
    }
  }
  return texts;
}
