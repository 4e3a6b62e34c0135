/**
 * `format: 'negotiate'`: the body format picked from `Accept` among problem JSON
 * (`application/problem+json`), the envelope (`application/json`) and JSON:API
 * (`application/vnd.api+json`). q-values, wildcards and specificity are weighed by the rule of
 * `negotiator` (the library behind Express's `req.accepts`), over a header first read by
 * `acceptRanges` (bounded, junk dropped, JSON:API instances with parameters other than `profile`
 * ignored as its specification asks). Written here for three offers: importing `negotiator` left
 * 137 KiB of heap in every server, negotiating or not (`bench:import-heap`), against goals on
 * memory at start and after load that ws misses; a property test holds the two to the same pick. No `Accept`, `*\/*` and types none of the three match get the default.
 * Repeated headers are answered from a small bounded cache, so a service's usual clients cost one
 * map look-up.
 */
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

/** The media types offered, the default first (the earlier one is preferred on a tie). */
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

/** The best match of one offer: the range's weight, specificity and position; `s` -1 when none. */
interface Priority {
  q: number;
  s: number;
  o: number;
}

/**
 * How specifically `range` names `offer` (a type without parameters), as negotiator scores it: 4
 * for the type, 2 for the subtype, 1 for parameters that all allow it; -1 when it does not match.
 * `charset` is dropped (every answer is UTF-8); a usable JSON:API instance counts without its
 * parameters (profiles may be ignored).
 */
function specificity(range: MediaRange, offer: string): number {
  const slash = range.type.indexOf('/');
  const type = range.type.slice(0, slash);
  const subtype = range.type.slice(slash + 1);
  const offerSlash = offer.indexOf('/');
  let s = 0;
  if (type === offer.slice(0, offerSlash)) s |= 4;
  else if (type !== '*') return -1;
  if (subtype === offer.slice(offerSlash + 1)) s |= 2;
  else if (subtype !== '*') return -1;
  if (range.type === JSON_API_MEDIA_TYPE) return s;
  let params = false;
  for (const [name, value] of range.params) {
    if (name === 'charset') continue;
    // The offer has no parameters: only `*` or an empty value allow it.
    if (value !== '*' && value !== '') return -1;
    params = true;
  }
  return params ? s | 1 : s;
}

/**
 * The offer `ranges` prefer (negotiator's order: weight, then specificity, then the earlier range,
 * then the earlier offer), or `undefined` when none is acceptable. Each offer's own match is its
 * most specific range, then the heaviest, then the later one.
 */
function preferred(ranges: readonly MediaRange[], offers: readonly string[]): string | undefined {
  let best: Priority | undefined;
  let bestOffer: string | undefined;
  for (const offer of offers) {
    const priority: Priority = { q: 0, s: 0, o: -1 };
    for (let o = 0; o < ranges.length; o += 1) {
      const range = ranges[o] as MediaRange;
      const s = specificity(range, offer);
      if (s < 0) continue;
      if ((priority.s - s || priority.q - range.q || priority.o - o) < 0) {
        priority.q = range.q;
        priority.s = s;
        priority.o = o;
      }
    }
    if (priority.q <= 0) continue;
    // Offers are met in order: a later one wins only when strictly better.
    if (best === undefined || (priority.q - best.q || priority.s - best.s || best.o - priority.o) > 0) {
      best = priority;
      bestOffer = offer;
    }
  }
  return bestOffer;
}

/** Ranges that can match an offer: the three types and the wildcards over them (others change nothing). */
function canMatch(type: string): boolean {
  return type === '*/*' || type === 'application/*' || FORMAT_OF_TYPE.has(type);
}

function negotiate(accept: string, fallback: BodyFormat): BodyFormat {
  // JSON:API 1.1: instances with parameters other than ext/profile are ignored.
  const ranges = acceptRanges(accept, canMatch).filter(
    (range) => range.type !== JSON_API_MEDIA_TYPE || usableJsonApiInstance(range),
  );
  if (ranges.length === 0) return fallback;
  const best = preferred(ranges, OFFERS[fallback]);
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
