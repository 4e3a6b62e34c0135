/**
 * The reporter's turns on the response thread: each takes queued faults, turns them into items
 * (intake.ts) and either writes them here or hands them to the worker in batches, within a time
 * budget that grows with the queue's fill ({@link Turns.budget}; `sliceMs`, 4 ms by default).
 * Hand-over turns start at a quarter of the slice: a turn runs right after the code that reported,
 * so its length adds to the loop's delay. At 50,000 distinct faults per second (bench:reporter,
 * two cores), a fixed 4 ms turn put the loop delay's p99 at 13-15 ms and a fixed 1 ms turn at
 * 8 ms, but the fixed 1 ms turn could not keep up while the code was cold and dropped 7,000 in
 * the first half second; growing with the fill it kept up (0 dropped) at a p99 of 10-11 ms.
 * While writing here, the rate is watched every 16 records: once the worker is due it starts and
 * takes the rest of the turn. The worker holds at most a queue's worth of items (more while it
 * boots, worker-limits.ts); beyond that records wait in the queue (and are dropped, counted, when
 * it is full).
 */
import type { Fault } from '../fault.js';
import type { SnapNode } from '../redact/snapshot.js';
import type { Intake, Pending } from './intake.js';
import type { Item, NoticeItem } from './items.js';
import type { Offload } from './offload.js';
import { otelLogsActive } from './otel-active.js';
import { logsLoading } from './otel-api.js';
import type { ReporterOutput } from './output.js';
import type { RingQueue } from './ring-queue.js';
import type { MainCounters } from './stats.js';
import type { ReportContext } from './types.js';
import type { WorkerLink } from './worker-link.js';
import type { RecordWriter } from './writer.js';

/** Items per message to the worker. */
const BATCH = 512;

/** What the turns work with (owned by the reporter). */
export interface TurnParts {
  readonly queue: RingQueue<Pending>;
  readonly intake: Intake;
  readonly writer: RecordWriter;
  readonly output: ReporterOutput;
  readonly offload: Offload;
  readonly counters: MainCounters;
  /** The slice, in nanoseconds. */
  readonly sliceNs: number;
  /** Bytes a sink may hold (`maxSinkBacklogBytes`). */
  readonly maxBacklog: number;
  readonly otelLogs: boolean;
  /** True once the reporter closes or shuts down (no worker starts then). */
  readonly closed: () => boolean;
}

/** Drains the queue in bounded turns. */
export class Turns {
  readonly #p: TurnParts;
  /** Whether the logger writes a level (made once: a turn may take a single fault). */
  readonly #level = (level: 'error' | 'warn'): boolean => this.#p.output.levelEnabled(level);
  /** True while a turn takes faults off the queue. */
  #draining = false;

  constructor(parts: TurnParts) {
    this.#p = parts;
  }

  /**
   * A turn's time, longer the fuller the queue. Where records may go to the worker, a quarter of
   * the slice (the response thread only hands over), up to twice the slice when the queue is
   * full; where they are always written here, the slice, up to 4x.
   */
  budget(): number {
    const { offload, sliceNs, queue } = this.#p;
    // Numbers, not BigInts: a turn per loop iteration made five BigInts here, and one more for its deadline.
    const percent = Math.round((queue.size / queue.capacity) * 100);
    if (offload.started !== undefined || offload.possible) return Math.round((sliceNs * (100 + 7 * percent)) / 400);
    return Math.round((sliceNs * (100 + 3 * percent)) / 100);
  }

