/**
 * The reporter: the bounded, asynchronous log pipeline. `report()` is O(1) and allocation-light:
 * it only enqueues. Reading the stack, fingerprinting, redaction and writing happen later, in
 * batches on `setImmediate`, after the response was written. The queue has a fixed size with a
 * drop policy and counters; storms of identical failures are logged in full once per window and
 * then as compact lines that still carry every request id. A failing or slow sink is counted,
 * never thrown into the application; queued records are flushed on SIGTERM/SIGINT/beforeExit.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Context } from '@opentelemetry/api';
import { type DestinationStream, pino } from 'pino';
import type { Fault } from '../fault.js';
import { FaultError } from '../fault-error.js';
import { createRedactor, type RedactionOptions, type Redactor } from '../redact/redactor.js';
import { isObjectLike, safeGet, typeLabel } from '../safe-access.js';
import { emitExceptionLog, type Protocol } from '../telemetry.js';
import { FdSink, type LineKind } from './fd-sink.js';
import { errorSignature, fingerprint } from './fingerprint.js';
import { RingQueue } from './ring-queue.js';

/** What the adapter knows about the request a fault was answered on. */
export interface ReportContext {
  /** Protocol of the request. */
  readonly protocol?: Protocol;
  /** HTTP method or gRPC method path. */
  readonly method?: string;
  /** The route pattern (never the raw URL with its query). */
  readonly route?: string;
  /** The trace id, when a valid span context existed. */
  readonly traceId?: string;
  /** The OTel context active when the fault was captured (links the exception log record). */
  readonly otelContext?: Context;
  /** More internal fields for the record (redacted before writing). */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** The part of a pino logger the reporter uses (pino itself, Fastify's `app.log`, or a child). */
export interface ReporterLogger {
  error(record: object, message: string): void;
  warn(record: object, message: string): void;
  flush?: ((callback?: (error?: Error) => void) => void) | undefined;
  isLevelEnabled?: ((level: string) => boolean) | undefined;
}

/** Which record to give up when the queue is full. */
export type OverflowPolicy = 'drop-newest' | 'drop-oldest';

/** Options of {@link createReporter}. */
export interface ReporterOptions {
  /** A pino logger to write through (e.g. Fastify's `app.log`). */
  readonly logger?: ReporterLogger;
  /** Where to write when no logger is given: a pino destination stream, a file path or a file descriptor (default stdout). */
  readonly destination?: DestinationStream | string | number;
  /** Records held while waiting to be written (default 4096). */
  readonly queueSize?: number;
  /** What to drop when the queue is full (default `drop-newest`). */
  readonly overflow?: OverflowPolicy;
  /** Most records formatted per event-loop turn (default 512). */
  readonly batchSize?: number;
  /** Most milliseconds spent formatting per event-loop turn, so I/O and requests interleave (default 4). */
  readonly sliceMs?: number;
  /** Window in ms during which one fingerprint is logged in full once, then compactly (default 10 s; 0 disables). */
  readonly dedupWindowMs?: number;
  /** Fingerprints remembered at once (default 1000; the oldest is forgotten first). */
  readonly maxFingerprints?: number;
  /** Bytes a sink may have buffered before records are dropped instead of written (default 4 MiB). */
  readonly maxSinkBacklogBytes?: number;
  /** Redaction options for records and telemetry. */
  readonly redaction?: RedactionOptions;
  /** Emit exception log records through the OTel logs API (default true; a no-op without an SDK). */
  readonly otelLogs?: boolean;
  /** Flush queued records on SIGTERM, SIGINT, beforeExit and exit (default true). */
  readonly flushOnExit?: boolean;
  /** Most milliseconds the synchronous flush at exit may take, however dead the sink (default 1000). */
  readonly shutdownTimeoutMs?: number;
  /** Where to write when `destination` (a path) cannot be opened (a path or file descriptor, e.g. 2). */
  readonly fallbackDestination?: string | number;
}

/** Counters of the pipeline, for metrics and tests. */
export interface ReporterStats {
  /** Faults handed to `report`. */
  readonly reported: number;
  /**
   * Full records written. With Faultline's own sink (a path, a descriptor or stdout) a record
   * counts once the kernel accepted its bytes; through a logger or stream you pass in, once it
   * was handed over (`delivery: 'handed-off'`).
   */
  readonly written: number;
  /** Compact repeat lines written (storm dedup), counted like `written`. */
  readonly compacted: number;
  /** Records that will never arrive, by reason (`ENOSPC`, `EPIPE`, `EACCES`, `backlog`, `shutdown`…); own sink only. */
  readonly lost: Readonly<Record<string, number>>;
  /** `confirmed` when counts come from Faultline's own sink, `handed-off` for a logger or stream passed in. */
  readonly delivery: 'confirmed' | 'handed-off';
  /** Why the destination could not be opened, while it cannot. */
  readonly destinationError: string | undefined;
  /** Records dropped because the queue was full. */
  readonly droppedQueueFull: number;
  /** Records dropped because the sink's backlog was over its bound. */
  readonly droppedBacklog: number;
  /** Records not formatted because the logger's level filters them out. */
  readonly suppressed: number;
  /** Writes that failed (throwing logger, stream error events). */
  readonly sinkErrors: number;
  /** Records waiting in the queue now. */
  readonly queued: number;
}

interface Pending {
  readonly fault: Fault;
  readonly ctx: ReportContext | undefined;
  readonly time: number;
}

interface StormEntry {
  readonly firstId: string;
  readonly since: number;
  repeats: number;
}

type Counters = {
  -readonly [K in Exclude<keyof ReporterStats, 'queued' | 'lost' | 'delivery' | 'destinationError'>]: number;
};

const live = new Set<Reporter>();
let hooksInstalled = false;

function flushAllSync(): void {
  for (const reporter of live) reporter.flushSync();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const onSignal = () => {
      flushAllSync();
      // Alone on this signal: restore the default behaviour and re-raise, so the process still ends.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
  process.on('beforeExit', flushAllSync);
  process.on('exit', flushAllSync);
}

/**
 * Faultline's own sink for a path or descriptor (stdout by default). A path is opened
 * synchronously; when it cannot be (EACCES, EROFS…), the fallback is used if given, the failure is
 * said once on stderr, and the service keeps running: records are counted lost until it opens.
 */
function openSink(
  destination: string | number | undefined,
  fallback: string | number | undefined,
  maxBacklog: number,
): FdSink {
  const open = (target: string | number): FdSink => {
    if (typeof target === 'number') return new FdSink(target, { maxBacklogBytes: maxBacklog, ownsFd: false });
    try {
      mkdirSync(dirname(target), { recursive: true });
    } catch {
      // the open below reports it
    }
    return FdSink.open(target, maxBacklog);
  };
  const primary = open(destination ?? 1);
  if (primary.openError === undefined) return primary;
  const chosen = fallback === undefined ? primary : open(fallback);
  try {
    process.stderr.write(
      `faultline: cannot open the log destination (${primary.openError})${fallback === undefined ? '; fault records are counted as lost until it opens' : '; writing to the fallback destination'}\n`,
    );
  } catch {
    // stderr is gone too: stats still say it
  }
  return chosen;
}

/** Sets `key` as the newest entry of `map`, forgetting the oldest entry beyond `max` (insertion order). */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
}

/** Bytes a stream holds in memory, waiting for the OS (Writable or SonicBoom), 0 when unknown. */
function backlogBytes(stream: unknown): number {
  if (typeof stream !== 'object' || stream === null) return 0;
  const s = stream as { writableLength?: unknown; _len?: unknown; backlogBytes?: unknown };
  if (typeof s.backlogBytes === 'number') return s.backlogBytes;
  if (typeof s.writableLength === 'number') return s.writableLength;
  if (typeof s._len === 'number') return s._len;
  return 0;
}

/** The bounded asynchronous log pipeline. Create with {@link createReporter}. */
export class Reporter {
  readonly #logger: ReporterLogger;
  readonly #stream: unknown;
  readonly #sink: FdSink | undefined;
  readonly #shutdownMs: number;
  #dropTimer: NodeJS.Timeout | undefined;
  readonly #queue: RingQueue<Pending>;
  readonly #overflow: OverflowPolicy;
  readonly #batchSize: number;
  readonly #sliceNs: bigint;
  readonly #window: number;
  readonly #maxFingerprints: number;
  readonly #maxBacklog: number;
  readonly #redactor: Redactor;
  readonly #otelLogs: boolean;
  readonly #storms = new Map<string, StormEntry>();
  readonly #shapes = new Map<string, { readonly fingerprint: string; readonly since: number }>();
  readonly #counters: Counters = {
    reported: 0,
    written: 0,
    compacted: 0,
    droppedQueueFull: 0,
    droppedBacklog: 0,
    suppressed: 0,
    sinkErrors: 0,
  };
  #droppedReported = 0;
  #lastDropNotice = 0;
  #scheduled = false;
  #closed = false;

  constructor(options: ReporterOptions = {}) {
    this.#queue = new RingQueue(options.queueSize ?? 4096);
    this.#overflow = options.overflow ?? 'drop-newest';
    this.#batchSize = Math.max(1, options.batchSize ?? 512);
    this.#sliceNs = BigInt(Math.round(Math.max(0.1, options.sliceMs ?? 4) * 1e6));
    this.#window = options.dedupWindowMs ?? 10_000;
    this.#maxFingerprints = Math.max(1, options.maxFingerprints ?? 1000);
    this.#maxBacklog = options.maxSinkBacklogBytes ?? 4 * 1024 * 1024;
    this.#redactor = createRedactor(options.redaction);
    this.#otelLogs = options.otelLogs ?? true;
    this.#shutdownMs = Math.max(0, options.shutdownTimeoutMs ?? 1000);
    if (options.logger !== undefined) {
      this.#logger = options.logger;
    } else if (typeof options.destination === 'object') {
      this.#logger = pino({ level: 'info' }, options.destination);
    } else {
      this.#sink = openSink(options.destination, options.fallbackDestination, this.#maxBacklog);
      this.#logger = pino({ level: 'info' }, this.#sink);
    }
    this.#stream = (this.#logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
    this.#guardStream(this.#stream);
    if (options.flushOnExit !== false) {
      live.add(this);
      installExitHooks();
    }
  }

  /** A failing sink (EPIPE, full disk, destroyed stream) emits 'error': count it instead of crashing. */
  #guardStream(stream: unknown): void {
    const emitter = stream as { on?: unknown; listenerCount?: unknown };
    if (typeof emitter?.on !== 'function') return;
    try {
      (emitter as NodeJS.EventEmitter).on('error', () => {
        this.#counters.sinkErrors += 1;
      });
    } catch {
      // not an EventEmitter after all
    }
  }

