/**
 * The reporter: the bounded, asynchronous log pipeline. `report()` is O(1): it only enqueues.
 * Later, in time-sliced turns on `setImmediate`, the response thread decides which records are
 * repeats (without reading stacks) and reads what it must off each fault into plain items (see
 * items.ts); a {@link RecordWriter} turns items into lines. At a low rate the writer runs here;
 * above `workerThreshold` full records per second, Faultline's own destination moves to a worker
 * thread that redacts, formats and writes (see worker.ts), so the event loop stays free in a
 * storm. Counts stay truthful across threads (written is what the sink confirmed; what is on its
 * way is `inFlight`); memory and shutdown stay bounded; OTel exception records are emitted on
 * this thread, where the SDK's LoggerProvider lives.
 */
import type { Fault } from '../fault.js';
import { checkOptions } from '../options-check.js';
import { createRedactor, type Redactor } from '../redact/redactor.js';
import { DropNotice } from './drop-notice.js';
import { flushAtExit, forgetAtExit } from './exit-hooks.js';
import { fullItem, type Item, repeatItem } from './items.js';
import { REPORTER_RULES } from './option-rules.js';
import { otelLogsActive } from './otel-active.js';
import { ReporterOutput } from './output.js';
import { exceptionOnly } from './records.js';
import { RepeatWindow } from './repeat-window.js';
import { RingQueue } from './ring-queue.js';
import type { SinkCounts } from './sink.js';
import { type SinkSpec, sinkSpec } from './sink-spec.js';
import { emitExceptionLog } from './telemetry.js';
import type { OverflowPolicy, ReportContext, ReporterOptions, ReporterStats } from './types.js';
import { WorkerLink } from './worker-link.js';
import { RecordWriter } from './writer.js';

interface Pending {
  readonly fault: Fault;
  readonly ctx: ReportContext | undefined;
  readonly time: number;
}

/** Sums two sinks' counts (the response thread's sink before the handover, the worker's after). */
function addCounts(a: SinkCounts, b: SinkCounts | undefined): SinkCounts {
  if (b === undefined) return a;
  const lost: Record<string, number> = { ...a.lost };
  for (const [reason, n] of Object.entries(b.lost)) lost[reason] = (lost[reason] ?? 0) + n;
  return {
    accepted: {
      full: a.accepted.full + b.accepted.full,
      compact: a.accepted.compact + b.accepted.compact,
      notice: a.accepted.notice + b.accepted.notice,
    },
    lost,
    backlogBytes: a.backlogBytes + b.backlogBytes,
  };
}

/** The bounded asynchronous log pipeline. Create with {@link createReporter}. */
export class Reporter {
  readonly #options: ReporterOptions;
  readonly #output: ReporterOutput;
  readonly #writer: RecordWriter;
  readonly #shutdownMs: number;
  readonly #queue: RingQueue<Pending>;
  readonly #overflow: OverflowPolicy;
  readonly #batchSize: number;
  readonly #sliceNs: bigint;
  readonly #maxBacklog: number;
  readonly #maxFingerprints: number;
  readonly #redactor: Redactor;
  readonly #otelLogs: boolean;
  readonly #window: RepeatWindow;
  readonly #counters = { reported: 0, droppedQueueFull: 0, suppressed: 0, sinkErrors: 0 };
  readonly #drops: DropNotice;
  /** Set when the destination can move to a worker. */
  readonly #spec: SinkSpec | undefined;
  readonly #threshold: number;
  #link: WorkerLink | undefined;
  /** Resolves once this thread's sink let go of the destination (after the worker started). */
  #handover: Promise<void> | undefined;
  #released = false;
  #rateSince = 0;
  #rateCount = 0;
  /** Faults whose OTel exception record waits for the worker's redaction, by sequence. */
  readonly #otelWaiting = new Map<number, Pending>();
  #otelSeq = 0;
  #backlogSeen = 0;
  #scheduled = false;
  #closed = false;

