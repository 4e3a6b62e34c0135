/**
 * The human report: what was discovered, one line per finding (most severe first), and a summary.
 * Every field that can hold target-controlled text goes through {@link printable}: one line per
 * finding, whatever the target sent.
 */
import { SEVERITIES } from '../findings.js';
import type { RunResult } from '../run.js';
import { printable } from './printable.js';

/** `label: count — items` (at most 8 shown). */
function listLine(label: string, items: readonly string[]): string {
  const shown = items
    .slice(0, 8)
    .map((item) => printable(item, 80))
    .join(', ');
  return `${label}: ${items.length} — ${shown}${items.length > 8 ? ', …' : ''}`;
}

/** What discovery found, grouped by how (at most 8 items shown per group). */
function discoveryLines(result: RunResult): string[] {
  const byHow = new Map<string, string[]>();
  for (const { how, what } of result.discovered) byHow.set(how, [...(byHow.get(how) ?? []), what]);
  return [...byHow].map(([how, items]) => listLine(`discovered (${printable(how, 40)})`, items));
}

/** The run as text for a terminal. */
export function toTable(result: RunResult, options: { known?: number } = {}): string {
  const missing = Object.values(result.unanswered).reduce((a, b) => a + b, 0);
  const lines = [
    `faultline-probe ${printable(result.target)}: ${result.requests} requests, ${result.answered} answered, ${missing} unanswered, in ${(result.durationMs / 1000).toFixed(1)} s`,
    ...discoveryLines(result),
  ];
  const { reached, notServed, gap } = result.coverage;
  if (reached.length > 0) lines.push(listLine('reached', reached));
  if (notServed.length > 0) lines.push(listLine('not served', notServed));
  if (missing > 0)
    lines.push(
      `unanswered: ${Object.entries(result.unanswered)
        .filter(([, n]) => n > 0)
        .map(([why, n]) => `${n} ${printable(why, 40)}`)
        .join(', ')}`,
    );
  if (result.timedOut) lines.push('TIMED OUT: the run hit its time limit; results are incomplete.');
  else if (result.incomplete) lines.push('INCOMPLETE: the request cap stopped the run; results are partial.');
  if (result.unreachable === true) lines.push('UNREACHABLE: the target refused the connection; nothing was probed.');
  else if (result.verdict === 'inconclusive')
    lines.push('INCONCLUSIVE: no probe got an answer that could be read; nothing was verified.');
  const shown = result.findings.filter((f) => f.baselineState !== 'unchanged');
  const sorted = [...shown].sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity));
  if (sorted.length === 0 && result.verdict === 'inconclusive')
    lines.push('Nothing was verified, so nothing can be called clean.');
  else if (sorted.length === 0 && result.verdict === 'uncovered')
    lines.push('No findings, but none of the application was reached, so it cannot be called clean.');
  else if (sorted.length === 0) lines.push(options.known === undefined ? 'No findings.' : 'No new findings.');
  else if (result.verdict === 'clean') lines.push('No findings above info; the notes below are for information.');
  for (const f of sorted) {
    const times = (f.occurrences ?? 1) > 1 ? ` (${f.occurrences} answers)` : '';
    lines.push(
      `${f.severity.toUpperCase().padEnd(6)} ${printable(f.rule, 40).padEnd(24)} ${printable(f.location, 60)}  ${printable(f.message, 300)}${times}`,
    );
    if (f.evidence !== undefined) lines.push(`${' '.repeat(7)}evidence: ${printable(f.evidence, 200)}`);
  }
  if (options.known !== undefined) lines.push(`baseline: ${options.known} known finding(s) not shown`);
  if (gap !== undefined) lines.push(`NOT COVERED: ${printable(gap, 600)}`);
  const counts = SEVERITIES.map((s) => `${shown.filter((f) => f.severity === s).length} ${s}`).reverse();
  lines.push(`summary: ${counts.join(', ')}; verdict: ${result.verdict}${result.incomplete ? ' (incomplete)' : ''}`);
  return lines.join('\n');
}
