/** What the leaky targets plant: each leak, the rule that should report it, and where. */
import type { Severity } from '../../src/findings.js';

/** One planted leak. */
export interface Planted {
  /** The finding's rule. */
  readonly rule: string;
  /** A part of the finding's location (path, method or URL path). */
  readonly where: string;
  /** The severity the finding must have, when the target says. */
  readonly severity?: Severity;
}

/** A running leaky target. */
export interface LeakyTarget {
  readonly name: string;
  /** The only thing the probe is told: a base URL. */
  readonly url: string;
  readonly planted: readonly Planted[];
  close(): Promise<void>;
}

/** `server.address()`'s port. */
export function portOf(server: { address(): unknown }): number {
  return (server.address() as { port: number }).port;
}

/**
 * The planted leaks no finding of `findings` reports: none with the leak's rule (and severity, when
 * it says one) at a location that contains its `where`.
 */
export function missed(
  planted: readonly Planted[],
  findings: readonly { rule: string; severity: string; location: string; locations?: readonly string[] }[],
): Planted[] {
  return planted.filter(
    (leak) =>
      !findings.some(
        (f) =>
          f.rule === leak.rule &&
          (leak.severity === undefined || f.severity === leak.severity) &&
          (f.locations ?? [f.location]).some((l) => l.includes(leak.where)),
      ),
  );
}
