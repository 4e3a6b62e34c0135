/**
 * The reporter: the bounded, asynchronous log pipeline. `report()` is O(1) and allocation-light:
 * it only enqueues. Fingerprinting, redaction and writing happen later, in time-sliced batches on
 * `setImmediate`, after the response was written. The queue has a fixed size with a drop policy;
 * the first occurrence of each distinct error in a window is logged in full, its repeats as one
 * compact line per second listing their ids. Sinks count truthfully (see sink.ts); a failing sink
 * is counted, never thrown into the application; shutdown is bounded.
 */
import type { Fault } from '../fault.js';
import { createRedactor, type Redactor } from '../redact/redactor.js';
import { emitExceptionLog } from '../telemetry.js';
import { DropNotice } from './drop-notice.js';
import { flushAtExit, forgetAtExit } from './exit-hooks.js';
import { ReporterOutput } from './output.js';
import { exceptionOf, exceptionOnly, fullRecord } from './records.js';
import { RepeatWindow } from './repeat-window.js';
import { RepeatBatcher } from './repeats.js';
import { RingQueue } from './ring-queue.js';
import type { LineKind } from './sink.js';
import type { OverflowPolicy, ReportContext, ReporterOptions, ReporterStats } from './types.js';

interface Pending {
  readonly fault: Fault;
  readonly ctx: ReportContext | undefined;
  readonly time: number;
}

type Counters = {
  -readonly [K in Exclude<keyof ReporterStats, 'queued' | 'lost' | 'delivery' | 'destinationError'>]: number;
};