  /** Current counters. */
  get stats(): ReporterStats {
    const sink = this.#sink;
    if (sink === undefined) {
      return {
        ...this.#counters,
        queued: this.#queue.size,
        lost: {},
        delivery: 'handed-off',
        destinationError: undefined,
      };
    }
    const counts = sink.counts;
    return {
      ...this.#counters,
      written: counts.accepted.full,
      compacted: counts.accepted.compact,
      queued: this.#queue.size,
      lost: counts.lost,
      delivery: 'confirmed',
      destinationError: sink.openError,
    };
  }

  /**
   * Queues a fault for logging. O(1), never throws, never blocks: when the queue is full the
   * overflow policy drops a record and counts it.
   */
  report(fault: Fault, ctx?: ReportContext): void {
    this.#counters.reported += 1;
    if (this.#closed) {
      this.#counters.droppedQueueFull += 1;
      return;
    }
    const pending: Pending = { fault, ctx, time: Date.now() };
    if (!this.#queue.push(pending)) {
      this.#counters.droppedQueueFull += 1;
      this.#armDropNotice();
      if (this.#overflow === 'drop-oldest') {
        this.#queue.shift();
        this.#queue.push(pending);
      }
    }
    this.#schedule();
  }

  /** While drops are pending, a timer writes the notice every second even if nothing else drains. */
  #armDropNotice(): void {
    if (this.#dropTimer !== undefined || this.#closed) return;
    this.#dropTimer = setInterval(() => {
      this.#noticeDrops();
      const dropped = this.#counters.droppedQueueFull + this.#counters.droppedBacklog;
      if (dropped === this.#droppedReported && this.#dropTimer !== undefined) {
        clearInterval(this.#dropTimer);
        this.#dropTimer = undefined;
      }
    }, 1000);
    this.#dropTimer.unref();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      // The fuller the queue, the longer the slice (up to 4x): drain harder before dropping.
      const fill = this.#queue.size / this.#queue.capacity;
      this.drain(this.#batchSize * 4, this.#sliceNs + (this.#sliceNs * BigInt(Math.round(fill * 300))) / 100n);
      if (this.#queue.size > 0) this.#schedule();
    });
  }

  /**
   * Formats and writes up to `max` queued records now, stopping early once `budgetNs` has passed.
   * Returns how many were taken off the queue.
   */
  drain(max = Number.POSITIVE_INFINITY, budgetNs?: bigint): number {
    let taken = 0;
    const deadline = budgetNs === undefined ? undefined : process.hrtime.bigint() + budgetNs;
    while (taken < max) {
      if (deadline !== undefined && (taken & 15) === 15 && process.hrtime.bigint() > deadline) break;
      const pending = this.#queue.shift();
      if (pending === undefined) break;
      taken += 1;
      if (backlogBytes(this.#stream) > this.#maxBacklog) {
        this.#counters.droppedBacklog += 1;
        this.#armDropNotice();
        continue;
      }
      try {
        this.#write(pending);
      } catch {
        // Formatting must never take the pipeline down; the record is counted as a sink error.
        this.#counters.sinkErrors += 1;
      }
    }
    this.#noticeDrops();
    return taken;
  }

  #write(pending: Pending): void {
    const { fault, ctx } = pending;
    const level = fault.serverFault ? 'error' : 'warn';
    if (!this.#levelEnabled(level)) {
      // The logger would drop this level: skip fingerprinting and the full redaction; the OTel
      // record (if on) needs only the redacted message and stack.
      this.#counters.suppressed += 1;
      if (this.#otelLogs) this.#emitOtelOnly(fault, ctx);
      return;
    }
    const fp = this.#fingerprintOf(fault, pending.time);
    const storm = this.#window > 0 ? this.#storms.get(fp) : undefined;
    if (storm !== undefined && pending.time - storm.since < this.#window) {
      storm.repeats += 1;
      this.#emit(
        level,
        {
          request_id: fault.id,
          code: fault.code,
          status: fault.status,
          fingerprint: fp,
          first_request_id: storm.firstId,
          repeat: storm.repeats,
          ...(ctx?.protocol === undefined ? {} : { protocol: ctx.protocol }),
          ...(ctx?.method === undefined ? {} : { method: this.#redactor.redactString(ctx.method.slice(0, 256)) }),
          ...(ctx?.route === undefined ? {} : { route: this.#redactor.redactString(ctx.route.slice(0, 512)) }),
          ...(ctx?.traceId === undefined ? {} : { trace_id: ctx.traceId }),
          // Request-specific context (e.g. a refused incoming id) is kept on every line.
          ...(ctx?.attributes === undefined ? {} : { attributes: this.#redactor.redact(ctx.attributes) }),
        },
        `fault ${fault.code} (repeat of ${storm.firstId})`,
        'compact',
      );
      this.#counters.compacted += 1;
      if (this.#otelLogs)
        emitExceptionLog(
          fault,
          { type: fault.internal.errorType, message: `repeat of ${storm.firstId}`, stacktrace: undefined },
          ctx?.otelContext,
        );
      return;
    }
    if (this.#window > 0)
      remember(this.#storms, fp, { firstId: fault.id, since: pending.time, repeats: 0 }, this.#maxFingerprints);
    const err = this.#redactor.redact(fault.internal.thrown);
    const record: Record<string, unknown> = {
      request_id: fault.id,
      code: fault.code,
      category: fault.category,
      status: fault.status,
      error_type: this.#redactor.redactString(fault.internal.errorType),
      classifier: fault.internal.classifier,
      reason: this.#redactor.redactString(fault.internal.reason),
      fingerprint: fp,
      // Not `err`: pino's standard `err` serializer (Fastify installs it) would re-serialize the
      // redacted tree as if it were an Error and lose its shape.
      error: err,
    };
    if (fault.internal.source !== undefined) record.source = this.#redactor.redactString(fault.internal.source);
    if (fault.internal.rejectedRequestId !== undefined) record.rejected_request_id = fault.internal.rejectedRequestId;
    if (ctx !== undefined) {
      if (ctx.protocol !== undefined) record.protocol = ctx.protocol;
      if (ctx.method !== undefined) record.method = this.#redactor.redactString(ctx.method.slice(0, 256));
      if (ctx.route !== undefined) record.route = this.#redactor.redactString(ctx.route.slice(0, 512));
      if (ctx.traceId !== undefined) record.trace_id = ctx.traceId;
      if (ctx.attributes !== undefined) record.attributes = this.#redactor.redact(ctx.attributes);
    }
    const thrown = fault.internal.thrown;
    if (FaultError.is(thrown) && thrown.meta !== undefined) record.meta = this.#redactor.redact(thrown.meta);
    this.#emit(level, record, `fault ${fault.code}`);
    this.#counters.written += 1;
    if (this.#otelLogs) {
      const errObject = typeof err === 'object' && err !== null && !Array.isArray(err) ? err : {};
      emitExceptionLog(
        fault,
        {
          type: fault.internal.errorType,
          message: typeof errObject.message === 'string' ? errObject.message : typeLabel(fault.internal.thrown),
          stacktrace: Array.isArray(errObject.stack) ? errObject.stack.join('\n') : undefined,
        },
        ctx?.otelContext,
      );
    }
  }

  /**
   * The fingerprint (code + error signature + normalised top frames) of a fault. Formatting a
   * stack costs more than everything else in a record, so within a window a fault with the same
   * code, reason and error signature (type, code and message shape of the value and what it
   * wraps) reuses the fingerprint computed for the first one instead of formatting its own stack.
   * Two different errors never share one; the same error thrown from two call sites may.
   */
  #fingerprintOf(fault: Fault, now: number): string {
    const key = `${fault.code}\u0000${fault.internal.reason}\u0000${errorSignature(fault.internal.thrown)}`;
    const cached = this.#window > 0 ? this.#shapes.get(key) : undefined;
    if (cached !== undefined && now - cached.since < this.#window) return cached.fingerprint;
    let fp: string;
    try {
      fp = fingerprint(fault);
    } catch {
      fp = 'unknown';
    }
    if (this.#window > 0) remember(this.#shapes, key, { fingerprint: fp, since: now }, this.#maxFingerprints);
    return fp;
  }

  #emitOtelOnly(fault: Fault, ctx: ReportContext | undefined): void {
    const thrown = fault.internal.thrown;
    const message = isObjectLike(thrown) ? safeGet(thrown, 'message') : undefined;
    const stack = isObjectLike(thrown) ? safeGet(thrown, 'stack') : undefined;
    emitExceptionLog(
      fault,
      {
        type: fault.internal.errorType,
        message: typeof message === 'string' ? this.#redactor.redactString(message) : fault.internal.errorType,
        stacktrace: typeof stack === 'string' ? this.#redactor.redactString(stack) : undefined,
      },
      ctx?.otelContext,
    );
  }

  #levelEnabled(level: 'error' | 'warn'): boolean {
    try {
      return typeof this.#logger.isLevelEnabled === 'function' ? this.#logger.isLevelEnabled(level) : true;
    } catch {
      return true;
    }
  }

  #emit(level: 'error' | 'warn', record: Record<string, unknown>, message: string, kind: LineKind = 'full'): void {
    try {
      this.#sink?.tagNext(kind);
      this.#logger[level](record, message);
    } catch {
      this.#counters.sinkErrors += 1;
    }
  }

  /** Writes one line with the drop counters when records were dropped since the last notice (at most once a second). */
  #noticeDrops(force = false): void {
    const dropped = this.#counters.droppedQueueFull + this.#counters.droppedBacklog;
    if (dropped === this.#droppedReported) return;
    const now = Date.now();
    if (!force && now - this.#lastDropNotice < 1000) return;
    this.#lastDropNotice = now;
    const since = dropped - this.#droppedReported;
    this.#droppedReported = dropped;
    this.#emit(
      'warn',
      {
        faultline_dropped: since,
        dropped_queue_full_total: this.#counters.droppedQueueFull,
        dropped_backlog_total: this.#counters.droppedBacklog,
      },
      `faultline dropped ${since} fault records`,
      'notice',
    );
  }

  /** Writes everything queued, synchronously, and flushes the sink if it can be flushed synchronously. */
  flushSync(): void {
    try {
      this.drain();
      this.#noticeDrops(true);
      if (this.#sink !== undefined) {
        // Bounded: a dead sink (full disk, closed pipe) loses what it cannot take, it never blocks exit.
        this.#sink.flushSync(this.#shutdownMs);
        return;
      }
      const stream = this.#stream as { flushSync?: () => void };
      if (typeof stream?.flushSync === 'function') stream.flushSync();
    } catch {
      this.#counters.sinkErrors += 1;
    }
  }

  /** Writes everything queued and waits until the logger has flushed its buffers. */
  async flush(): Promise<void> {
    this.drain();
    this.#noticeDrops(true);
    if (this.#sink !== undefined) {
      await this.#sink.drained(this.#shutdownMs);
      return;
    }
    await new Promise<void>((resolve) => {
      try {
        if (typeof this.#logger.flush === 'function') this.#logger.flush(() => resolve());
        else resolve();
      } catch {
        this.#counters.sinkErrors += 1;
        resolve();
      }
    });
  }

  /** Flushes, then stops accepting records and removes the exit hooks' reference. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#dropTimer !== undefined) clearInterval(this.#dropTimer);
    this.#sink?.close(this.#shutdownMs);
    live.delete(this);
  }
}

/** Creates a reporter. See {@link ReporterOptions} for the defaults. */
export function createReporter(options?: ReporterOptions): Reporter {
  return new Reporter(options);
}
