/**
 * The closed set of categories: their stable order, their type and the run-time check.
 *
 * @module
 */

/** Every category Faultline knows, in a stable order. */
export const CATEGORIES = [
  'validation',
  'unauthenticated',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'not_acceptable',
  'conflict',
  'precondition_failed',
  'payload_too_large',
  'unsupported_media_type',
  'request_timeout',
  'uri_too_long',
  'header_fields_too_large',
  'rate_limited',
  'cancelled',
  'internal',
  'not_implemented',
  'bad_gateway',
  'unavailable',
  'timeout',
] as const;

/** A category of error: decides the status on every protocol and the generic public text. */
export type Category = (typeof CATEGORIES)[number];

const categorySet: ReadonlySet<string> = new Set(CATEGORIES);

/** True when `value` is one of the taxonomy's categories. */
export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && categorySet.has(value);
}
