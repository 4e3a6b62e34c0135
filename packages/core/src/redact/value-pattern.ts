/** The shape of a redaction pattern, shared by the pattern lists (patterns.ts, authority.ts). */

/** One value pattern: every match is replaced by `[REDACTED:<name>]` (or by `replace`). */
export interface ValuePattern {
  /** Short name shown in the replacement, e.g. `jwt`. */
  readonly name: string;
  /** A global regular expression. */
  readonly regex: RegExp;
  /** Custom replacement (may use `$1`…); default `[REDACTED:<name>]`. */
  readonly replace?: string;
  /** Extra check on each match (e.g. Luhn for card numbers); a match it rejects is kept. */
  readonly accept?: (match: string) => boolean;
  /**
   * A cheap test any match needs to pass (a literal it must contain): when the text fails it, the
   * pattern's regex is not run. Most log text holds no secret, so this skips most regex scans.
   */
  readonly hint?: RegExp;
}
