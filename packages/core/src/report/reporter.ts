/**
 * The reporter: the bounded, asynchronous log pipeline. `report()` is O(1): it only enqueues.
 * Turns (one per loop iteration, in its check phase; turns.ts) read what they must off each
 * fault into plain items (intake.ts): at a low rate a {@link RecordWriter} writes them here; above `workerThreshold`
 * full records per second a worker thread redacts, formats and writes (offload.ts, worker.ts)
 * and this thread only hands items over, a slice at a time. Counts stay truthful across
 * threads (stats.ts); memory and shutdown stay bounded; OTel records are emitted on this thread.
 */
import type { Fault } from '../fault.js';
import { checkOptions } from '../options-check.js';
import type { Redactor } from '../redact/redactor.js';
import { attributesSnapshot } from './attribute-cache.js';
import type { DropNotice } from './drop-notice.js';
import { flushAtExit, forgetAtExit } from './exit-hooks.js';
import type { Pending } from './intake.js';
import { REPORTER_RULES } from './option-rules.js';
import { logsLoading } from './otel-api.js';
import { ReporterEnding } from './reporter-ending.js';
import { assembleReporter, type ReporterParts, type ReporterShared, statsOf } from './reporter-parts.js';
import { RingQueue } from './ring-queue.js';
import { type MainCounters, mainCounters } from './stats.js';
import type { Turns } from './turns.js';
import type { OverflowPolicy, ReportContext, ReporterOptions, ReporterStats } from './types.js';

/** The bounded asynchronous log pipeline. Create with {@link createReporter}. */
export class Reporter {
  readonly #parts: ReporterParts;
  readonly #shared: ReporterShared;
  readonly #turns: Turns;
  readonly #queue: RingQueue<Pending>;
  readonly #overflow: OverflowPolicy;
  readonly #batchSize: number;
  readonly #counters: MainCounters = mainCounters();
  readonly #drops: DropNotice;
  readonly #redactor: Redactor;
  /** The flushes, shutdown and close (reporter-ending.ts), and whether it closed or is ending. */
  readonly #end: ReporterEnding;
  #scheduled = false;

  constructor(options: ReporterOptions = {}) {
    this.#queue = new RingQueue(options.queueSize ?? 4096);
    this.#overflow = options.overflow ?? 'drop-newest';
    this.#batchSize = Math.max(1, options.batchSize ?? 512);
    this.#shared = {
      queue: this.#queue,
      counters: this.#counters,
      sliceNs: Math.round(Math.max(0.1, options.sliceMs ?? 4) * 1e6),
      shutdownMs: Math.max(0, options.shutdownTimeoutMs ?? 1000),
      closed: () => this.#end.closed || this.#end.ending,
    };
    const parts = assembleReporter(options, this.#shared);
    this.#parts = parts;
    this.#redactor = parts.redactor;
    this.#turns = parts.turns;
    this.#drops = parts.drops;
    this.#end = new ReporterEnding(parts, this.#shared, (max, budgetNs, bounded) =>
      this.#drain(max, budgetNs, bounded),
    );
    if (options.flushOnExit !== false) flushAtExit(this);
  }

  /** Current counters. */
  get stats(): ReporterStats {
    return statsOf(this.#parts, this.#shared);
  }

  /**
   * Queues a fault for logging (a repeat of a logged one while nothing waits is batched at once).
   * O(1), never throws, never blocks: when the queue is full the overflow policy drops a record
   * and counts it.
   */
  report(fault: Fault, ctx?: ReportContext): void {
    this.#counters.reported += 1;
    if (this.#end.closed) {
      this.#counters.droppedQueueFull += 1;
      return;
    }
    // The attributes as they are now (the turn that reads the fault runs later in this iteration);
    // a snapshot never throws.
    const attributes = ctx?.attributes === undefined ? undefined : attributesSnapshot(ctx.attributes, this.#redactor);
    const time = Date.now();
    try {
      // A repeat while nothing waits is batched now, with no item queued and no turn (turns.ts).
      if (this.#turns.repeatNow(fault, ctx, attributes, time)) return;
    } catch {
      this.#counters.sinkErrors += 1;
      return;
    }
    const pending: Pending = { fault, ctx, attributes, time };
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

  /**
   * Turns run with `setImmediate`: one turn per loop iteration takes every fault that iteration
   * reported. A turn per fault (a microtask once the reporting code returned, as before) ran the
   * reporter's code between every two requests: with a file reporter, 16.2-17.8k against 18.4-18.6k
   * answers a second batched (wrk, 8 connections, idle state, side by side). A fault now waits
   * for the check phase, so more survives scavenges and the young generation grows sooner; it
   * grows under a longer load either way (docs/performance.md, "Memory").
   */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#turn);
  }

  /**
   * A turn. An SDK registered since the API was last looked for: the turn waits for its import
   * (otel-api.ts), so that the faults it takes get their OpenTelemetry log records.
   */
  readonly #turn = (): void => {
    const telemetry = logsLoading();
    if (telemetry === undefined) this.#turnOf(this.#batchSize * 4);
    else void telemetry.then(() => setImmediate(this.#turn));
  };

  /** One turn of at most `max` faults; the next is scheduled while any wait. */
  #turnOf(max: number): void {
    this.#drain(max, this.#turns.budget(), true);
    if (this.#queue.size === 0) this.#scheduled = false;
    // The worker holds all it may: give it a millisecond instead of spinning the loop.
    else if (this.#turns.saturated) setTimeout(this.#turn, 1);
    else setImmediate(this.#turn);
  }

  /**
   * Takes up to `max` queued records now (written here, or handed to the worker), stopping early
   * once `budgetNs` has passed. `bounded`: stop when the worker holds all it may already.
   * Returns how many were taken off the queue.
   */
  drain(max = Number.POSITIVE_INFINITY, budgetNs?: bigint, bounded = true): number {
    return this.#drain(max, budgetNs === undefined ? undefined : Number(budgetNs), bounded);
  }

  /** {@link drain} with the budget in nanoseconds as a number (what turns pass). */
  #drain(max: number, budgetNs: number | undefined, bounded: boolean): number {
    const taken = this.#turns.drain(max, budgetNs, bounded);
    this.#drops.write();
    return taken;
  }

  /**
   * Writes everything queued, synchronously, within the bound (on this thread, records are formatted
   * for half of it, the rest is lost as `shutdown`); a dead or slow sink loses what it cannot take.
   */
  flushSync(): void {
    this.#end.flushSync();
  }

  /**
   * Writes everything queued and waits (bounded) until the sink has written it. The queue is
   * drained in slices, yielding between them; it gives up when they make no progress for
   * `shutdownTimeoutMs` (a flush is not the end: it writes a long queue whole, and gives nothing up).
   */
  flush(): Promise<void> {
    return this.#end.flush();
  }

  /**
   * On a signal, within the bound: Faultline's sinks get to send asynchronously, then what is
   * left is written synchronously or counted lost; a foreign logger is flushed asynchronously only.
   */
  shutdown(): Promise<void> {
    return this.#end.shutdown();
  }

  /**
   * Flushes, then stops accepting records, closes Faultline's own sink (and the worker) and leaves
   * the exit hooks. On this thread, within `shutdownTimeoutMs` from the call: what it had no time
   * to format is counted lost (`shutdown`). A worker that is due may still start (and is then
   * flushed and closed as before).
   */
  async close(): Promise<void> {
    await this.#end.close();
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
