/**
 * Public field violations: a JSON Pointer (RFC 6901) to the offending part of the request and a
 * generic sentence. Pointers come from request structure, so they are rebuilt from safe segments
 * only; details come from a fixed vocabulary, never from a validator's message.
 */

/** One invalid field of the request, safe to show to the client. */
export interface FieldViolation {
  /** RFC 6901 JSON Pointer into the request document, e.g. `/items/0/quantity`. */
  readonly pointer: string;
  /** Generic explanation, e.g. "Must be at least the minimum value." */
  readonly detail: string;
}

/** Most violations reported in one response. */
export const MAX_FIELD_VIOLATIONS = 20;

const SAFE_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_DEPTH = 16;

/**
 * Builds a JSON Pointer from path segments. Segments that are not short identifiers or array
 * indexes (they may carry submitted text) end the pointer: the violation points at the nearest
 * safe ancestor instead.
 */
export function pointerFromSegments(segments: readonly unknown[]): string {
  let pointer = '';
  for (const segment of segments.slice(0, MAX_DEPTH)) {
    if (typeof segment === 'number' && Number.isSafeInteger(segment) && segment >= 0) {
      pointer += `/${segment}`;
    } else if (typeof segment === 'string' && SAFE_SEGMENT.test(segment)) {
      pointer += `/${segment}`;
    } else {
      break;
    }
  }
  return pointer;
}

/** Parses a JSON Pointer or dotted/bracketed path (`/a/0/b`, `a.b[0]`) into segments, then sanitises it. */
export function sanitizePointer(path: unknown): string {
  if (typeof path !== 'string') return '';
  const text = path.slice(0, 512);
  const raw = text.startsWith('/') ? text.slice(1).split('/') : text.split(/[.[\]]+/).filter((s) => s !== '');
  const segments = raw.map((s) => {
    const unescaped = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d{1,9}$/.test(unescaped) ? Number(unescaped) : unescaped;
  });
  if (text === '' || text === '/') return '';
  return pointerFromSegments(segments);
}

/** Generic, value-free explanations keyed by the kind of rule that failed. */
export const GENERIC_FIELD_DETAILS = {
  required: 'Is required.',
  type: 'Has the wrong type.',
  format: 'Has an invalid format.',
  enum: 'Is not one of the allowed values.',
  minimum: 'Is below the minimum.',
  maximum: 'Is above the maximum.',
  minLength: 'Is too short.',
  maxLength: 'Is too long.',
  minItems: 'Has too few items.',
  maxItems: 'Has too many items.',
  pattern: 'Does not match the expected pattern.',
  additional: 'Is not allowed.',
  unique: 'Must be unique.',
  invalid: 'Is invalid.',
} as const;

/** The kind of rule a field violation broke (`required`, `type`, `format`, `maxLength`, …); each maps to a fixed generic detail. */
export type FieldRule = keyof typeof GENERIC_FIELD_DETAILS;

const ALL_DETAILS: ReadonlySet<string> = new Set(Object.values(GENERIC_FIELD_DETAILS));

/**
 * Normalises developer-supplied violations: pointers sanitised, details kept only when they are
 * short single-line text (developers write them; they are still bounded), list capped.
 */
export function normalizeFieldViolations(input: readonly FieldViolation[] | undefined): FieldViolation[] {
  if (input === undefined) return [];
  const out: FieldViolation[] = [];
  for (const item of input.slice(0, MAX_FIELD_VIOLATIONS)) {
    const detail = typeof item?.detail === 'string' ? item.detail : '';
    const safeDetail =
      ALL_DETAILS.has(detail) || /^[\p{L}\p{N} .,;:'()_-]{1,160}$/u.test(detail)
        ? detail
        : GENERIC_FIELD_DETAILS.invalid;
    out.push({ pointer: sanitizePointer(item?.pointer), detail: safeDetail });
  }
  return out;
}