  /**
   * Writes a repeat now instead of queueing it ({@link Intake.repeatNow}), when that keeps every
   * record as a turn would write it: nothing waits in the queue, records are written on this
   * thread, no turn is running (a getter of a thrown value may report again), no OTel log
   * record is due and the logger takes the level. In a storm of one failure, most faults are
   * such repeats, and each loop iteration with one paid a turn of its own (a `setImmediate`,
   * the clock, the budget) and an item: about 1.4k instructions a fault with one fault an
   * iteration, callgrind. True when written.
   */
  repeatNow(fault: Fault, ctx: ReportContext | undefined, attributes: SnapNode | undefined, time: number): boolean {
    const { queue, offload, intake, writer } = this.#p;
    if (this.#draining || queue.size > 0 || offload.link !== undefined) return false;
    // While the OpenTelemetry API loads (an SDK just registered), the record waits for it in the queue.
    if (this.#p.otelLogs && (logsLoading() !== undefined || otelLogsActive())) return false;
    if (!this.#level(fault.serverFault ? 'error' : 'warn')) return false;
    return intake.repeatNow(fault, ctx, attributes, time, writer);
  }

  /** True when the worker holds all it may (the next turn should wait for it). */
  get saturated(): boolean {
    const link = this.#p.offload.link;
    return link !== undefined && link.inFlight >= link.holdLimit(this.#p.queue.capacity);
  }

  /**
   * Takes up to `max` queued faults, stopping once `budgetNs` (nanoseconds) has passed; `bounded`
   * stops when the worker holds all it may. Only a timed turn with `start` starts the worker: at
   * exit there is no time to boot one. Returns how many were taken off the queue.
   */
  drain(max: number, budgetNs: number | undefined, bounded: boolean, start = true): number {
    this.#draining = true;
    try {
      return this.#drainQueue(max, budgetNs, bounded, start);
    } finally {
      this.#draining = false;
    }
  }

  /**
   * At the end on this thread (close, a signal's shutdown, the exit flush): takes queued faults
   * until `until` (a `Date.now()` time), never starting the worker, then gives up the rest
   * ({@link abandon}).
   */
  drainBy(until: number): void {
    this.drain(Number.POSITIVE_INFINITY, Math.max(0, until - Date.now()) * 1e6, false, false);
    this.abandon();
  }

  /**
   * Gives up every queued fault unformatted, each counted lost as `shutdown`: formatting what a
   * bound has no time left for made the end as long as the queue (20,000 large records: 9 s).
   */
  abandon(): void {
    const { queue, counters } = this.#p;
    while (queue.shift() !== undefined) counters.lostShutdown += 1;
  }

  /**
   * Takes queued faults on this thread in slices until the queue is empty, the worker took over
   * or `until` (a `Date.now()` time) passed, yielding between slices so the sink writes what they
   * made (no slice while it holds over a quarter of its bound). `start`: a slice may start the
   * worker (never on a signal or at exit).
   */
  async sliceUntil(until: number, start: boolean): Promise<void> {
    const { queue, offload, output, sliceNs, maxBacklog } = this.#p;
    while (queue.size > 0 && offload.link === undefined) {
      const left = until - Date.now();
      if (left <= 0) return;
      const backlog = output.sink?.backlogBytes ?? 0;
      if (backlog <= maxBacklog / 4)
        this.drain(Number.POSITIVE_INFINITY, Math.min(sliceNs * 4, left * 1e6), true, start);
      if (queue.size > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  #drainQueue(max: number, budgetNs: number | undefined, bounded: boolean, start: boolean): number {
    const { queue, intake, writer, offload, counters } = this.#p;
    let taken = 0;
    let fulls = 0;
    // In milliseconds, on the clock of `performance.now()` (no BigInt per turn).
    const deadline = budgetNs === undefined ? undefined : performance.now() + budgetNs / 1e6;
    const starts = start && deadline !== undefined;
    const otel = this.#p.otelLogs && otelLogsActive();
    const level = this.#level;
    let link = offload.link;
    let items: Item[] | undefined;
    while (taken < max) {
      if ((taken & 15) === 15) {
        if (deadline !== undefined && performance.now() > deadline) break;
        // Writing here at a rate the worker should take: start it now and hand it the rest.
        if (starts && link === undefined && offload.due(fulls, queue.size / queue.capacity)) link = this.#startWorker();
        fulls = 0;
      }
      if (bounded && link !== undefined && link.inFlight + (items?.length ?? 0) >= link.holdLimit(queue.capacity))
        break;
      const pending = queue.shift();
      if (pending === undefined) break;
      taken += 1;
      try {
        const item = intake.item(pending, otel, link === undefined ? level : undefined);
        if (item === undefined) counters.suppressed += 1;
        else if (link === undefined) writer.write(item);
        else if (items === undefined) items = [item];
        else items.push(item);
        if (item?.k === 'f') fulls += 1;
      } catch {
        counters.sinkErrors += 1;
      }
      if (items !== undefined && items.length >= BATCH) {
        link?.send(items, items.length);
        items = undefined;
      }
    }
    if (items !== undefined) link?.send(items, items.length);
    // Only a turn that wrote full records or left the queue half full can make the worker due.
    const fill = queue.size / queue.capacity;
    if (starts && link === undefined && (fulls > 0 || fill >= 0.5) && offload.due(fulls, fill)) this.#startWorker();
    return taken;
  }

  /** Starts the worker (this thread's pending compact lines are written first); its link, if it started. */
  #startWorker(): WorkerLink | undefined {
    const { output, writer, offload, intake } = this.#p;
    const sink = output.sink;
    if (sink === undefined || this.#p.closed()) return undefined;
    writer.flushRepeats();
    const started = offload.start(
      sink,
      () => [...writer.fingerprints],
      (seq, type, message, stack) => intake.exception(seq, type, message, stack),
    );
    return started ? offload.link : undefined;
  }

  /**
   * Writes a notice where records go now. False when this thread's destination did not take it;
   * the worker writes what it is handed once its destination has room.
   */
  notice(item: NoticeItem): boolean {
    const link = this.#p.offload.link;
    if (link === undefined) return this.#p.writer.notice(item);
    link.send([item], 0);
    return true;
  }
}
