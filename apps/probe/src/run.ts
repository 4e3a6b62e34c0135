/**
 * One probe run against one target: discovery and the protocol's probes, then a liveness check (a
 * target that stops answering during the run crashed). The deadline is a deadline: when it passes,
 * every in-flight exchange is aborted, nothing new is sent, and the partial results come back
 * marked incomplete.
 */
import { randomBytes } from 'node:crypto';
import { Budget, pause, type Unanswered } from './budget.js';
import { type Coverage, type Discovery, MARKER_PREFIX, type ProbeRun } from './context.js';
import { dedupe, type Finding } from './findings.js';
import { probeHttp } from './http/run.js';
import { reachable } from './reachable.js';
import type { Target } from './target.js';
import { unansweredFinding, type Verdict, verdictOf } from './verdict.js';

/** Options of a run. */
export interface RunOptions {
  /** Extra HTTP paths that get the full probe set besides the base. */
  readonly paths?: readonly string[];
  /** gRPC methods (`/pkg.Service/Method`) to send malformed messages to. */
  readonly grpcMethods?: readonly string[];
  /** A `.proto` file whose services' methods are probed too. */
  readonly protoFile?: string;
  /** An OpenAPI/Swagger document (already read), used instead of looking at the usual locations. */
  readonly openapi?: { readonly source: string; readonly document: object };
  /** A resource the probe may not see, compared with a missing one. */
  readonly forbidden?: string;
  /** Speak HTTP/2 (h2c with prior knowledge on http://, ALPN h2 on https://). */
  readonly http2?: boolean;
  /** Skip discovery: probe only what the target URL and the options name. */
  readonly noDiscovery?: boolean;
  /** Per-request timeout (default 5 s, never past the deadline). */
  readonly requestTimeoutMs?: number;
  /** Whole-run limit (default 60 s): the run ends within it plus a moment to report. */
  readonly timeoutMs?: number;
  /** Cap on requests (default 2000). */
  readonly maxRequests?: number;
  readonly onProgress?: (label: string) => void;
}

/** The result of a run. */
export interface RunResult {
  readonly target: string;
  /**
   * `clean` (answered, the application reached, nothing above info found), `findings`, `uncovered`
   * (nothing found, but none of the application reached: see `coverage.gap`), or `inconclusive`
   * (nothing answered in a form that can be judged).
   */
  readonly verdict: Verdict;
  readonly findings: Finding[];
  readonly requests: number;
  /** Requests that got an answer that could be read. */
  readonly answered: number;
  /** Requests without one, by reason (timeout, closed, unparseable, refused, aborted by the deadline). */
  readonly unanswered: Record<Unanswered, number>;
  /** What discovery found, and how. */
  readonly discovered: Discovery[];
  /** What of the application was reached; `gap` says so when none of it was (the verdict is then never clean). */
  readonly coverage: Coverage;
  readonly durationMs: number;
  /** The deadline ended the run: the results are partial. */
  readonly timedOut: boolean;
  /** Some probes were not sent or not answered because of the deadline or the request cap. */
  readonly incomplete: boolean;
  /** The target refused connections before any probe: nothing was tested. */
  readonly unreachable?: boolean;
}

function alive(target: Target, budget: Budget): Promise<boolean> {
  // A TCP connect says whether anything listens, whatever the protocol it speaks.
  return reachable(target.host, target.port, Math.min(2000, budget.requestTimeout()), budget.signal);
}

