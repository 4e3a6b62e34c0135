/**
 * `--baseline <previous.json>`: the previous run's JSON report. Findings whose key it holds are
 * `unchanged`, the others `new`; only new findings are shown and decide the exit code.
 */
import { readFileSync } from 'node:fs';
import { type Finding, findingKey } from './findings.js';

/** The keys of a previous report; throws an Error naming `file` when it cannot be used. */
export function loadBaseline(file: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `--baseline ${JSON.stringify(file)}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch {
    throw new Error(`--baseline ${JSON.stringify(file)}: not JSON (expected the --json report of a previous run)`);
  }
  const findings = (report as { findings?: unknown } | null)?.findings;
  if (!Array.isArray(findings))
    throw new Error(
      `--baseline ${JSON.stringify(file)}: no "findings" list (expected the --json report of a previous run)`,
    );
  const keys = new Set<string>();
  for (const f of findings as Partial<Finding>[]) {
    if (typeof f?.key === 'string') keys.add(f.key);
    else if (typeof f?.rule === 'string' && typeof f.location === 'string')
      keys.add(findingKey({ rule: f.rule, location: f.location }));
  }
  return keys;
}

/** `findings` marked `new` or `unchanged` against `known`. */
export function applyBaseline(findings: readonly Finding[], known: ReadonlySet<string>): Finding[] {
  return findings.map((f) => ({
    ...f,
    baselineState: known.has(f.key ?? findingKey(f)) ? 'unchanged' : 'new',
  }));
}
