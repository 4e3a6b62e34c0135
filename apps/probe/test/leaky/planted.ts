/** What the leaky targets plant: each leak, the rule that should report it, and where. */

/** One planted leak. */
export interface Planted {
  /** The finding's rule. */
  readonly rule: string;
  /** A part of the finding's location (path, method or URL path). */
  readonly where: string;
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
