/** Findings: what the probe reports, with a rule id, a severity, the evidence and a stable key. */

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
  /** Stable identity across runs (rule and location, the probe's random marker removed): what `--baseline` compares. */
  readonly key?: string;
  /** How many answers showed this finding (after deduplication). */
  readonly occurrences?: number;
  /** Every location where it was seen, when more than one (at most 20). */
  readonly locations?: readonly string[];
  /** With `--baseline`: whether the previous run had it. */
  readonly baselineState?: 'new' | 'unchanged';
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

/**
 * Rules about the shape of error answers: one finding per rule for the whole target (with a count),
 * since one missing header is one configuration problem however many routes show it.
 */
const TARGET_WIDE = /^(?:headers\/|id\/(?:missing|not-uuid)$|status\/ok-for-error$|protocol\/unparseable$)/;

/** The stable key of `finding`: its rule and where, with the run's random `marker` taken out. */
export function findingKey(finding: Pick<Finding, 'rule' | 'location'>, marker?: string): string {
  if (TARGET_WIDE.test(finding.rule)) return finding.rule;
  const location = marker === undefined ? finding.location : finding.location.split(marker).join('{marker}');
  // Without the scheme and authority (a port may change between runs) and any run's marker.
  const stable = location.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i, '').replace(/flprobe[0-9a-f]{12}/g, '{marker}');
  return `${finding.rule} ${stable || '/'}`;
}

/**
 * The key of a leak: its rule and the leaked text itself (digits and the run's marker taken out),
 * wherever it was seen. One error handler that answers the same stack on thirty routes is one
 * problem; a line number that moves with a deploy does not make it a new one.
 */
export function leakKey(rule: string, matched: string, marker?: string): string {
  const text = marker === undefined ? matched : matched.split(marker).join('{marker}');
  return `${rule} ${text
    .replace(/\d+/g, '#')
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .slice(0, 120)}`;
}

/** One finding per key, the first seen kept, with how many answers showed it and where. */
export function dedupe(findings: readonly Finding[], marker?: string): Finding[] {
  const byKey = new Map<string, { finding: Finding; count: number; locations: Set<string> }>();
  for (const finding of findings) {
    const key = finding.key ?? findingKey(finding, marker);
    const seen = byKey.get(key);
    if (seen === undefined)
      byKey.set(key, { finding: { ...finding, key }, count: 1, locations: new Set([finding.location]) });
    else {
      seen.count += finding.occurrences ?? 1;
      for (const location of finding.locations ?? [finding.location])
        if (seen.locations.size < 20) seen.locations.add(location);
    }
  }
  return [...byKey.values()].map(({ finding, count, locations }) => ({
    ...finding,
    occurrences: count,
    ...(locations.size > 1 ? { locations: [...locations] } : {}),
  }));
}
