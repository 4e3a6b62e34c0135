/**
 * The middle of a long body, checked as it passes. A `BodyWindow` keeps only a body's head and tail;
 * the bytes between them are checked here in stretches of {@link MIDDLE}.stretchBytes, each
 * repeating the last {@link MIDDLE}.overlapBytes of the one before (so a leak shorter than that is
 * whole in one stretch, wherever the body's packets or the stretches are cut). A stretch is checked
 * as soon as it fills, between packets. Of a stretch, only its leaks are kept, for the answer's
 * checks: the first match of each rule not found before, and the first reflection of the probe's
 * marker, with the text around them. Memory stays one
 * stretch and at most {@link MIDDLE}.keptLeaks excerpts, and time is linear in the body (each byte
 * is read once more, the overlaps twice).
 *
 * @module
 */
import { MARKER_PREFIX } from './context.js';
import { encodingOf, SNIFF_BYTES } from './http/charset.js';
import type { Kept } from './http/window.js';
import { readableText } from './readable.js';
import { SIGNATURES } from './signatures.js';

/**
 * Bounds of the middle's check: stretch length, the overlap between stretches, the leaks kept
 * (the first match of each rule not found before), and the text kept on each side of one.
 */
export const MIDDLE = { stretchBytes: 262_144, overlapBytes: 16_384, keptLeaks: 8, contextChars: 2048 } as const;

/** A run's marker (the probe's own input: a match holding one is reflection, not a leak). */
const MARKER = new RegExp(`${MARKER_PREFIX}[0-9a-f]{12}`);

/** The first match of `pattern` in `text` that holds no marker (of the first 50 matches), else undefined. */
function firstLeak(pattern: RegExp, text: string): RegExpExecArray | undefined {
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  for (let match = global.exec(text), seen = 1; match !== null && seen <= 50; match = global.exec(text), seen += 1) {
    if (match[0].length === 0) global.lastIndex += 1;
    else if (!MARKER.test(match[0])) return match;
  }
  return undefined;
}

/**
 * The first leak in `text` (as its reader recovers it) of each rule not in `found`, and the first
 * marker (reflection) unless found, each with {@link MIDDLE}.contextChars on each side; at most
 * `room` of them. Their rules are added to `found`.
 */
function leaksIn(text: string, found: Set<string>, room: number): string[] {
  const readable = readableText(text);
  const excerpts: string[] = [];
  const keep = (rule: string, match: RegExpExecArray) => {
    found.add(rule);
    const start = Math.max(0, match.index - MIDDLE.contextChars);
    excerpts.push(readable.slice(start, match.index + match[0].length + MIDDLE.contextChars));
  };
  const marker = found.has('reflect/input') ? null : MARKER.exec(readable);
  if (marker !== null && room > 0) keep('reflect/input', marker);
  for (const signature of SIGNATURES) {
    if (excerpts.length >= room) break;
    if (found.has(signature.rule)) continue;
    const match = firstLeak(signature.pattern, readable);
    if (match !== undefined) keep(signature.rule, match);
  }
  return excerpts;
}

/** The leaks in a body's middle, found stretch by stretch. */
export class MiddleScan {
  /** The stretch being filled (allocated once a body reaches its middle: most never do). */
  #stretch: Buffer | undefined;
  /** Bytes of the stretch in use. */
  #filled = 0;
  /** Bytes of the stretch already checked (its overlap with the one before, once one was checked). */
  #checked = 0;
  /** Bytes of the body seen. */
  #offset = 0;
  /** Bytes of the body checked from its start (its head is checked with the answer). */
  #through: number;
  /** The body's first bytes, for its byte order mark. */
  readonly #start = Buffer.alloc(SNIFF_BYTES);
  /** The leaks found, each with the text around it. */
  readonly #kept: string[] = [];
  /** Their rules. */
  readonly #rules = new Set<string>();

  /**
   * @param headBytes bytes of the body's head, checked with the answer: the middle starts
   *   {@link MIDDLE}.overlapBytes before its end.
   * @param contentType the answer's Content-Type (its charset decodes a body without byte order mark).
   */
  constructor(
    readonly headBytes: number,
    readonly contentType: string | undefined,
  ) {
    this.#through = headBytes;
  }

  /** Reads `chunk`, the body's next bytes; checks each stretch as it fills. */
  push(chunk: Buffer): void {
    // The body's first bytes say its encoding (a byte order mark), for every stretch.
    if (this.#offset < this.#start.length) chunk.copy(this.#start, this.#offset);
    const start = this.#offset;
    this.#offset += chunk.length;
    let at = Math.max(0, Math.min(chunk.length, this.headBytes - MIDDLE.overlapBytes - start));
    if (at === chunk.length) return;
    this.#stretch ??= Buffer.allocUnsafe(MIDDLE.stretchBytes);
    while (at < chunk.length) {
      const copied = chunk.copy(this.#stretch, this.#filled, at);
      this.#filled += copied;
      at += copied;
      if (this.#filled === this.#stretch.length) this.#check(start + at);
    }
  }

  /**
   * Checks what is left of the middle, when the body went past its kept head and tail (unless
   * `late`: the run's deadline passed, and nothing more is checked). The leaks found, each with the
   * text around it, and how many bytes between head and tail were not checked (0 unless `late`).
   */
  finish(kept: Kept, late: boolean): { readonly texts: readonly string[]; readonly unchecked: number } {
    if (kept.skipped === 0) return { texts: [], unchecked: 0 };
    if (!late && this.#filled > this.#checked) this.#check(this.#offset);
    return { texts: this.#kept, unchecked: Math.max(0, kept.head.length + kept.skipped - this.#through) };
  }

  /**
   * Checks the stretch (it ends at the body's byte `end`), keeps the leaks in it not found before,
   * and starts the next stretch with its overlap.
   */
  #check(end: number): void {
    const stretch = this.#stretch ?? Buffer.alloc(0);
    const encoding = encodingOf(this.#start.subarray(0, Math.min(this.#offset, SNIFF_BYTES)), this.contentType);
    const text = new TextDecoder(encoding).decode(stretch.subarray(0, this.#filled));
    this.#kept.push(...leaksIn(text, this.#rules, MIDDLE.keptLeaks - this.#kept.length));
    const overlap = Math.min(MIDDLE.overlapBytes, this.#filled);
    stretch.copy(stretch, 0, this.#filled - overlap, this.#filled);
    this.#filled = overlap;
    this.#checked = overlap;
    this.#through = end;
  }
}
