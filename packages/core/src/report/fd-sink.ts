/**
 * The reporter's own sink for a file descriptor (stdout, a file): a pino destination whose
 * counters tell the truth. A line counts as written only after the kernel accepted its bytes; a
 * line that will never arrive (disk full, closed pipe, unwritable file, backlog over its bound,
 * still queued when the shutdown deadline passed) counts as lost, with the reason. Writes are
 * asynchronous (one in flight); the synchronous flush used at exit never retries a failed write
 * and never runs past its deadline. Hand-written instead of pino's sonic-boom because sonic-boom
 * retries a failed write forever in `flushSync` (a full disk made the process unkillable; see
 * RESEARCH.md) and cannot say which lines were accepted.
 */
import { closeSync, openSync, write, writeSync } from 'node:fs';

/** How often a destination that could not be opened is tried again. */
export const REOPEN_INTERVAL_MS = 5000;

/** What a line is, for the reporter's counters. */
export type LineKind = 'full' | 'compact' | 'notice';

/** Counters of one sink. */
export interface SinkCounts {
  /** Lines of each kind the kernel accepted. */
  readonly accepted: Readonly<Record<LineKind, number>>;
  /**
   * Fault lines (full and compact) that will never arrive, by reason (`ENOSPC`, `EPIPE`,
   * `backlog`, `shutdown`, …); `unconfirmed` is the write still under way when the exit flush
   * ran (it may land before the process ends).
   */
  readonly lost: Readonly<Record<string, number>>;
  /** Bytes queued in memory, waiting to be written. */
  readonly backlogBytes: number;
}

interface Line {
  readonly bytes: Buffer;
  readonly kind: LineKind;
}

/** Sleeps the thread for `ms` (EAGAIN backoff inside the bounded synchronous flush only). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code) ? code : 'EIO';
}

/** A pino destination writing to a file descriptor, with truthful counts. */
export class FdSink {
  #fd: number;
  readonly #maxBacklog: number;
  readonly #queue: Line[] = [];
  #queuedBytes = 0;
  #inFlight = false;
  /** Lines of the write in flight when a synchronous flush ran: provisionally counted as `unconfirmed`. */
  #unconfirmed: readonly Line[] | undefined;
  #inFlightBatch: readonly Line[] | undefined;
  #nextKind: LineKind = 'full';
  readonly #accepted: Record<LineKind, number> = { full: 0, compact: 0, notice: 0 };
  readonly #lost: Record<string, number> = {};
  readonly #ownsFd: boolean;
  readonly #path: string | undefined;
  #openError: string | undefined;
  #lastOpenAttempt = 0;

  /** `fd` is written to; it is closed by {@link FdSink.close} only when `ownsFd`. */
  constructor(fd: number, options: { maxBacklogBytes: number; ownsFd: boolean; path?: string; openError?: string }) {
    this.#fd = fd;
    this.#maxBacklog = options.maxBacklogBytes;
    this.#ownsFd = options.ownsFd;
    this.#path = options.path;
    this.#openError = options.openError;
    this.#lastOpenAttempt = Date.now();
  }

  /**
   * Opens `path` for appending, synchronously (a signal right after start finds it open). When
   * it cannot be opened (EACCES, ENOENT, EROFS…) the sink still exists: lines are lost with that
   * code, and opening is retried at most every {@link REOPEN_INTERVAL_MS}.
   */
  static open(path: string, maxBacklogBytes: number): FdSink {
    try {
      return new FdSink(openSync(path, 'a'), { maxBacklogBytes, ownsFd: true, path });
    } catch (error) {
      return new FdSink(-1, { maxBacklogBytes, ownsFd: true, path, openError: codeOf(error) });
    }
  }

  /** Why the destination could not be opened, while it cannot (`undefined` once open). */
  get openError(): string | undefined {
    return this.#openError;
  }

