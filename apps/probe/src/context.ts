/** What every protocol's probes share during one run: the marker, the budget and the collectors. */
import type { Budget } from './budget.js';
import type { Finding } from './findings.js';

/** How every run's marker starts; 12 random hex digits follow, unique to the run. */
export const MARKER_PREFIX = 'flprobe';

/** One thing discovery found, and how. */
export interface Discovery {
  /** How: `openapi /openapi.json`, `common path`, `link on /`, `server reflection`, `health`, `ws path`… */
  readonly how: string;
  /** What: `POST /api/users`, `/shop.Orders/Create`, `ws://…/ws`. */
  readonly what: string;
}

/** The shared state of one run. */
export interface ProbeRun {
  /** A unique string the probes put in their requests; seeing it again means reflection. */
  readonly marker: string;
  readonly budget: Budget;
  /** Findings so far (kept when the deadline ends the run: partial results). */
  readonly findings: Finding[];
  /** What discovery found so far. */
  readonly discovered: Discovery[];
  readonly onProgress?: (label: string) => void;
}

/** Adds `discovery` unless the same thing was already found (bounded at 500 entries). */
export function discover(run: ProbeRun, how: string, what: string): void {
  if (run.discovered.length >= 500 || run.discovered.some((d) => d.what === what)) return;
  run.discovered.push({ how, what });
}