/** The bounded asynchronous log pipeline. Create with {@link createReporter}. */
export class Reporter {
  readonly #output: ReporterOutput;
  readonly #shutdownMs: number;
  readonly #queue: RingQueue<Pending>;
  readonly #overflow: OverflowPolicy;
  readonly #batchSize: number;
  readonly #sliceNs: bigint;
  readonly #maxBacklog: number;
  readonly #redactor: Redactor;
  readonly #otelLogs: boolean;
  /** First occurrences and fingerprints within the dedup window. */
  readonly #window: RepeatWindow;
  readonly #repeats: RepeatBatcher;
  readonly #counters: Counters = {
    reported: 0,
    written: 0,
    compacted: 0,
    droppedQueueFull: 0,
    droppedBacklog: 0,
    suppressed: 0,
    sinkErrors: 0,
  };
  readonly #drops: DropNotice;
  #scheduled = false;
  #closed = false;

  constructor(options: ReporterOptions = {}) {
    this.#queue = new RingQueue(options.queueSize ?? 4096);
    this.#overflow = options.overflow ?? 'drop-newest';
    this.#batchSize = Math.max(1, options.batchSize ?? 512);
    this.#sliceNs = BigInt(Math.round(Math.max(0.1, options.sliceMs ?? 4) * 1e6));
    const window = options.dedupWindowMs ?? 10_000;
    const maxFingerprints = Math.max(1, options.maxFingerprints ?? 1000);
    this.#window = new RepeatWindow(window, maxFingerprints);
    this.#maxBacklog = options.maxSinkBacklogBytes ?? 4 * 1024 * 1024;
    this.#redactor = createRedactor(options.redaction);
    this.#otelLogs = options.otelLogs ?? true;
    this.#shutdownMs = Math.max(0, options.shutdownTimeoutMs ?? 1000);
    this.#output = new ReporterOutput(options, this.#maxBacklog, () => {
      this.#counters.sinkErrors += 1;
    });
    this.#repeats = new RepeatBatcher(
      this.#redactor,
      (level, line, message, records) => this.#emit(level, line, message, 'compact', records),
      maxFingerprints,
    );
    this.#drops = new DropNotice(
      () => ({ queueFull: this.#counters.droppedQueueFull, backlog: this.#counters.droppedBacklog }),
      (record, message) => this.#emit('warn', record, message, 'notice'),
    );
    if (options.flushOnExit !== false) flushAtExit(this);
  }

  /** Current counters. */
  get stats(): ReporterStats {
    const base = { ...this.#counters, queued: this.#queue.size };
    const sink = this.#output.sink;
    if (sink === undefined) return { ...base, lost: {}, delivery: 'handed-off', destinationError: undefined };
    const counts = sink.counts;
    return {
      ...base,
      written: counts.accepted.full,
      compacted: counts.accepted.compact,
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
      this.#drops.arm();
      if (this.#overflow === 'drop-oldest') {
        this.#queue.shift();
        this.#queue.push(pending);
      }
    }
    this.#schedule();
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
      if (this.#output.backlog() > this.#maxBacklog) {
        this.#counters.droppedBacklog += 1;
        this.#drops.arm();
        continue;
      }
      try {
        this.#write(pending);
      } catch {
        // Formatting must never take the pipeline down; the record is counted as a sink error.
        this.#counters.sinkErrors += 1;
      }
    }
    this.#drops.write();
    return taken;
  }

  #write({ fault, ctx, time }: Pending): void {
    const level = fault.serverFault ? 'error' : 'warn';
    if (!this.#output.levelEnabled(level)) {
      // The logger would drop this level: skip fingerprinting and the full redaction.
      this.#counters.suppressed += 1;
      if (this.#otelLogs) emitExceptionLog(fault, exceptionOnly(fault, this.#redactor), ctx?.otelContext);
      return;
    }
    const { fingerprint: fp, firstId: first } = this.#window.observe(fault, time);
    if (first !== undefined) {
      this.#repeats.add(fault, ctx, fp, first);
      this.#counters.compacted += 1;
      if (this.#otelLogs)
        emitExceptionLog(
          fault,
          { type: fault.internal.errorType, message: `repeat of ${first}`, stacktrace: undefined },
          ctx?.otelContext,
        );
      return;
    }
    const { record, error } = fullRecord(fault, ctx, fp, this.#redactor);
    this.#emit(level, record, `fault ${fault.code}`);
    this.#counters.written += 1;
    if (this.#otelLogs) emitExceptionLog(fault, exceptionOf(fault, error), ctx?.otelContext);
  }

  #emit(
    level: 'error' | 'warn',
    record: Record<string, unknown>,
    message: string,
    kind: LineKind = 'full',
    records = 1,
  ): void {
    this.#output.emit(level, record, message, kind, records);
  }

  /** Everything queued into the sink now: records, pending repeat lines, the drop notice. */
  #drainAll(): void {
    this.drain();
    this.#repeats.flush();
    this.#drops.write(true);
  }

  /** Writes everything queued, synchronously; a dead or slow sink loses what it cannot take within the bound. */
  flushSync(): void {
    this.#flushSyncWithin(this.#shutdownMs);
  }

  #flushSyncWithin(budgetMs: number): void {
    try {
      this.#drainAll();
    } catch {
      this.#counters.sinkErrors += 1;
    }
    // A foreign stream that failed is never flushed synchronously; on signals `shutdown` flushes it asynchronously.
    this.#output.flushSync(budgetMs, this.#counters.sinkErrors === 0);
  }

  /** Writes everything queued and waits (bounded) until the sink has written it. */
  async flush(): Promise<void> {
    this.#drainAll();
    await this.#output.flush(this.#shutdownMs);
  }

  /**
   * On a signal, within the bound: Faultline's sinks get to send asynchronously, then what is
   * left is written synchronously or counted lost; a foreign logger is flushed asynchronously only.
   */
  async shutdown(): Promise<void> {
    const started = Date.now();
    this.#drainAll();
    if (this.#output.sink === undefined) {
      await this.#output.flush(this.#shutdownMs);
      return;
    }
    await this.#output.sink.drained(this.#shutdownMs * 0.8);
    this.#flushSyncWithin(this.#shutdownMs - (Date.now() - started));
  }

  /** Flushes, then stops accepting records, closes Faultline's own sink and leaves the exit hooks. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    this.#drops.stop();
    this.#output.sink?.close(this.#shutdownMs);
    forgetAtExit(this);
  }
}

/** Creates a reporter. See {@link ReporterOptions} for the defaults. */
export function createReporter(options?: ReporterOptions): Reporter {
  return new Reporter(options);
}
