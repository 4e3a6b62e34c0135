/**
 * The sink for a file descriptor (stdout, a file): a line counts as written only after the
 * kernel accepted its bytes; a line that will never arrive (disk full, closed pipe, unwritable
 * file, backlog over its bound, still queued at the exit deadline) counts as lost, with the
 * reason. Writes are asynchronous (one in flight); the synchronous flush used at exit never
 * retries a failed write and never runs past its deadline. Hand-written instead of pino's
 * sonic-boom because sonic-boom retries a failed write forever in `flushSync` (a full disk made
 * the process unkillable; RESEARCH.md) and cannot say which lines were accepted. At the
 * hand-over to the reporter's worker, the lines not yet written go to its copy (line-handover.ts).
 */
import { writeSync, writev } from 'node:fs';
import { FdTarget, openAppend, REOPEN_INTERVAL_MS } from './fd-target.js';
import { splitAtWritten } from './short-write.js';
import { CountingSink, errorCode, type Line } from './sink.js';
import { NEWLINE, TornLine } from './torn-line.js';

/**
 * Most lines written in one asynchronous write: one `writev` takes each line's own buffer, and
 * the kernel takes at most IOV_MAX (1024 on Linux) buffers a call.
 */
export const BATCH_LINES = 1024;

/** Sleeps the thread for `ms` (EAGAIN backoff inside the bounded synchronous flush only). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Options of {@link FdSink}. */
export interface FdSinkOptions {
  readonly maxBacklogBytes: number;
  /** Close the descriptor on `close` (true for descriptors the sink opened). */
  readonly ownsFd: boolean;
  /** The path to reopen when the first open failed. */
  readonly path?: string;
  readonly openError?: string;
}

/** A pino destination writing to a file descriptor, with truthful counts. */
export class FdSink extends CountingSink {
  readonly #target: FdTarget;
  #queue: Line[] = [];
  #inFlight: readonly Line[] | undefined;
  /** The write in flight when a synchronous flush ran: provisionally counted as `unconfirmed`. */
  #unconfirmed: readonly Line[] | undefined;
  #retrying = false;
  #pumpScheduled = false;
  /**
   * Closed by {@link close}: a write still in flight then settles what it wrote, and the rest is
   * lost. Put back in the queue (a full pipe, a short write), it stayed pending for ever, and the
   * hand-over to the worker, which waits for nothing to be pending, spun the event loop.
   */
  #closed = false;
  /** A line a failed write cut in the file: ended by a newline before the next line (torn-line.ts). */
  readonly #torn = new TornLine();

  constructor(fd: number, options: FdSinkOptions) {
    super(options.maxBacklogBytes);
    this.#target = new FdTarget(fd, options.ownsFd, options.path, options.openError);
  }

  /**
   * Opens `path` for appending, synchronously (a signal right after start finds it open). When it
   * cannot be opened (EACCES, ENOTDIR, EROFS…) the sink still exists: lines are lost with that
   * code, and opening is retried at most every {@link REOPEN_INTERVAL_MS}.
   */
  static open(path: string, maxBacklogBytes: number): FdSink {
    try {
      return new FdSink(openAppend(path), { maxBacklogBytes, ownsFd: true, path });
    } catch (error) {
      return new FdSink(-1, { maxBacklogBytes, ownsFd: true, path, openError: errorCode(error) });
    }
  }

  get openError(): string | undefined {
    return this.#target.openError;
  }

