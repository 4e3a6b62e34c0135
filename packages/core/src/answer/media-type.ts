/**
 * Reading `Accept` and `Content-Type` (RFC 9110 §12.5.1, §8.3) as untrusted input, bounded: at
 * most {@link MAX_MEDIA_HEADER_LENGTH} characters and {@link MAX_ACCEPT_ENTRIES} media ranges
 * are read, whatever the header's size, so a 64 KB header or thousands of types cost what a
 * short one does. Ranges with an unreadable type or a junk q-value are dropped.
 *
 * JSON:API's media type rules (JSON:API 1.1, "Content Negotiation") are applied here too: an
 * instance of `application/vnd.api+json` is usable only with no parameters but `profile` (this
 * server supports no extensions, so `ext` makes it unusable as well).
 */

/**
 * Longest part of an `Accept` or `Content-Type` header read. Browsers send about 140 characters
 * (8 ranges); an API client's header is shorter.
 */
export const MAX_MEDIA_HEADER_LENGTH = 512;
/** Most media ranges of an `Accept` header read. */
export const MAX_ACCEPT_ENTRIES = 16;

/** The JSON:API media type. */
export const JSON_API_MEDIA_TYPE = 'application/vnd.api+json';

/** One media range of an `Accept` header. */
export interface MediaRange {
  /** `type/subtype`, lower-cased (`*` wildcards kept). */
  readonly type: string;
  /** Parameters other than `q`, names lower-cased, values unquoted. */
  readonly params: ReadonlyMap<string, string>;
  /** The weight, 0 to 1. */
  readonly q: number;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9a-z-]+";
const MEDIA = new RegExp(`^${TOKEN}/${TOKEN}$`);
const PARAM_NAME = new RegExp(`^${TOKEN}$`);
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** Splits `text` at `separator` outside double quotes, at most `limit` pieces. */
function splitOutsideQuotes(text: string, separator: string, limit: number): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length && out.length < limit; i += 1) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && quoted) i += 1;
    else if (c === separator && !quoted) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (out.length < limit) out.push(text.slice(start));
  return out;
}

/** The bounded text of a header, cut back to its last whole list member when it was longer. */
function boundedHeader(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.length <= MAX_MEDIA_HEADER_LENGTH) return value;
  const head = value.slice(0, MAX_MEDIA_HEADER_LENGTH);
  const comma = head.lastIndexOf(',');
  return comma === -1 ? '' : head.slice(0, comma);
}

/** The lower-cased `type/subtype` of a media type (the text before its first `;`), or undefined. */
function typeOf(text: string): string | undefined {
  const semicolon = text.indexOf(';');
  const type = (semicolon === -1 ? text : text.slice(0, semicolon)).trim().toLowerCase();
  return MEDIA.test(type) ? type : undefined;
}

/** One media type with its parameters (`type` when already read); undefined when unreadable. */
function parseMediaType(text: string, known?: string): MediaRange | undefined {
  const type = known ?? typeOf(text);
  if (type === undefined) return undefined;
  const semicolon = text.indexOf(';');
  const rest = semicolon === -1 ? [] : splitOutsideQuotes(text.slice(semicolon + 1), ';', 16);
  const params = new Map<string, string>();
  let q = 1;
  for (const part of rest) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '' && eq === -1) continue;
    if (!PARAM_NAME.test(name)) return undefined;
    let value = eq === -1 ? '' : part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2)
      value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name === 'q') {
      if (!QVALUE.test(value)) return undefined;
      q = Number(value);
    } else params.set(name, value);
  }
  return { type, params, q };
}

/**
 * The media ranges of an `Accept` header (bounded; unreadable ranges dropped). With `relevant`,
 * ranges whose type it refuses are dropped before their parameters are read.
 */
export function acceptRanges(accept: unknown, relevant?: (type: string) => boolean): MediaRange[] {
  const text = boundedHeader(accept);
  if (text === undefined || text === '') return [];
  const out: MediaRange[] = [];
  for (const entry of splitOutsideQuotes(text, ',', MAX_ACCEPT_ENTRIES)) {
    let type: string | undefined;
    if (relevant !== undefined) {
      type = typeOf(entry);
      if (type === undefined || !relevant(type)) continue;
    }
    const range = parseMediaType(entry, type);
    if (range !== undefined) out.push(range);
  }
  return out;
}

/** The media type of a `Content-Type` header (bounded), or undefined. */
export function contentMediaType(contentType: unknown): MediaRange | undefined {
  const text = boundedHeader(contentType);
  return text === undefined ? undefined : parseMediaType(text);
}

/**
 * True when an instance of the JSON:API media type may be used: no parameters but `profile`
 * (profiles may be ignored; `ext` names extensions this server does not support).
 */
export function usableJsonApiInstance(range: MediaRange): boolean {
  for (const name of range.params.keys()) if (name !== 'profile') return false;
  return true;
}

const isJsonApiType = (type: string) => type === JSON_API_MEDIA_TYPE;

/**
 * JSON:API's 406 rule: true when `Accept` holds instances of the JSON:API media type and every
 * one of them carries a parameter other than `profile` (an `ext` this server lacks, `charset`…).
 */
export function jsonApiAcceptRefused(accept: unknown): boolean {
  let instances = 0;
  for (const range of acceptRanges(accept, isJsonApiType)) {
    if (usableJsonApiInstance(range)) return false;
    instances += 1;
  }
  return instances > 0;
}

/**
 * JSON:API's 415 rule: true when `Content-Type` is the JSON:API media type with a parameter other
 * than `profile` (`ext` included: this server supports no extensions). An unreadable JSON:API
 * content type (junk parameters) is refused too.
 */
export function jsonApiContentTypeRefused(contentType: unknown): boolean {
  if (typeof contentType !== 'string') return false;
  const range = contentMediaType(contentType);
  if (range === undefined) return /^\s*application\/vnd\.api\+json\s*;/i.test(contentType.slice(0, 64));
  return range.type === JSON_API_MEDIA_TYPE && !usableJsonApiInstance(range);
}
