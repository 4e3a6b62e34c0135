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
  /** What of the application the probes reached so far (see {@link Coverage}). */
  readonly coverage: { readonly reached: string[]; readonly notServed: string[]; gap?: string };
  readonly onProgress?: (label: string) => void;
}

/** Adds `discovery` unless the same thing was already found (bounded at 500 entries). */
export function discover(run: ProbeRun, how: string, what: string): void {
  if (run.discovered.length >= 500 || run.discovered.some((d) => d.what === what)) return;
  run.discovered.push({ how, what });
}

/**
 * What of the application the probes reached. A run that reached none of it (every HTTP route a
 * 404, no gRPC method of the application answered, no WebSocket upgrade accepted) exercised only
 * what any server answers without knowing its API: it is never called clean.
 */
export interface Coverage {
  /** What answered as existing: `GET /orders` (not 404), `/shop.Orders/Create` (not UNIMPLEMENTED), `ws://…/ws` (upgraded). At most 100. */
  readonly reached: string[];
  /** What the probe looked for that the target does not serve: `server reflection`, a health method that answered UNIMPLEMENTED. */
  readonly notServed: string[];
  /** Set when nothing of the application was reached: what was probed instead, and how to get coverage. */
  readonly gap?: string;
}

/** Records that `what` of the application answered as existing (bounded at 100 entries, no repeats). */
export function reach(run: ProbeRun, what: string): void {
  const { reached } = run.coverage;
  if (reached.length < 100 && !reached.includes(what)) reached.push(what);
}
