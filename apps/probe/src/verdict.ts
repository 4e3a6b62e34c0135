/**
 * What a run means. Silence is never clean: a run in which no probe got an answer that could be
 * read is inconclusive, and a run in which some probes went unanswered says how many.
 */
import type { Unanswered } from './budget.js';
import { atLeast, type Finding } from './findings.js';

/**
 * `clean`: answered, the application reached, nothing found above `info` (info notes, such as error
 * lengths that vary, are still listed). `findings`: something found at `low` or above. `uncovered`:
 * answered and nothing found, but none of the application was reached (only an unknown gRPC method
 * and the health service, only 404s): nothing says its own errors are safe. `inconclusive`: nothing
 * could be judged.
 */
export type Verdict = 'clean' | 'findings' | 'uncovered' | 'inconclusive';

/** The verdict of a run from its tally, findings and coverage: info notes alone leave it clean. */
export function verdictOf(run: {
  answered: number;
  findings: readonly Finding[];
  unreachable: boolean;
  covered: boolean;
}): Verdict {
  if (run.unreachable || run.answered === 0) return 'inconclusive';
  if (run.findings.some((finding) => atLeast(finding.severity, 'low'))) return 'findings';
  return run.covered ? 'clean' : 'uncovered';
}

/**
 * The finding for probes that went unanswered while others were answered: medium when some timed
 * out or came back unreadable (a client waits or cannot read the error), low when the target only
 * closed connections without answering (a server may refuse hostile requests that way).
 */
export function unansweredFinding(
  answered: number,
  unanswered: Readonly<Record<Unanswered, number>>,
  location: string,
): Finding | undefined {
  const { timeout, closed, unparseable } = unanswered;
  const missing = timeout + closed + unparseable;
  if (answered === 0 || missing === 0) return undefined;
  const parts = Object.entries({ 'timed out': timeout, 'closed without an answer': closed, unparseable })
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `${n} ${what}`);
  return {
    rule: 'availability/unanswered',
    severity: timeout + unparseable > 0 ? 'medium' : 'low',
    message: `${missing} of ${answered + missing} probes went unanswered (${parts.join(', ')}).`,
    probe: 'all',
    location,
  };
}
