/**
 * Options are checked when they are given: at registration or creation, never silently at the
 * first error. A wrong value throws an {@link OptionsError} that names the option, the value given
 * and what is allowed, so a typo (`format: 'bogus'`) fails the start-up instead of the answers.
 */

/** A short description of an option value for error messages (strings quoted and cut at 48 characters). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 48 ? `${value.slice(0, 48)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a value of type ${typeof value}`;
}

/** What one option accepts. */
export type OptionRule =
  | { readonly kind: 'oneOf'; readonly values: readonly (string | boolean | number)[] }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'function' }
  | { readonly kind: 'integer'; readonly min: number; readonly max: number }
  | { readonly kind: 'number'; readonly min: number; readonly max: number }
  | { readonly kind: 'string'; readonly pattern?: RegExp; readonly expected?: string }
  | { readonly kind: 'array' }
  | {
      readonly kind: 'custom';
      /** What the option accepts, in words (shown in the error). */
      readonly expected: string;
      /** True when `value` is acceptable. */
      readonly test: (value: unknown) => boolean;
    };

/** The rules of an options object, by option name. */
export type OptionRules = Readonly<Record<string, OptionRule>>;

/** A bad option value: the message names the option, the value and what is allowed. */
export class OptionsError extends TypeError {
  /** The option's name. */
  readonly option: string;

  constructor(where: string, option: string, message: string) {
    super(`${where}: option "${option}" ${message}`);
    this.name = 'OptionsError';
    this.option = option;
  }
}

/** What `rule` accepts, in words. */
function expected(rule: OptionRule): string {
  switch (rule.kind) {
    case 'oneOf':
      return `one of ${rule.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'function':
      return 'a function';
    case 'integer':
      return `an integer from ${rule.min} to ${rule.max}`;
    case 'number':
      return `a number from ${rule.min} to ${rule.max}`;
    case 'string':
      return rule.expected ?? 'a string';
    case 'array':
      return 'an array';
    case 'custom':
      return rule.expected;
  }
}

/** True when `value` satisfies `rule`. */
function satisfies(rule: OptionRule, value: unknown): boolean {
  switch (rule.kind) {
    case 'oneOf':
      return rule.values.includes(value as string);
    case 'boolean':
      return typeof value === 'boolean';
    case 'function':
      return typeof value === 'function';
    case 'integer':
      return Number.isInteger(value) && (value as number) >= rule.min && (value as number) <= rule.max;
    case 'number':
      return typeof value === 'number' && value >= rule.min && value <= rule.max;
    case 'string':
      return typeof value === 'string' && (rule.pattern === undefined || rule.pattern.test(value));
    case 'array':
      return Array.isArray(value);
    case 'custom':
      try {
        return rule.test(value);
      } catch {
        // A value that throws when read (a Proxy, a throwing getter) is not an acceptable option.
        return false;
      }
  }
}

/**
 * Checks `options` against `rules`: every known option that is not `undefined` must satisfy its
 * rule, and (unless listed in `passThrough`) no option may be unknown. Throws an
 * {@link OptionsError}; `where` names the package or function (`@faultline/fastify`).
 */
export function checkOptions(
  where: string,
  options: unknown,
  rules: OptionRules,
  passThrough: readonly string[] = [],
): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object, got ${describeValue(options)}`);
  }
  for (const [name, value] of Object.entries(options)) {
    const rule = rules[name];
    if (rule === undefined) {
      if (passThrough.includes(name)) continue;
      const known = Object.keys(rules).join(', ');
      throw new OptionsError(where, name, `is not an option (known options: ${known})`);
    }
    if (value === undefined || satisfies(rule, value)) continue;
    throw new OptionsError(where, name, `is ${describeValue(value)}; expected ${expected(rule)}`);
  }
}
