/** The one error every refused option value gets: it names the option and the value given. */

/** Renders a value as given: strings quoted, numbers as written (`NaN`, not `null`), others as JSON. */
export function shown(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Throws `faultline-edge: <what> <value> is not valid` (optionally with what is allowed). */
export function fail(what: string, value: unknown, allowed?: string): never {
  throw new Error(
    `faultline-edge: ${what} ${shown(value)} is not valid${allowed === undefined ? '' : ` (${allowed})`}`,
  );
}
