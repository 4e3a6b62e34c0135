/**
 * Public detail on purpose, never by accident. A catalog entry may declare typed public
 * parameters (`params: { limit: 'integer' }`) used as `{limit}` in its message and translations.
 * Values are validated when the fault is raised (own data properties only: integers, finite
 * numbers, short plain strings);
 * an undeclared or invalid value is dropped, never shown. Everything not declared stays internal.
 */

/** The type of one declared public parameter. */
export type PublicParamType = 'integer' | 'number' | 'string';

/** Validated public parameter values. */
export type PublicParams = Readonly<Record<string, string | number>>;

/** No parameters (shared, frozen). */
export const NO_PARAMS: PublicParams = Object.freeze({});

/** A declared parameter name. */
export const PARAM_NAME = /^[a-z][A-Za-z0-9]{0,31}$/;
/** What a string parameter may contain: letters, digits, spaces and `._:-`, at most 64 characters. */
const SAFE_STRING = /^[\p{L}\p{N} ._:-]{0,64}$/u;
const PLACEHOLDER = /\{([A-Za-z0-9]+)\}/g;

/** The placeholder names in a message template. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

/** `value` as a valid parameter of `type`, or undefined. */
function validValue(type: PublicParamType, value: unknown): string | number | undefined {
  if (type === 'integer') return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  return typeof value === 'string' && SAFE_STRING.test(value) ? value : undefined;
}

/** The declared parameters of `input` with valid values; everything else is dropped. */
export function validateParams(
  declared: Readonly<Record<string, PublicParamType>> | undefined,
  input: unknown,
): PublicParams {
  if (declared === undefined || typeof input !== 'object' || input === null) return NO_PARAMS;
  const out: Record<string, string | number> = {};
  for (const [name, type] of Object.entries(declared)) {
    let value: unknown;
    try {
      // Own data properties only: a value inherited through the prototype, or behind a getter, was not given on purpose.
      const descriptor = Object.getOwnPropertyDescriptor(input, name);
      if (descriptor === undefined || !('value' in descriptor)) continue;
      value = descriptor.value;
    } catch {
      continue;
    }
    const valid = validValue(type, value);
    if (valid !== undefined) out[name] = valid;
  }
  return Object.keys(out).length === 0 ? NO_PARAMS : Object.freeze(out);
}

/** `template` with each `{name}` replaced by its parameter (a missing one becomes `…`). */
export function interpolate(template: string, params: PublicParams): string {
  if (!template.includes('{')) return template;
  return template.replace(PLACEHOLDER, (_all, name: string) => {
    const value = params[name];
    return value === undefined ? '…' : String(value);
  });
}
