/** The HTTP `Retry-After` header (RFC 9110 10.2.3), read from an untrusted server. */
import { DECODE_LIMITS } from '../untrusted.js';

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), bounded to a day; undefined when unreadable or past. */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value === '' || value.length > 64) return undefined;
  const seconds = /^\d{1,6}$/.test(value.trim()) ? Number(value.trim()) : Math.ceil((Date.parse(value) - now) / 1000);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, DECODE_LIMITS.retryAfter) : undefined;
}