async function probe(target: Target, run: ProbeRun, options: RunOptions): Promise<void> {
  const { budget } = run;
  if (target.protocol === 'http') {
    const base = target.path === '/' ? '' : target.path.replace(/\/$/, '');
    await probeHttp(run, target, {
      base,
      paths: options.paths ?? [],
      http2: options.http2 === true,
      ...(options.forbidden === undefined ? {} : { forbidden: options.forbidden }),
      ...(options.openapi === undefined ? {} : { openapi: options.openapi }),
      ...(options.noDiscovery === true ? { noDiscovery: true } : {}),
    });
    if (options.noDiscovery !== true && options.http2 !== true && !budget.expired) {
      const { probeWs, WS_PATHS } = await import('./ws/probes.js');
      const origin = `${target.tls ? 'wss' : 'ws'}://${hostPort(target)}`;
      await probeWs(
        run,
        origin,
        target,
        WS_PATHS.map((p) => `${base}${p}`),
      );
    }
    return;
  }
  if (target.protocol === 'grpc') {
    // Loaded only for gRPC targets: grpc-js and the descriptor decoders take most of the start-up time.
    const { probeGrpcTarget } = await import('./grpc/run.js');
    await probeGrpcTarget(run, target, hostPort(target), options);
    return;
  }
  const { probeWs, WS_PATHS } = await import('./ws/probes.js');
  const url = new URL(target.url);
  const paths = [url.pathname + url.search, ...(options.noDiscovery === true ? [] : WS_PATHS)];
  await probeWs(run, `${url.protocol}//${url.host}`, target, [...new Set(paths)]);
}

/**
 * The run's coverage: when something answered but none of the application was reached, `gap` says
 * so (the protocol's own note, or a general one).
 */
function coverageOf(run: ProbeRun, target: Target, answered: boolean): Coverage {
  const { reached, notServed, gap } = run.coverage;
  const missing = answered && reached.length === 0;
  const note =
    gap ??
    `None of the application was reached on ${target.url}: nothing answered as an existing route, method or endpoint, so its own errors were not checked.`;
  return { reached: [...reached], notServed: [...notServed], ...(missing ? { gap: note } : {}) };
}

function hostPort(target: Target): string {
  return `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
}

/** Probes `target`. Never throws for target behaviour: what the target does becomes findings. */
export async function runProbe(target: Target, options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const limit = options.timeoutMs ?? 60_000;
  const budget = new Budget(limit, options.requestTimeoutMs ?? 5000, options.maxRequests ?? 2000);
  const run: ProbeRun = {
    marker: `${MARKER_PREFIX}${randomBytes(6).toString('hex')}`,
    budget,
    findings: [],
    discovered: [],
    coverage: { reached: [], notServed: [] },
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  };
  const finish = (extra: { unreachable?: boolean; crashed?: boolean }): RunResult => {
    const tally = budget.tally();
    const timedOut = budget.expired;
    const unanswered = { ...tally.unanswered };
    const extraFindings: Finding[] = [];
    if (extra.crashed === true)
      extraFindings.push({
        rule: 'availability/crash',
        severity: 'high',
        message: 'The target stopped accepting connections during the probe: a malformed request crashed it.',
        probe: `${target.protocol} (all)`,
        location: target.url,
      });
    const silent = unansweredFinding(tally.answered, unanswered, target.url);
    if (silent !== undefined) extraFindings.push(silent);
    const findings = dedupe([...run.findings, ...extraFindings], run.marker);
    const coverage = coverageOf(run, target, tally.answered > 0 && extra.unreachable !== true);
    return {
      target: target.url,
      verdict: verdictOf({
        ...tally,
        findings,
        unreachable: extra.unreachable === true,
        covered: coverage.gap === undefined,
      }),
      findings,
      requests: tally.sent,
      answered: tally.answered,
      unanswered,
      discovered: run.discovered,
      coverage,
      durationMs: Date.now() - started,
      timedOut,
      incomplete: timedOut || budget.capped || unanswered.aborted > 0,
      ...(extra.unreachable === true ? { unreachable: true } : {}),
    };
  };
  try {
    // A target that is down from the start is not a crash: say so and test nothing.
    if (target.protocol !== 'grpc' && !(await alive(target, budget))) return finish({ unreachable: true });
    // The work stops on the signal; the race only guards against an exchange that ignores it.
    const guard = new AbortController();
    await Promise.race([probe(target, run, options), pause(limit + 500, guard.signal)]);
    guard.abort();
    if (budget.expired) return finish({});
    const tally = budget.tally();
    if (target.protocol === 'grpc') {
      if (tally.answered === 0 && tally.unanswered.refused > 0) return finish({ unreachable: true });
      return finish({ crashed: tally.answered > 0 && tally.unanswered.refused > 0 });
    }
    const up = await alive(target, budget);
    return finish({ crashed: !up && !budget.expired });
  } finally {
    budget.dispose();
  }
}
