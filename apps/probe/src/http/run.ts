/**
 * The HTTP side of a run: the full probe set on the base path and the `--path` hints, then what
 * discovery found (each operation with wrong types, a malformed body and garbled tokens; each route
 * found to exist with the newer probes, see `routes.ts`), then the
 * comparisons across answers (length variance, existence oracles) and, last, the well-known files
 * a deployment should not serve (`exposed.ts`). Requests go out a few at a
 * time; the deadline stops scheduling and aborts what is in flight.
 */
import { pool } from '../budget.js';
import type { ProbeRun } from '../context.js';
import type { Finding } from '../findings.js';
import { HttpClient, type HttpProbe } from './client.js';
import { discoverHttp } from './discover.js';
import { exposedFiles } from './exposed.js';
import { operationRequests } from './mutate.js';
import { malformedAcceptProbes } from './negotiation.js';
import { collectionOracle, forbiddenOracle, lengthVariance } from './oracle.js';
import { extraProbes, httpProbes } from './probes.js';
import type { Endpoint } from './raw-request.js';
import { GATEWAY_STATUSES, httpGap } from './reached.js';
import { liveRoutes, routePath, routeProbes } from './routes.js';

/** Options of the HTTP probes. */
export interface HttpOptions {
  /** The target's base path ('' for the root). */
  readonly base: string;
  /** Extra paths that get the full probe set. */
  readonly paths: readonly string[];
  readonly http2: boolean;
  readonly forbidden?: string;
  /** A document given with `--openapi` (replaces the look-up at the usual locations). */
  readonly openapi?: { source: string; document: object };
  /** Skip discovery: only the base, the hints and a given document. */
  readonly noDiscovery?: boolean;
}

/** How many HTTP requests are in flight at once. */
const CONCURRENCY = 8;

function requestKey(probe: HttpProbe): string {
  const { method, path, headers, body } = probe.request;
  // A request sent twice on one connection is not the same probe as the request sent once.
  return `${probe.twice === true ? 'twice ' : ''}${method} ${String(path)} ${JSON.stringify(headers ?? {})} ${body ?? ''}`;
}

/** Runs the HTTP probes; findings go to `run.findings` as they are found. */
export async function probeHttp(run: ProbeRun, endpoint: Endpoint, options: HttpOptions): Promise<void> {
  const client = new HttpClient(run, endpoint, options.http2);
  const { signal } = run.budget;
  try {
    const seen = new Set<string>();
    const unique = (probes: HttpProbe[]) =>
      probes.filter((probe) => {
        const key = requestKey(probe);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    const named = [options.base, ...options.paths];
    // Every path's probes first, then the extra ones (a run cut short by the request cap loses those).
    const full = unique([
      ...named.flatMap((path) => httpProbes(path, run.marker)),
      ...named.flatMap((path) => extraProbes(path, run.marker)),
      ...malformedAcceptProbes(options.base, run.marker),
    ]);
    await pool(full, CONCURRENCY, signal, async (probe) => void (await client.send(probe)));
    const discovery = options.noDiscovery !== true || options.openapi !== undefined;
    if (discovery && !signal.aborted) {
      // With --no-discovery, a document given with --openapi is still probed: the options name it.
      const found = await discoverHttp(client, options.base, options.openapi, options.noDiscovery === true);
      // Each answer's status by route: a guessed route that answers other than 404 exists.
      const statuses = new Map<string, number>();
      const probes = found.operations.flatMap((op) =>
        unique(operationRequests(op, run.marker)).map((probe) => ({ probe, route: routePath(op) })),
      );
      await pool(probes, CONCURRENCY, signal, async ({ probe, route }) => {
        const status = (await client.send(probe))?.status;
        // One answer other than 404 is enough: a later 404 (a wrong-typed id) does not undo it.
        if (status !== undefined && (status !== 404 || !statuses.has(route))) statuses.set(route, status);
      });
      // The newer probes on the routes found (the base and the hints already had them).
      const done = new Set([options.base || '/', ...options.paths]);
      const routes = liveRoutes(found.operations, statuses, done);
      const more = unique(routes.flatMap((route) => routeProbes(route, run.marker)));
      await pool(more, CONCURRENCY, signal, async (probe) => void (await client.send(probe)));
      const oracles: Finding[] = [];
      await pool(found.collections, 2, signal, async (collection) => {
        oracles.push(...(await collectionOracle(client, collection)));
      });
      run.findings.push(...oracles);
    }
    if (options.forbidden !== undefined && !signal.aborted)
      run.findings.push(...(await forbiddenOracle(client, options.forbidden)));
    // Last in the budget: a few well-known files and endpoints a deployment should not serve.
    if (options.noDiscovery !== true && !signal.aborted)
      run.findings.push(...(await exposedFiles(client, options.base)));
    run.findings.push(...lengthVariance(client.errors));
    if (run.coverage.reached.length === 0) {
      const gateway = client.errors.some(({ answer }) => GATEWAY_STATUSES.has(answer.status));
      run.coverage.gap = httpGap([options.base, ...options.paths], discovery, gateway);
    }
  } finally {
    client.close();
  }
}