  /** No descriptor (it could not be opened, or was closed): opened again, at most every {@link REOPEN_INTERVAL_MS}. */
  protected refusal(): string | undefined {
    if (this.#target.fd >= 0) return undefined;
    if (!this.#target.reopen()) return this.#target.openError ?? 'EBADF';
    this.#torn.reset();
    this.#closed = false;
    return undefined;
  }

  /**
   * Queues the line; the asynchronous write starts on the next turn, never inside `write`: lines
   * written during an exit flush (compacted repeats) are then written synchronously and counted,
   * instead of riding an asynchronous write whose completion the exiting process never sees.
   */
  protected enqueue(line: Line): void {
    this.#queue.push(line);
    this.#schedule();
  }

  /** Starts the asynchronous write on the next turn (once, however many lines arrive meanwhile). */
  #schedule(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /**
   * True while a write is under way (it may stop inside a line): the hand-over waits for it to
   * settle, then gives the worker's copy every line not written, the rest of a cut one first.
   */
  get writing(): boolean {
    return this.#inFlight !== undefined;
  }

  /**
   * At the hand-over: the lines not being written (a FIFO whose reader stalls holds them), for the
   * worker's copy, which writes them first. Closed with them, this sink lost them as `shutdown`
   * while the process was not shutting down.
   */
  protected override unsent(): Line[] {
    return this.#queue.splice(0);
  }

  /** Lines this thread's copy handed over go out first, in order. */
  protected override putFirst(lines: Line[]): void {
    this.#queue = lines.concat(this.#queue);
    this.#schedule();
  }

  /**
   * Writes the oldest queued lines (at most {@link BATCH_LINES}) in one `writev` of their own
   * buffers (no copy into one buffer), with one asynchronous write in flight.
   */
  #pump(): void {
    if (this.#inFlight !== undefined || this.#retrying || this.#queue.length === 0 || this.#target.fd < 0) return;
    if (this.#target.follow()) {
      this.#torn.reset();
      if (this.#target.fd < 0) {
        // The path cannot be opened again now: what waits is lost with the reason.
        this.#loseHeld(this.#queue.splice(0), this.#target.openError ?? 'EBADF');
        return;
      }
    }
    const fd = this.#target.fd;
    this.#torn.opened(fd, this.#target.path);
    const batch = this.#queue.splice(0, BATCH_LINES);
    this.#inFlight = batch;
    const buffers = batch.map((line) => line.bytes);
    const mend = this.#torn.pending(fd);
    if (mend) buffers.unshift(NEWLINE);
    const done = (error: NodeJS.ErrnoException | null, wrote: number) => {
      this.#inFlight = undefined;
      this.#target.settled();
      let written = wrote;
      if (mend && error === null && written > 0) {
        this.#torn.mended();
        written -= 1;
      }
      if (this.#unconfirmed === batch) {
        // The exit flush counted these as unconfirmed; now their fate is known.
        this.#unconfirmed = undefined;
        for (const line of batch) this.counter.lose(line, 'unconfirmed', -1);
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
    if (error !== null) {
      if (errorCode(error) === 'EAGAIN' && !this.#closed) {
        this.#queue.unshift(...batch);
        this.#retrying = true;
        setTimeout(() => {
          this.#retrying = false;
          this.#pump();
        }, 10).unref();
        return;
      }
      // Closed meanwhile, a full pipe's lines are never retried: still queued at the close.
      this.#loseHeld(batch, errorCode(error) === 'EAGAIN' ? 'shutdown' : errorCode(error));
      return;
    }
    this.held -= written;
    const { done, rest, cutAt } = splitAtWritten(batch, written);
    for (const line of done) this.counter.accept(line);
    if (rest.length === 0) return;
    this.#torn.cut(batch[done.length] as Line, rest[0] as Line, cutAt);
    if (this.#closed) this.#loseHeld(rest, 'shutdown');
    else this.#queue.unshift(...rest);
  }

  /** Counts `lines` (held in memory until now) lost with `reason`. */
  #loseHeld(lines: readonly Line[], reason: string): void {
    this.#torn.lost(lines, this.#target.fd);
    for (const line of lines) {
      this.held -= line.bytes.length;
      this.counter.lose(line, reason);
    }
  }

  /**
   * Writes the queue synchronously until `deadlineMs`; the rest is lost as `shutdown`, all of it
   * behind a write still under way to a pipe, which may stop inside a line: a line written then
   * followed half a record (`process.exit()` while the pump wrote to a full stdout pipe).
   */
  flushSync(deadlineMs: number): void {
    const deadline = Date.now() + deadlineMs;
    this.#torn.opened(this.#target.fd, this.#target.path);
    const behindCut = this.#inFlight !== undefined && !this.#target.regularFile;
    while (!behindCut && this.#queue.length > 0 && this.#target.fd >= 0 && Date.now() < deadline) {
      const line = this.#queue[0] as Line;
      try {
        if (this.#torn.pending(this.#target.fd)) {
          if (writeSync(this.#target.fd, NEWLINE) === 1) this.#torn.mended();
          continue;
        }
        const written = writeSync(this.#target.fd, line.bytes);
        this.held -= written;
        if (written < line.bytes.length) {
          this.#queue[0] = { ...line, bytes: line.bytes.subarray(written) };
          this.#torn.cut(line, this.#queue[0], written);
          continue;
        }
        this.#queue.shift();
        this.counter.accept(line);
      } catch (error) {
        if (errorCode(error) === 'EAGAIN') {
          pause(5);
          continue;
        }
        this.#queue.shift();
        this.#loseHeld([line], errorCode(error));
      }
    }
    this.#torn.lost(this.#queue, this.#target.fd);
    for (const line of this.#queue.splice(0)) this.counter.lose(line, 'shutdown');
    const inFlight = this.#inFlight;
    this.held = inFlight === undefined ? 0 : inFlight.reduce((n, line) => n + line.bytes.length, 0);
    if (inFlight !== undefined && this.#unconfirmed !== inFlight) {
      // The asynchronous write under way may or may not land before the process ends.
      this.#unconfirmed = inFlight;
      for (const line of inFlight) this.counter.lose(line, 'unconfirmed');
    }
  }

  drained(timeoutMs: number): Promise<void> {
    return this.idle(() => (this.#queue.length > 0 || this.#inFlight !== undefined) && this.#target.fd >= 0, timeoutMs);
  }

  close(deadlineMs: number): void {
    this.#closed = true;
    this.flushSync(deadlineMs);
    this.#target.close(this.#inFlight !== undefined);
  }
}
