/**
 * What a file-descriptor sink (fd-sink.ts) holds, shared by its two ways of writing: the
 * asynchronous `writev` pump (fd-writev-pump.ts) and the synchronous flush at exit
 * (fd-exit-flush.ts). The queue, the write in flight, the descriptor, the line a failed write cut,
 * and the counting of what becomes of each line.
 */
import type { FdTarget } from './fd-target.js';
import type { Line } from './sink.js';
import type { SinkCounter } from './sink-counter.js';
import { TornLine } from './torn-line.js';

/** The owning sink's count of bytes held in memory, queued or in flight (`CountingSink.held`). */
export interface HeldBytes {
  /** Read and written through to the sink's own count. */
  bytes: number;
}

/** The lines of one fd sink, the state of their writes, and how their fate is counted. */
export class FdLines {
  /** The descriptor written to (reopened by path when it could not be opened). */
  readonly target: FdTarget;
  /** The sink's counter: lines accepted, lost by reason, pending. */
  readonly counter: SinkCounter;
  /** The sink's bytes held in memory. */
  readonly held: HeldBytes;
  /** Lines waiting to be written, oldest first. */
  queue: Line[] = [];
  /** The lines of the asynchronous write under way, if any. */
  inFlight: readonly Line[] | undefined;
  /** The write in flight when a synchronous flush ran: provisionally counted as `unconfirmed`. */
  unconfirmed: readonly Line[] | undefined;
  /**
   * Closed by `FdSink.close`: a write still in flight then settles what it wrote, and the rest is
   * lost. Put back in the queue (a full pipe, a short write), it stayed pending for ever, and the
   * hand-over to the worker, which waits for nothing to be pending, spun the event loop.
   */
  closed = false;
  /** A line a failed write cut in the file: ended by a newline before the next line (torn-line.ts). */
  readonly torn = new TornLine();

  constructor(target: FdTarget, counter: SinkCounter, held: HeldBytes) {
    this.target = target;
    this.counter = counter;
    this.held = held;
  }

  /** Counts `lines` (held in memory until now) lost with `reason`. */
  loseHeld(lines: readonly Line[], reason: string): void {
    this.torn.lost(lines, this.target.fd);
    for (const line of lines) {
      this.held.bytes -= line.bytes.length;
      this.counter.lose(line, reason);
    }
  }
}