  constructor(options: ReporterOptions = {}) {
    this.#options = options;
    this.#queue = new RingQueue(options.queueSize ?? 4096);
    this.#overflow = options.overflow ?? 'drop-newest';
    this.#batchSize = Math.max(1, options.batchSize ?? 512);
    this.#sliceNs = BigInt(Math.round(Math.max(0.1, options.sliceMs ?? 4) * 1e6));
    this.#maxFingerprints = Math.max(1, options.maxFingerprints ?? 1000);
    this.#window = new RepeatWindow(options.dedupWindowMs ?? 10_000, this.#maxFingerprints);
    this.#maxBacklog = options.maxSinkBacklogBytes ?? 4 * 1024 * 1024;
    this.#redactor = createRedactor(options.redaction);
    this.#otelLogs = options.otelLogs ?? true;
    this.#shutdownMs = Math.max(0, options.shutdownTimeoutMs ?? 1000);
    this.#threshold = options.workerThreshold ?? 2000;
    this.#output = new ReporterOutput(options, this.#maxBacklog, () => {
      this.#counters.sinkErrors += 1;
    });
    this.#writer = new RecordWriter(this.#redactor, this.#output, {
      maxFingerprints: this.#maxFingerprints,
      maxBacklog: this.#maxBacklog,
      onException: (item, e) => this.#emitException(item.otel, e.type, e.message, e.stacktrace),
    });
    this.#spec = this.#offloadable();
    this.#drops = new DropNotice(
      () => ({ queueFull: this.#counters.droppedQueueFull, backlog: this.#droppedBacklog() }),
      (record, message) => this.#write([{ k: 'n', record, message }], 0),
    );
    if (options.flushOnExit !== false) flushAtExit(this);
  }

  /** The destination's description when it may move to a worker: our own sink, plain redaction options. */
  #offloadable(): SinkSpec | undefined {
    const sink = this.#output.sink;
    if (sink === undefined || this.#threshold === Number.POSITIVE_INFINITY) return undefined;
    try {
      structuredClone(this.#options.redaction);
    } catch {
      return undefined; // a custom pattern with a function cannot cross threads
    }
    return sinkSpec(sink);
  }

  /** True once records went to the worker (before that, everything is on this thread). */
  #sentAny(): boolean {
    return this.#link?.ready === true;
  }

  #droppedBacklog(): number {
    return this.#writer.counts.droppedBacklog + (this.#link?.counts?.writer.droppedBacklog ?? 0);
  }

  /** Current counters. */
  get stats(): ReporterStats {
    const worker = this.#link?.counts;
    const inFlight = this.#link === undefined ? 0 : Math.max(0, this.#link.inFlight);
    const base = {
      reported: this.#counters.reported,
      droppedQueueFull: this.#counters.droppedQueueFull,
      droppedBacklog: this.#droppedBacklog(),
      suppressed: this.#counters.suppressed,
      sinkErrors: this.#counters.sinkErrors + this.#writer.counts.sinkErrors + (worker?.writer.sinkErrors ?? 0),
      queued: this.#queue.size,
      inFlight,
      offThread: this.#sentAny(),
    };
    const sink = this.#output.sink;
    if (sink === undefined)
      return {
        ...base,
        written: this.#writer.counts.written,
        compacted: this.#writer.counts.compacted,
        lost: {},
        delivery: 'handed-off',
        destinationError: undefined,
      };
    const counts = addCounts(sink.counts, worker?.sink);
    const lost = { ...counts.lost };
    if (this.#link !== undefined && !this.#link.alive && inFlight > 0) lost.worker = (lost.worker ?? 0) + inFlight;
    return {
      ...base,
      inFlight: this.#link?.alive === false ? 0 : inFlight,
      written: counts.accepted.full,
      compacted: counts.accepted.compact,
      lost,
      delivery: 'confirmed',
      destinationError: this.#released ? worker?.openError : sink.openError,
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
      const budget = this.#sentAny() ? this.#sliceNs / 4n : this.#sliceNs;
      this.drain(this.#batchSize * 4, budget + (budget * BigInt(Math.round(fill * 300))) / 100n);
      if (this.#queue.size > 0) this.#schedule();
    });
  }

  /**
   * Takes up to `max` queued records now (written here, or handed to the worker), stopping early
   * once `budgetNs` has passed. Returns how many were taken off the queue.
   */
  drain(max = Number.POSITIVE_INFINITY, budgetNs?: bigint, bounded = true): number {
    let taken = 0;
    let fulls = 0;
    const deadline = budgetNs === undefined ? undefined : process.hrtime.bigint() + budgetNs;
    // Until the worker is ready, records are written on this thread.
    const link = this.#link?.ready ? this.#link : undefined;
    const items: Item[] = [];
    const otel = this.#otelLogs && otelLogsActive();
    while (taken < max) {
      if (deadline !== undefined && (taken & 15) === 15 && process.hrtime.bigint() > deadline) break;
      // The worker holds at most a queue's worth: beyond it, records wait (and drop) here.
      if (bounded && link?.alive && link.inFlight + items.length >= this.#queue.capacity) break;
      const pending = this.#queue.shift();
      if (pending === undefined) break;
      taken += 1;
      try {
        const item = this.#item(pending, link === undefined, otel);
        if (item === undefined) continue;
        if (item.k === 'f') fulls += 1;
        if (link === undefined) this.#writer.write(item);
        else items.push(item);
      } catch {
        this.#counters.sinkErrors += 1;
      }
    }
    if (link !== undefined) link.send(items, items.length);
    if (this.#droppedBacklog() !== this.#backlogSeen) {
      this.#backlogSeen = this.#droppedBacklog();
      this.#drops.arm();
    }
    this.#drops.write();
    this.#rate(fulls);
    return taken;
  }

  /** The item for one queued fault, `undefined` when the logger's level filters it out. */
  #item({ fault, ctx, time }: Pending, local: boolean, otel: boolean): Item | undefined {
    if (local && !this.#output.levelEnabled(fault.serverFault ? 'error' : 'warn')) {
      // The logger would drop this level: skip fingerprinting and the full redaction.
      this.#counters.suppressed += 1;
      if (otel) emitExceptionLog(fault, exceptionOnly(fault, this.#redactor), ctx?.otelContext);
      return undefined;
    }
    const verdict = this.#window.observe(fault, time);
    if (verdict.firstId !== undefined) {
      if (otel)
        emitExceptionLog(
          fault,
          { type: fault.internal.errorType, message: `repeat of ${verdict.firstId}`, stacktrace: undefined },
          ctx?.otelContext,
        );
      return repeatItem(fault, ctx, verdict.handle, verdict.firstId, this.#redactor);
    }
    let seq = -1;
    if (otel) {
      seq = ++this.#otelSeq;
      this.#otelWaiting.set(seq, { fault, ctx, time });
      if (this.#otelWaiting.size > this.#queue.capacity * 2) {
        const oldest = this.#otelWaiting.keys().next();
        if (oldest.done !== true) this.#otelWaiting.delete(oldest.value);
      }
    }
    return fullItem(fault, ctx, verdict.handle, verdict.key, this.#redactor, seq);
  }

  #emitException(seq: number, type: string, message: string, stacktrace: string | undefined): void {
    const pending = this.#otelWaiting.get(seq);
    if (pending === undefined) return;
    this.#otelWaiting.delete(seq);
    emitExceptionLog(pending.fault, { type, message, stacktrace }, pending.ctx?.otelContext);
  }

  #write(items: Item[], faults: number): void {
    if (this.#link?.ready) this.#link.send(items, faults);
    else for (const item of items) this.#writer.write(item);
  }

  /** Counts full records per second; above the threshold (or with the queue half full) the worker starts. */
  #rate(fulls: number): void {
    if (this.#spec === undefined || this.#link !== undefined || this.#closed) return;
    const now = Date.now();
    if (now - this.#rateSince >= 1000) {
      this.#rateSince = now;
      this.#rateCount = 0;
    }
    this.#rateCount += fulls;
    if (this.#rateCount > this.#threshold || this.#queue.size > this.#queue.capacity / 2) this.#offload(this.#spec);
  }

  /** Starts the worker; this thread's sink finishes what it holds (bounded), lets go, then the worker writes. */
  #offload(spec: SinkSpec): void {
    const sink = this.#output.sink;
    if (sink === undefined) return;
    try {
      this.#link = new WorkerLink(
        spec,
        { redaction: this.#options.redaction, maxBacklog: this.#maxBacklog, maxFingerprints: this.#maxFingerprints },
        (seq, type, message, stack) => this.#emitException(seq, type, message, stack),
        () => {
          if (this.#closed) return;
          // Booting a thread takes 50-500 ms; records were written here meanwhile. Now hand over.
          this.#writer.flushRepeats();
          this.#handover = sink.drained(this.#shutdownMs).then(() => this.#release());
        },
      );
    } catch {
      return; // no worker (a bundle without the worker file): stay on this thread
    }
  }

  #release(): void {
    if (this.#released || this.#link === undefined) return;
    this.#released = true;
    this.#output.sink?.close(0);
    this.#link.go([...this.#writer.fingerprints]);
  }

  /** Everything queued into the sink (or the worker) now: records, pending repeat lines, the drop notice. */
  #drainAll(bounded: boolean): void {
    this.drain(Number.POSITIVE_INFINITY, undefined, bounded);
    this.#writer.flushRepeats();
    this.#drops.write(true);
  }

  /** Writes everything queued, synchronously; a dead or slow sink loses what it cannot take within the bound. */
  flushSync(): void {
    this.#flushSyncWithin(this.#shutdownMs);
  }

  #flushSyncWithin(budgetMs: number): void {
    const started = Date.now();
    try {
      this.#drainAll(false);
    } catch {
      this.#counters.sinkErrors += 1;
    }
    const link = this.#link;
    if (link === undefined || !this.#sentAny()) {
      // A foreign stream that failed is never flushed synchronously; on signals `shutdown` flushes it asynchronously.
      this.#output.flushSync(budgetMs, this.#counters.sinkErrors === 0);
      return;
    }
    if (!this.#released) {
      this.#output.flushSync(budgetMs / 2, true);
      this.#release();
    }
    link.flushSync(Math.max(0, budgetMs - (Date.now() - started)));
  }

  /** Writes everything queued and waits (bounded) until the sink has written it. */
  async flush(): Promise<void> {
    this.#drainAll(true);
    while (this.#sentAny() && this.#queue.size > 0) {
      await this.#link?.flush(this.#shutdownMs, false, false);
      this.#drainAll(true);
    }
    if (this.#link === undefined || !this.#sentAny()) {
      await this.#output.flush(this.#shutdownMs);
      return;
    }
    await this.#handover;
    await this.#link.flush(this.#shutdownMs, false, false);
  }

  /**
   * On a signal, within the bound: Faultline's sinks get to send asynchronously, then what is
   * left is written synchronously or counted lost; a foreign logger is flushed asynchronously only.
   */
  async shutdown(): Promise<void> {
    const started = Date.now();
    this.#drainAll(false);
    if (this.#link !== undefined && this.#sentAny()) {
      if (!this.#released) {
        await this.#output.sink?.drained(this.#shutdownMs * 0.3);
        this.#release();
      }
      await this.#link.flush(Math.max(0, this.#shutdownMs - (Date.now() - started)), true, false);
      return;
    }
    if (this.#output.sink === undefined) {
      await this.#output.flush(this.#shutdownMs);
      return;
    }
    await this.#output.sink.drained(this.#shutdownMs * 0.8);
    this.#flushSyncWithin(this.#shutdownMs - (Date.now() - started));
  }

  /** Flushes, then stops accepting records, closes Faultline's own sink (and the worker) and leaves the exit hooks. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    this.#drops.stop();
    if (this.#link !== undefined && this.#sentAny()) await this.#link.flush(this.#shutdownMs, true, true);
    else {
      this.#output.sink?.close(this.#shutdownMs);
      await this.#link?.flush(0, false, true);
    }
    forgetAtExit(this);
  }
}

/**
 * Creates a reporter. See {@link ReporterOptions} for the defaults. Throws an `OptionsError`
 * naming the option and the value when an option is wrong.
 */
export function createReporter(options?: ReporterOptions): Reporter {
  checkOptions('createReporter', options, REPORTER_RULES);
  return new Reporter(options);
}
