/**
 * The "dropped records" notice: a line with the drop counters, written when records were dropped
 * since the last one, at most once a second from a drain, and by a one-second timer while drops
 * are pending (so a notice does not wait for the queue to drain again). A notice the destination
 * did not take (its backlog full, the very reason records were lost) is tried again by the timer.
 */

/** The drop counters the notice reports. */
export interface DropCounts {
  readonly queueFull: number;
  readonly backlog: number;
  /** Records Faultline's own destination refused because its backlog was at its bound (`lost.backlog`). */
  readonly lostBacklog: number;
}

/** Writes one notice line; false when the destination did not take it. */
export type NoticeWriter = (record: Record<string, unknown>, message: string) => boolean;

/** Decides when to write the notice, and writes it. */
export class DropNotice {
  readonly #counts: () => DropCounts;
  readonly #write: NoticeWriter;
  #reported = 0;
  #lastAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(counts: () => DropCounts, write: NoticeWriter) {
    this.#counts = counts;
    this.#write = write;
  }

  #dropped(): number {
    const counts = this.#counts();
    return counts.queueFull + counts.backlog + counts.lostBacklog;
  }

  /** A drop just happened: make sure the timer will report it. */
  arm(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#timer = setInterval(() => {
      // The interval is the rate limit here: a notice written by a drain just under a second ago must not skip this one.
      this.write(true);
      if (this.#dropped() === this.#reported) this.#clear();
    }, 1000);
    this.#timer.unref();
  }

  /**
   * Writes the notice if records were dropped since the last one (rate-limited unless `force`:
   * a notice held back by the limit is written by the timer).
   */
  write(force = false): void {
    const dropped = this.#dropped();
    if (dropped === this.#reported) return;
    const now = Date.now();
    if (!force && now - this.#lastAt < 1000) {
      this.arm(); // the timer writes it within a second
      return;
    }
    this.#lastAt = now;
    const since = dropped - this.#reported;
    const counts = this.#counts();
    const taken = this.#write(
      {
        faultline_dropped: since,
        dropped_queue_full_total: counts.queueFull,
        dropped_backlog_total: counts.backlog,
        lost_backlog_total: counts.lostBacklog,
      },
      `faultline dropped ${since} fault records`,
    );
    if (taken) this.#reported = dropped;
    else this.arm(); // the timer tries again
  }

  #clear(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** No more notices (the reporter closed). */
  stop(): void {
    this.#stopped = true;
    this.#clear();
  }
}
