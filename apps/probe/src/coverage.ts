/**
 * What the probe read but did not check. The middle of a long HTTP body is checked as it arrives,
 * and a long WebSocket message's up to a bound a session (see `MiddleScan`): what was read but not
 * checked (the run's deadline passed mid-body, a session's middles over their bound) is a leak not
 * seen, so the operator is told, on every protocol.
 */
import type { Finding } from './findings.js';

/** The finding for an answer of which `bytes` were read but not checked. */
export function coverageFinding(bytes: number, probe: string, location: string): Finding {
  return {
    rule: 'coverage/body-over-limit',
    severity: 'low',
    message: `An error answer was longer than the probe checked: ${bytes} bytes in its middle were not scanned.`,
    probe,
    location,
  };
}
