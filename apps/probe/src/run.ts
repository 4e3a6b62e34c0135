/**
 * One probe run against one target: the protocol's probes, then a liveness check (a target that
 * stops answering during the run crashed), all bounded by an overall time limit.
 */
import { randomBytes } from 'node:crypto';
import type { Finding } from './findings.js';
import { methodsFromProto, methodsFromReflection } from './grpc/discover.js';
import { probeGrpc } from './grpc/probes.js';
import { probeHttp } from './http/probes.js';
import { exchange } from './http/raw-request.js';
import type { Target } from './target.js';
import { probeWs } from './ws/probes.js';

/** Options of a run. */
export interface RunOptions {
  /** Extra HTTP paths to probe besides the base. */
  readonly paths?: readonly string[];
  /** gRPC methods (`/pkg.Service/Method`) to send malformed messages to. */
  readonly grpcMethods?: readonly string[];
  /** A `.proto` file whose services' methods are probed too. */
  readonly protoFile?: string;
  /** A resource the probe may not see, compared with a missing one. */
  readonly forbidden?: string;
  /** Speak HTTP/2 (h2c with prior knowledge on http://, ALPN h2 on https://). */
  readonly http2?: boolean;
  /** Per-request timeout (default 5 s). */
  readonly requestTimeoutMs?: number;
  /** Whole-run limit (default 60 s). */
  readonly timeoutMs?: number;
  readonly onProgress?: (label: string) => void;
}

/** The result of a run. */
export interface RunResult {
  readonly target: string;
  readonly findings: Finding[];
  readonly requests: number;
  /** Requests that got an answer (HTTP only; the rest timed out or were refused mid-way). */
  readonly answered?: number;
  readonly durationMs: number;
  readonly timedOut: boolean;
  /** The target refused connections before any probe: nothing was tested. */
  readonly unreachable?: boolean;
}

async function alive(target: Target, timeoutMs: number): Promise<boolean> {
  // A TCP connect says whether anything listens, whatever the HTTP version it speaks.
  const { error } = await exchange(
    { host: target.host, port: target.port, tls: target.tls },
    { method: 'GET', path: '/' },
    timeoutMs,
  );
  return error !== 'ECONNREFUSED' && error !== 'ECONNRESET';
}

/** Probes `target`. Never throws for target behaviour: what the target does becomes findings. */
export async function runProbe(target: Target, options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const marker = `flprobe${randomBytes(6).toString('hex')}`;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
  const endpoint = { host: target.host, port: target.port, tls: target.tls };
  const limit = options.timeoutMs ?? 60_000;
  // A target that is down from the start is not a crash: say so and test nothing.
  if (target.protocol !== 'grpc' && !(await alive(target, requestTimeoutMs))) {
    return {
      target: target.url,
      findings: [],
      requests: 1,
      durationMs: Date.now() - started,
      timedOut: false,
      unreachable: true,
    };
  }
  const work = (async () => {
    if (target.protocol === 'http') {
      const base = target.path === '/' ? '' : target.path;
      const { findings, sent, answered } = await probeHttp(endpoint, [base, ...(options.paths ?? [])], {
        marker,
        timeoutMs: requestTimeoutMs,
        http2: options.http2 === true,
        ...(options.forbidden === undefined ? {} : { forbidden: options.forbidden }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
      return { findings, sent, answered, reachable: await alive(target, requestTimeoutMs) };
    }
    if (target.protocol === 'grpc') {
      const address = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
      // Named methods, then the .proto's, then what server reflection lists (when it is served).
      const methods = new Set(options.grpcMethods ?? []);
      if (options.protoFile !== undefined) for (const m of methodsFromProto(options.protoFile)) methods.add(m);
      for (const m of await methodsFromReflection(address, target.tls, requestTimeoutMs)) methods.add(m);
      return probeGrpc(address, {
        tls: target.tls,
        methods: [...methods].slice(0, 50),
        marker,
        timeoutMs: requestTimeoutMs,
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
    }
    return probeWs(target.url, endpoint, {
      marker,
      timeoutMs: requestTimeoutMs,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), limit);
  });
  const outcome = await Promise.race([work, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    return { target: target.url, findings: [], requests: 0, durationMs: Date.now() - started, timedOut: true };
  }
  if ('unreachable' in outcome && outcome.unreachable === true) {
    return {
      target: target.url,
      findings: [],
      requests: outcome.sent,
      durationMs: Date.now() - started,
      timedOut: false,
      unreachable: true,
    };
  }
  const findings = [...outcome.findings];
  if (!outcome.reachable)
    findings.push({
      rule: 'availability/crash',
      severity: 'high',
      message: 'The target stopped accepting connections during the probe: a malformed request crashed it.',
      probe: `${target.protocol} (all)`,
      location: target.url,
    });
  return {
    target: target.url,
    findings: dedupe(findings),
    requests: outcome.sent,
    ...('answered' in outcome && typeof outcome.answered === 'number' ? { answered: outcome.answered } : {}),
    durationMs: Date.now() - started,
    timedOut: false,
  };
}

/** One finding per rule, probe and location. */
function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule}\u0000${f.probe}\u0000${f.location}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
