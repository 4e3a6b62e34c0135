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
import type { Offload } from './offload.js';
import { REPORTER_RULES } from './option-rules.js';
import type { ReporterOutput } from './output.js';
import { assembleReporter, type ReporterParts, type ReporterShared, statsOf } from './reporter-parts.js';
import { RingQueue } from './ring-queue.js';
import { type MainCounters, mainCounters } from './stats.js';
import type { Turns } from './turns.js';
import type { OverflowPolicy, ReportContext, ReporterOptions, ReporterStats } from './types.js';
import type { RecordWriter } from './writer.js';

/** The bounded asynchronous log pipeline. Create with {@link createReporter}. */
export class Reporter {
  readonly #parts: ReporterParts;
  readonly #shared: ReporterShared;
  readonly #output: ReporterOutput;
  readonly #writer: RecordWriter;
  readonly #offload: Offload;
  readonly #turns: Turns;
  readonly #shutdownMs: number;
  readonly #queue: RingQueue<Pending>;
  readonly #overflow: OverflowPolicy;
  readonly #batchSize: number;
  readonly #sliceNs: number;
  readonly #counters: MainCounters = mainCounters();
  readonly #drops: DropNotice;
  readonly #redactor: Redactor;
  #scheduled = false;
  #closed = false;
  /** Set by `shutdown()` (a signal): no worker starts from then on (no time to boot one). */
  #ending = false;

  constructor(options: ReporterOptions = {}) {
    this.#queue = new RingQueue(options.queueSize ?? 4096);
    this.#overflow = options.overflow ?? 'drop-newest';
    this.#batchSize = Math.max(1, options.batchSize ?? 512);
    this.#sliceNs = Math.round(Math.max(0.1, options.sliceMs ?? 4) * 1e6);
    this.#shutdownMs = Math.max(0, options.shutdownTimeoutMs ?? 1000);
    this.#shared = {
      queue: this.#queue,
      counters: this.#counters,
      sliceNs: this.#sliceNs,
      shutdownMs: this.#shutdownMs,
      closed: () => this.#closed || this.#ending,
    };
    const parts = assembleReporter(options, this.#shared);
    this.#parts = parts;
    this.#redactor = parts.redactor;
    this.#output = parts.output;
    this.#writer = parts.writer;
    this.#offload = parts.offload;
    this.#turns = parts.turns;
    this.#drops = parts.drops;
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
    if (this.#closed) {
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

  readonly #turn = (): void => this.#turnOf(this.#batchSize * 4);

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
   * Everything queued into the sink (or the worker) now: records, pending repeat lines, the drop
   * notice. With `until`, this thread takes records until then and gives up the rest (`Turns.drainBy`).
   */
  #drainAll(bounded: boolean, until?: number): void {
    if (until !== undefined && this.#offload.link === undefined) this.#turns.drainBy(until);
    else this.#drain(Number.POSITIVE_INFINITY, undefined, bounded);
    this.#writer.flushRepeats();
    this.#drops.write(true);
  }

  /** This thread's sink lets go to the worker (see `Offload.letGo`). */
  #letGo(waitMs: number): Promise<void> {
    return this.#offload.letGo(this.#output.sink, () => [...this.#writer.fingerprints], waitMs);
  }

  /** Milliseconds left of the bound of a call that started at `started`. */
  #left(started: number, share = 1): number {
    return Math.max(0, started + this.#shutdownMs * share - Date.now());
  }

  /**
   * Writes everything queued, synchronously, within the bound (on this thread, records are formatted
   * for half of it, the rest is lost as `shutdown`); a dead or slow sink loses what it cannot take.
   */
  flushSync(): void {
    this.#flushSyncWithin(this.#shutdownMs);
  }

  #flushSyncWithin(budgetMs: number): void {
    const started = Date.now();
    try {
      this.#drainAll(false, started + budgetMs / 2);
    } catch {
      this.#counters.sinkErrors += 1;
    }
    const link = this.#offload.link;
    if (link === undefined) {
      // A foreign stream that failed is never flushed synchronously; on signals `shutdown` flushes it asynchronously.
      this.#output.flushSync(budgetMs - (Date.now() - started), this.#counters.sinkErrors === 0);
      return;
    }
    if (!this.#offload.released) this.#output.flushSync(budgetMs / 2, true);
    void this.#letGo(0);
    link.flushSync(Math.max(0, budgetMs - (Date.now() - started)));
  }

  /**
   * Writes everything queued and waits (bounded) until the sink has written it. The queue is
   * drained in slices, yielding between them; it gives up when they make no progress for
   * `shutdownTimeoutMs` (a flush is not the end: it writes a long queue whole, and gives nothing up).
   */
  flush(): Promise<void> {
    return this.#flushAll();
  }

  /**
   * The end on this thread: records are formatted in slices (the sink writes meanwhile) until 90%
   * of the bound, the rest is given up (`shutdown`), and the sink gets until `share` of it to write.
   * `start`: a worker that is due may still start (`close()`; never on a signal).
   */
  async #endHere(started: number, share: number, start: boolean): Promise<void> {
    await this.#turns.sliceUntil(started + this.#shutdownMs * 0.9, start);
    if (this.#offload.link !== undefined) return this.#flushAll();
    this.#drainAll(false, Date.now());
    await this.#output.flush(this.#left(started, share));
  }

  /** {@link flush}: it gives up when the slices (or the worker) make no progress for the bound. */
  async #flushAll(): Promise<void> {
    let stalledSince = Date.now();
    while (this.#queue.size > 0 && Date.now() - stalledSince < this.#shutdownMs) {
      if (this.#drain(Number.POSITIVE_INFINITY, this.#sliceNs, true) > 0) stalledSince = Date.now();
      if (this.#queue.size > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    this.#drainAll(true);
    const link = this.#offload.link;
    if (link === undefined) {
      await this.#output.flush(this.#shutdownMs);
      return;
    }
    await this.#letGo(this.#shutdownMs);
    await link.flush(this.#shutdownMs, false, false);
  }

  /**
   * On a signal, within the bound: Faultline's sinks get to send asynchronously, then what is
   * left is written synchronously or counted lost; a foreign logger is flushed asynchronously only.
   */
  async shutdown(): Promise<void> {
    const started = Date.now();
    this.#ending = true;
    const link = this.#offload.link;
    if (link !== undefined) {
      this.#drainAll(false);
      await this.#letGo(this.#shutdownMs * 0.3);
      await link.flush(this.#left(started), true, false);
      return;
    }
    // On this thread: a logger or stream passed in is flushed asynchronously only.
    const own = this.#output.sink !== undefined;
    await this.#endHere(started, own ? 0.95 : 1, false);
    if (own) this.#flushSyncWithin(this.#left(started));
  }

  /**
   * Flushes, then stops accepting records, closes Faultline's own sink (and the worker) and leaves
   * the exit hooks. On this thread, within `shutdownTimeoutMs` from the call: what it had no time
   * to format is counted lost (`shutdown`). A worker that is due may still start (and is then
   * flushed and closed as before).
   */
  async close(): Promise<void> {
    const started = Date.now();
    if (this.#offload.link === undefined) await this.#endHere(started, 0.95, true);
    else await this.#flushAll();
    this.#closed = true;
    this.#drops.stop();
    const link = this.#offload.link;
    if (link !== undefined) {
      void this.#letGo(0);
      await link.flush(this.#shutdownMs, true, true);
    } else {
      this.#output.sink?.close(this.#left(started));
      await this.#offload.started?.flush(0, false, true);
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
