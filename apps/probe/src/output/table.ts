/** The human report: one line per finding, most severe first, and a summary. */
import { SEVERITIES } from '../findings.js';
import type { RunResult } from '../run.js';

/** The run as text for a terminal. */
export function toTable(result: RunResult): string {
  const lines = [
    `faultline-probe ${result.target}: ${result.requests} requests in ${(result.durationMs / 1000).toFixed(1)} s`,
  ];
  if (result.timedOut) lines.push('TIMED OUT: the run hit its time limit; results are incomplete.');
  if (result.unreachable === true) lines.push('UNREACHABLE: the target refused the connection; nothing was probed.');
  const sorted = [...result.findings].sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity));
  if (sorted.length === 0) lines.push('No findings.');
  for (const f of sorted) {
    lines.push(`${f.severity.toUpperCase().padEnd(6)} ${f.rule.padEnd(24)} ${f.probe.padEnd(34)} ${f.message}`);
    if (f.evidence !== undefined) lines.push(`${' '.repeat(7)}evidence: ${f.evidence}`);
  }
  const counts = SEVERITIES.map((s) => `${result.findings.filter((f) => f.severity === s).length} ${s}`).reverse();
  lines.push(`summary: ${counts.join(', ')}`);
  return lines.join('\n');
}
