/**
 * The sink for a file descriptor (stdout, a file): a line counts as written only after the
 * kernel accepted its bytes; a line that will never arrive (disk full, closed pipe, unwritable
 * file, backlog over its bound, still queued at the exit deadline) counts as lost, with the
 * reason. Writes are asynchronous (one in flight; fd-writev-pump.ts); the synchronous flush used
 * at exit never retries a failed write and never runs past its deadline (fd-exit-flush.ts).
 * Hand-written instead of pino's sonic-boom because sonic-boom retries a failed write forever in
 * `flushSync` (a full disk made the process unkillable; RESEARCH.md) and cannot say which lines
 * were accepted. At the
 * hand-over to the reporter's worker, the lines not yet written go to its copy (line-handover.ts).
 */
import { CountingSink } from './counting-sink.js';
import { flushFdSync } from './fd-exit-flush.js';
import { FdLines, type HeldBytes } from './fd-lines.js';
import { FdTarget, openAppend, REOPEN_INTERVAL_MS } from './fd-target.js';
import { WritevPump } from './fd-writev-pump.js';
import { errorCode, type Line } from './sink.js';

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
  /** The queue, the write in flight, the descriptor and the cut line (fd-lines.ts). */
  readonly #lines: FdLines;
  /** The asynchronous writes (fd-writev-pump.ts); the synchronous flush is fd-exit-flush.ts. */
  readonly #pump: WritevPump;

  constructor(fd: number, options: FdSinkOptions) {
    super(options.maxBacklogBytes);
    const sink = this;
    // The pump and the exit flush count what they write or lose in this sink's bytes held.
    const held: HeldBytes = {
      get bytes() {
        return sink.held;
      },
      set bytes(bytes: number) {
        sink.held = bytes;
      },
    };
    this.#lines = new FdLines(new FdTarget(fd, options.ownsFd, options.path, options.openError), this.counter, held);
    this.#pump = new WritevPump(this.#lines);
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
    return this.#lines.target.openError;
  }

  /** No descriptor (it could not be opened, or was closed): opened again, at most every {@link REOPEN_INTERVAL_MS}. */
  protected refusal(): string | undefined {
    const target = this.#lines.target;
    if (target.fd >= 0) return undefined;
    if (!target.reopen()) return target.openError ?? 'EBADF';
    this.#lines.torn.reset();
    this.#lines.closed = false;
    return undefined;
  }

  /**
   * Queues the line; the asynchronous write starts on the next turn, never inside `write`: lines
   * written during an exit flush (compacted repeats) are then written synchronously and counted,
   * instead of riding an asynchronous write whose completion the exiting process never sees.
   */
  protected enqueue(line: Line): void {
    this.#lines.queue.push(line);
    this.#pump.schedule();
  }

  /**
   * True while a write is under way (it may stop inside a line): the hand-over waits for it to
   * settle, then gives the worker's copy every line not written, the rest of a cut one first.
   */
  get writing(): boolean {
    return this.#lines.inFlight !== undefined;
  }

  /**
   * At the hand-over: the lines not being written (a FIFO whose reader stalls holds them), for the
   * worker's copy, which writes them first. Closed with them, this sink lost them as `shutdown`
   * while the process was not shutting down.
   */
  protected override unsent(): Line[] {
    return this.#lines.queue.splice(0);
  }

  /** Lines this thread's copy handed over go out first, in order. */
  protected override putFirst(lines: Line[]): void {
    this.#lines.queue = lines.concat(this.#lines.queue);
    this.#pump.schedule();
  }

  /**
   * Writes the queue synchronously until `deadlineMs`, never retrying a failed write; the rest is
   * lost as `shutdown`, and a write still in flight counts as `unconfirmed` (fd-exit-flush.ts).
   */
  flushSync(deadlineMs: number): void {
    flushFdSync(this.#lines, deadlineMs);
  }

  drained(timeoutMs: number): Promise<void> {
    const lines = this.#lines;
    return this.idle(() => (lines.queue.length > 0 || lines.inFlight !== undefined) && lines.target.fd >= 0, timeoutMs);
  }

  close(deadlineMs: number): void {
    this.#lines.closed = true;
    this.flushSync(deadlineMs);
    this.#lines.target.close(this.#lines.inFlight !== undefined);
  }
}