  /** Retries opening a destination that failed to open, at most every {@link REOPEN_INTERVAL_MS}. */
  #reopen(): boolean {
    if (this.#fd >= 0) return true;
    if (this.#path === undefined || Date.now() - this.#lastOpenAttempt < REOPEN_INTERVAL_MS) return false;
    this.#lastOpenAttempt = Date.now();
    try {
      this.#fd = openSync(this.#path, 'a');
      this.#openError = undefined;
      return true;
    } catch (error) {
      this.#openError = codeOf(error);
      return false;
    }
  }

  /** Tags the next line pino writes (pino calls `write` synchronously inside the log call). */
  tagNext(kind: LineKind): void {
    this.#nextKind = kind;
  }

  /** pino's destination contract: one call per serialized line. Never throws. */
  write(line: string): boolean {
    const kind = this.#nextKind;
    this.#nextKind = 'full';
    if (!this.#reopen()) {
      this.#lose(kind, this.#openError ?? 'EBADF', 1);
      return false;
    }
    const bytes = Buffer.from(line);
    if (this.#queuedBytes + bytes.length > this.#maxBacklog) {
      this.#lose(kind, 'backlog', 1);
      return false;
    }
    this.#queue.push({ bytes, kind });
    this.#queuedBytes += bytes.length;
    this.#pump();
    return true;
  }

  /** Bytes waiting in memory. */
  get backlogBytes(): number {
    return this.#queuedBytes;
  }

  /** Current counters (copies). */
  get counts(): SinkCounts {
    return { accepted: { ...this.#accepted }, lost: { ...this.#lost }, backlogBytes: this.#queuedBytes };
  }

  #lose(kind: LineKind, reason: string, lines: number): void {
    if (kind === 'notice') return; // notices are about the pipeline, not fault records
    const next = (this.#lost[reason] ?? 0) + lines;
    if (next === 0) delete this.#lost[reason];
    else this.#lost[reason] = next;
  }

  /** Writes the oldest queued lines (batched into one buffer) with one async write in flight. */
  #pump(): void {
    if (this.#inFlight || this.#queue.length === 0 || this.#fd < 0) return;
    this.#inFlight = true;
    const batch = this.#queue.splice(0, 256);
    this.#inFlightBatch = batch;
    const buffer = batch.length === 1 ? (batch[0] as Line).bytes : Buffer.concat(batch.map((l) => l.bytes));
    const done = (error: NodeJS.ErrnoException | null, written: number) => {
      this.#inFlight = false;
      this.#inFlightBatch = undefined;
      if (this.#unconfirmed === batch) {
        // A synchronous flush counted these as unconfirmed; now their fate is known.
        this.#unconfirmed = undefined;
        for (const line of batch) this.#lose(line.kind, 'unconfirmed', -1);
      }
      this.#settle(batch, error, written);
      this.#pump();
    };
    try {
      write(this.#fd, buffer, 0, buffer.length, null, done);
    } catch (error) {
      done(error as NodeJS.ErrnoException, 0);
    }
  }

  /**
   * Counts a batch after its write: whole lines inside the written bytes are accepted; the rest of
   * a short write goes back to the front of the queue; EAGAIN (a full pipe) retries shortly; any
   * other error loses the batch's lines with the error's code, and is never retried.
   */
  #settle(batch: Line[], error: NodeJS.ErrnoException | null, written: number): void {
    if (error !== null) {
      if (codeOf(error) === 'EAGAIN') {
        this.#queue.unshift(...batch);
        this.#inFlight = true;
        setTimeout(() => {
          this.#inFlight = false;
          this.#pump();
        }, 10).unref();
        return;
      }
      for (const line of batch) {
        this.#queuedBytes -= line.bytes.length;
        this.#lose(line.kind, codeOf(error), 1);
      }
      return;
    }
    this.#queuedBytes -= written;
    let offset = 0;
    let index = 0;
    for (; index < batch.length; index += 1) {
      const line = batch[index] as Line;
      if (offset + line.bytes.length > written) break;
      offset += line.bytes.length;
      this.#accepted[line.kind] += 1;
    }
    if (index < batch.length) {
      const rest = batch.slice(index);
      const first = rest[0] as Line;
      rest[0] = { bytes: first.bytes.subarray(written - offset), kind: first.kind };
      this.#queue.unshift(...rest);
    }
  }

  /**
   * Writes what is queued, synchronously, until `deadlineMs` from now. A failed write is never
   * retried (its lines are lost with the error's code); EAGAIN is retried with short pauses
   * until the deadline; whatever is still queued at the deadline is lost as `shutdown`. A write
   * already in flight is left to finish (its lines are counted when it does, if ever).
   */
  flushSync(deadlineMs: number): void {
    const deadline = Date.now() + deadlineMs;
    while (this.#queue.length > 0) {
      const line = this.#queue[0] as Line;
      try {
        const written = writeSync(this.#fd, line.bytes);
        if (written < line.bytes.length) {
          this.#queue[0] = { bytes: line.bytes.subarray(written), kind: line.kind };
          this.#queuedBytes -= written;
          continue;
        }
        this.#queue.shift();
        this.#queuedBytes -= line.bytes.length;
        this.#accepted[line.kind] += 1;
      } catch (error) {
        if (codeOf(error) === 'EAGAIN' && Date.now() < deadline) {
          pause(5);
          continue;
        }
        this.#queue.shift();
        this.#queuedBytes -= line.bytes.length;
        this.#lose(line.kind, codeOf(error), 1);
      }
      if (Date.now() >= deadline) break;
    }
    for (const line of this.#queue.splice(0)) this.#lose(line.kind, 'shutdown', 1);
    this.#queuedBytes = 0;
    const inFlight = this.#inFlightBatch;
    if (inFlight !== undefined && this.#unconfirmed !== inFlight) {
      // The asynchronous write under way may or may not land before the process ends.
      this.#unconfirmed = inFlight;
      for (const line of inFlight) this.#lose(line.kind, 'unconfirmed', 1);
    }
  }

  /** Resolves once nothing is queued or in flight, or after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((this.#queue.length > 0 || this.#inFlight) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Flushes within `deadlineMs` and closes the descriptor when this sink opened it. */
  close(deadlineMs: number): void {
    this.flushSync(deadlineMs);
    if (this.#ownsFd) {
      try {
        closeSync(this.#fd);
      } catch {
        // already closed
      }
      this.#fd = -1;
    }
  }
}
