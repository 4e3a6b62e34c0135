/** Findings: what the probe reports, with a rule id, a severity and the evidence. */

/** Severities, lowest first. */
export const SEVERITIES = ['info', 'low', 'medium', 'high'] as const;
/** A severity. */
export type Severity = (typeof SEVERITIES)[number];

/** One finding. */
export interface Finding {
  /** Stable rule id (e.g. `leak/stack-node`). */
  readonly rule: string;
  readonly severity: Severity;
  /** What was found, in one sentence. */
  readonly message: string;
  /** The probe that provoked it (e.g. `http malformed-json`). */
  readonly probe: string;
  /** Where: the request line, method path or URL. */
  readonly location: string;
  /** A short excerpt of what the target sent (cut, single line). */
  readonly evidence?: string;
}

/** True when `severity` is at least `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(threshold);
}

/** A single-line excerpt of `text` around `index`, at most 160 characters. */
export function excerpt(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 40);
  const cut = text.slice(start, Math.min(text.length, index + length + 80));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  return cut.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 160);
}
