/**
 * What the probe read but did not check. A body longer than the probe keeps (its first 256 KB and
 * last 64 KB over HTTP, the first and last 64 KB of a WebSocket message) is read to its end, but
 * its middle is not checked: a leak there is not seen, so the operator is told, on every protocol.
 */
import type { Finding } from './findings.js';

/** The finding for an answer of which `bytes` were read but not checked. */
export function coverageFinding(bytes: number, probe: string, location: string): Finding {
  return {
    rule: 'coverage/body-over-limit',
    severity: 'low',
    message: `An error answer was longer than the probe keeps: ${bytes} bytes in its middle were not scanned.`,
    probe,
    location,
  };
}
