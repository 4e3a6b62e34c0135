/**
 * How a reporter ends: the synchronous flush at exit, the flush on demand, the shutdown on a
 * signal and the close, each within the reporter's bound (`shutdownTimeoutMs`). The reporter
 * owns one and hands its public `flushSync`, `flush`, `shutdown` and `close` to it.
 */

import type { DropNotice } from './drop-notice.js';
import type { Pending } from './intake.js';
import type { Offload } from './offload.js';
import { loadTelemetry } from './otel-api.js';
import type { ReporterOutput } from './output.js';
import type { ReporterParts, ReporterShared } from './reporter-parts.js';
import type { RingQueue } from './ring-queue.js';
import type { MainCounters } from './stats.js';
import type { Turns } from './turns.js';
import type { RecordWriter } from './writer.js';

/**
 * The reporter's drain: takes up to `max` queued records now (budget in nanoseconds), then writes
 * the drop notice if due; returns how many were taken off the queue.
 */
export type ReporterDrain = (max: number, budgetNs: number | undefined, bounded: boolean) => number;

/** The ending of one reporter: its flushes, shutdown and close, and whether it closed or is ending. */
export class ReporterEnding {
  readonly #output: ReporterOutput;
  readonly #writer: RecordWriter;
  readonly #offload: Offload;
  readonly #turns: Turns;
  readonly #drops: DropNotice;
  readonly #queue: RingQueue<Pending>;
  readonly #counters: MainCounters;
  readonly #sliceNs: number;
  readonly #shutdownMs: number;
  readonly #drain: ReporterDrain;
  #closed = false;
  /** Set by `shutdown()` (a signal): no worker starts from then on (no time to boot one). */
  #ending = false;

  /** `drain`: the reporter's own (the turns' drain, then the drop notice). */
  constructor(parts: ReporterParts, shared: ReporterShared, drain: ReporterDrain) {
    this.#output = parts.output;
    this.#writer = parts.writer;
    this.#offload = parts.offload;
    this.#turns = parts.turns;
    this.#drops = parts.drops;
    this.#queue = shared.queue;
    this.#counters = shared.counters;
    this.#sliceNs = shared.sliceNs;
    this.#shutdownMs = shared.shutdownMs;
    this.#drain = drain;
  }

  /** True once {@link close} flushed: no record is accepted from then on. */
  get closed(): boolean {
    return this.#closed;
  }

  /** True once {@link shutdown} began (a signal): no worker starts from then on. */
  get ending(): boolean {
    return this.#ending;
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

  /** `Reporter.flushSync`: everything queued, written synchronously within the bound. */
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
   * The end on this thread: records are formatted in slices (the sink writes meanwhile) until 90%
   * of the bound, the rest is given up (`shutdown`), and the sink gets until `share` of it to write.
   * `start`: a worker that is due may still start (`close()`; never on a signal).
   */
  async #endHere(started: number, share: number, start: boolean): Promise<void> {
    await this.#turns.sliceUntil(started + this.#shutdownMs * 0.9, start);
    if (this.#offload.link !== undefined) return this.flush();
    this.#drainAll(false, Date.now());
    await this.#output.flush(this.#left(started, share));
  }

  /**
   * `Reporter.flush`: everything queued, written; it gives up when the slices (or the worker) make
   * no progress for the bound.
   */
  async flush(): Promise<void> {
    await telemetryLoaded();
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

  /** `Reporter.shutdown`: on a signal, within the bound. */
  async shutdown(): Promise<void> {
    await telemetryLoaded();
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
   * `Reporter.close`, but for leaving the exit hooks (the reporter does that): flushes, stops
   * accepting records, closes Faultline's own sink (and the worker).
   */
  async close(): Promise<void> {
    await telemetryLoaded();
    const started = Date.now();
    if (this.#offload.link === undefined) await this.#endHere(started, 0.95, true);
    else await this.flush();
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
  }
}

/**
 * Resolves once the OpenTelemetry API is loaded, if an SDK registered since it was last looked
 * for (otel-api.ts): the records an ending writes get their OpenTelemetry log records too.
 */
async function telemetryLoaded(): Promise<void> {
  const telemetry = loadTelemetry();
  if (telemetry !== undefined) await telemetry;
}
