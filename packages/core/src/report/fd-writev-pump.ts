/**
 * The asynchronous writes of a file-descriptor sink (fd-sink.ts): the oldest queued lines go in
 * one `writev` of their own buffers, one write in flight, started on the next turn. A line counts
 * as written only once the kernel accepted its bytes; a short write resumes from the byte it
 * stopped at, a full pipe (EAGAIN) is retried shortly, any other error loses the batch with its code.
 */
import { writev } from 'node:fs';
import type { FdLines } from './fd-lines.js';
import { splitAtWritten } from './short-write.js';
import { errorCode, type Line } from './sink.js';
import { NEWLINE } from './torn-line.js';

/**
 * Most lines written in one asynchronous write: one `writev` takes each line's own buffer, and
 * the kernel takes at most IOV_MAX (1024 on Linux) buffers a call.
 */
export const BATCH_LINES = 1024;

/** Writes the queued lines of one fd sink asynchronously, one `writev` in flight. */
export class WritevPump {
  readonly #lines: FdLines;
  #retrying = false;
  #pumpScheduled = false;

  constructor(lines: FdLines) {
    this.#lines = lines;
  }

  /** Starts the asynchronous write on the next turn (once, however many lines arrive meanwhile). */
  schedule(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /**
   * Writes the oldest queued lines (at most {@link BATCH_LINES}) in one `writev` of their own
   * buffers (no copy into one buffer), with one asynchronous write in flight.
   */
  #pump(): void {
    const lines = this.#lines;
    const target = lines.target;
    if (lines.inFlight !== undefined || this.#retrying || lines.queue.length === 0 || target.fd < 0) return;
    if (target.follow()) {
      lines.torn.reset();
      if (target.fd < 0) {
        // The path cannot be opened again now: what waits is lost with the reason.
        lines.loseHeld(lines.queue.splice(0), target.openError ?? 'EBADF');
        return;
      }
    }
    const fd = target.fd;
    lines.torn.opened(fd, target.path);
    const batch = lines.queue.splice(0, BATCH_LINES);
    lines.inFlight = batch;
    const buffers = batch.map((line) => line.bytes);
    const mend = lines.torn.pending(fd);
    if (mend) buffers.unshift(NEWLINE);
    const done = (error: NodeJS.ErrnoException | null, wrote: number) => {
      lines.inFlight = undefined;
      target.settled();
      let written = wrote;
      if (mend && error === null && written > 0) {
        lines.torn.mended();
        written -= 1;
      }
      if (lines.unconfirmed === batch) {
        // The exit flush counted these as unconfirmed; now their fate is known.
        lines.unconfirmed = undefined;
        for (const line of batch) lines.counter.lose(line, 'unconfirmed', -1);
      }
      this.#settle(batch, error, written);
      this.#pump();
    };
    try {
      writev(fd, buffers, null, done);
    } catch (error) {
      done(error as NodeJS.ErrnoException, 0);
    }
  }

  /**
   * Counts a batch after its write: whole lines inside the written bytes are accepted; the rest of
   * a short write (a `writev` may stop inside any buffer) goes back to the front of the queue, the
   * line it stopped in from the first byte not written; EAGAIN (a full pipe) retries shortly; any
   * other error loses the batch with the error's code, never retried.
   */
  #settle(batch: Line[], error: NodeJS.ErrnoException | null, written: number): void {
    const lines = this.#lines;
    if (error !== null) {
      if (errorCode(error) === 'EAGAIN' && !lines.closed) {
        lines.queue.unshift(...batch);
        this.#retrying = true;
        setTimeout(() => {
          this.#retrying = false;
          this.#pump();
        }, 10).unref();
        return;
      }
      // Closed meanwhile, a full pipe's lines are never retried: still queued at the close.
      lines.loseHeld(batch, errorCode(error) === 'EAGAIN' ? 'shutdown' : errorCode(error));
      return;
    }
    lines.held.bytes -= written;
    const { done, rest, cutAt } = splitAtWritten(batch, written);
    for (const line of done) lines.counter.accept(line);
    if (rest.length === 0) return;
    lines.torn.cut(batch[done.length] as Line, rest[0] as Line, cutAt);
    if (lines.closed) lines.loseHeld(rest, 'shutdown');
    else lines.queue.unshift(...rest);
  }
}
