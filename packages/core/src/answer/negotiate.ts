/**
 * `format: 'negotiate'`: the body format picked from `Accept` among problem JSON
 * (`application/problem+json`), the envelope (`application/json`) and JSON:API
 * (`application/vnd.api+json`). q-values, wildcards and specificity are weighed by `negotiator`
 * (the library behind Express's `req.accepts`), over a header first read by `acceptRanges`
 * (bounded, junk dropped, JSON:API instances with parameters other than `profile` ignored as its
 * specification asks). No `Accept`, `*\/*` and types none of the three match get the default.
 * Repeated headers are answered from a small bounded cache, so a service's usual clients cost one
 * map look-up.
 */
import Negotiator from 'negotiator';
import type { BodyFormat } from './http-headers.js';
import { acceptRanges, JSON_API_MEDIA_TYPE, type MediaRange, usableJsonApiInstance } from './media-type.js';

/** The `format` option: a body format, or `negotiate` to pick one per request from `Accept`. */
export type AnswerFormat = BodyFormat | 'negotiate';

/** Every body format, in a stable order. */
export const BODY_FORMATS: readonly BodyFormat[] = ['problem', 'envelope', 'jsonapi'];

/** The media type a client names to ask for each body format. */
export const FORMAT_MEDIA_TYPES: Readonly<Record<BodyFormat, string>> = {
  problem: 'application/problem+json',
  envelope: 'application/json',
  jsonapi: JSON_API_MEDIA_TYPE,
};

const FORMAT_OF_TYPE: ReadonlyMap<string, BodyFormat> = new Map(
  BODY_FORMATS.map((format) => [FORMAT_MEDIA_TYPES[format], format]),
);

/** The media types offered, the default first (negotiator prefers the earlier one on a tie). */
const OFFERS: Readonly<Record<BodyFormat, readonly string[]>> = {
  problem: ['application/problem+json', 'application/json', JSON_API_MEDIA_TYPE],
  envelope: ['application/json', 'application/problem+json', JSON_API_MEDIA_TYPE],
  jsonapi: [JSON_API_MEDIA_TYPE, 'application/problem+json', 'application/json'],
};

/** Longest `Accept` value kept in the cache, and most entries (the cache is emptied when full). */
const CACHE_KEY_LENGTH = 256;
const CACHE_SIZE = 512;
const caches: Readonly<Record<BodyFormat, Map<string, BodyFormat>>> = {
  problem: new Map(),
  envelope: new Map(),
  jsonapi: new Map(),
};

/** A range as negotiator reads it; `charset` is dropped (every answer is UTF-8). */
function rangeText(range: MediaRange): string | undefined {
  if (range.type === JSON_API_MEDIA_TYPE) {
    // JSON:API 1.1: instances with parameters other than ext/profile are ignored; profiles may be.
    return usableJsonApiInstance(range) ? `${range.type};q=${range.q}` : undefined;
  }
  let text = range.type;
  for (const [name, value] of range.params) {
    if (name !== 'charset') text += `;${name}=${JSON.stringify(value)}`;
  }
  return `${text};q=${range.q}`;
}

/** Ranges that can match an offer: the three types and the wildcards over them (others change nothing). */
function canMatch(type: string): boolean {
  return type === '*/*' || type === 'application/*' || FORMAT_OF_TYPE.has(type);
}

function negotiate(accept: string, fallback: BodyFormat): BodyFormat {
  const parts: string[] = [];
  for (const range of acceptRanges(accept, canMatch)) {
    const text = rangeText(range);
    if (text !== undefined) parts.push(text);
  }
  if (parts.length === 0) return fallback;
  const best = new Negotiator({ headers: { accept: parts.join(',') } }).mediaType(OFFERS[fallback] as string[]);
  return (best === undefined ? undefined : FORMAT_OF_TYPE.get(best)) ?? fallback;
}

/**
 * The body format for a request's `Accept` header: the best of the three by q-value and
 * specificity, `fallback` when the header is absent, `*\/*` or names none of them. Bounded in
 * time and memory whatever the header holds. Never throws.
 */
export function negotiateFormat(accept: unknown, fallback: BodyFormat): BodyFormat {
  if (typeof accept !== 'string' || accept === '' || accept === '*/*') return fallback;
  // Long values are never cached: hashing one would cost what the bounded parse saves.
  const cache = accept.length <= CACHE_KEY_LENGTH ? caches[fallback] : undefined;
  const cached = cache?.get(accept);
  if (cached !== undefined) return cached;
  let format: BodyFormat;
  try {
    format = negotiate(accept, fallback);
  } catch {
    format = fallback;
  }
  if (cache !== undefined) {
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(accept, format);
  }
  return format;
}
