/**
 * Header and trailer fields as the probe checks them: lower-case names, and same-named fields kept
 * as one list (RFC 9110 §5.3), so a leak in any of them is seen.
 */

/** Adds `value` to the field `name` of `fields`, after any value it already holds (joined with `, `). */
export function addField(fields: Record<string, string>, name: string, value: string): void {
  const known = fields[name];
  fields[name] = known === undefined ? value : `${known}, ${value}`;
}
