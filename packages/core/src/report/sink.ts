/**
 * The contract every Faultline-owned sink keeps (file descriptor, rotating file, syslog over
 * TLS), and the one counter they share. A sink is a pino destination (`write(line)`) that knows
 * what each line stands for (`tagNext`): a full record, a compact line carrying N repeats, or a
 * pipeline notice. Counts are of records: accepted only once the bytes left the process's hands
 * (kernel or socket), lost with a reason otherwise. No sink method throws or blocks past its bound.
 * The counter is sink-counter.ts; the base class of Faultline's sinks, counting-sink.ts.
 */

/** What a line is, for the reporter's counters. */
export type LineKind = 'full' | 'compact' | 'notice';

/** Counters of one sink. */
export interface SinkCounts {
  /** Records of each kind whose bytes were accepted (compact lines count the repeats they carry). */
  readonly accepted: Readonly<Record<LineKind, number>>;
  /**
   * Fault records (full and compact) that will never arrive, by reason (`ENOSPC`, `EPIPE`,
   * `backlog`, `shutdown`, `disconnected`…); `unconfirmed` is a write still under way when the
   * exit flush ran (it may land before the process ends).
   */
  readonly lost: Readonly<Record<string, number>>;
  /** Bytes queued in memory, waiting to be written. */
  readonly backlogBytes: number;
  /**
   * Fault records whose lines the sink holds (queued or being written), neither accepted nor lost
   * yet. Faultline's own sinks say it; a sink of your own may leave it out.
   */
  readonly pending?: number;
}

/** A Faultline-owned destination. */
export interface Sink {
  /** pino's destination contract: one call per serialized line. Never throws. */
  write(line: string): boolean;
  /** Says what the next line stands for (pino calls `write` synchronously inside the log call). */
  tagNext(kind: LineKind, records?: number): void;
  /** Bytes waiting in memory. */
  readonly backlogBytes: number;
  /** Current counters (copies). */
  readonly counts: SinkCounts;
  /** Fault records lost for `reason` so far, read without a copy of every counter (Faultline's sinks). */
  lostTo?(reason: string): number;
  /** Why the destination cannot be used right now (`EACCES`, `ECONNREFUSED`…), if so. */
  readonly openError: string | undefined;
  /** Writes what it can synchronously within `deadlineMs`; the rest is counted lost. Never retries a failed write. */
  flushSync(deadlineMs: number): void;
  /** Resolves once nothing is queued or in flight, or after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void>;
  /** Flushes within `deadlineMs` and releases what the sink opened. */
  close(deadlineMs: number): void;
}

/** True for a value that implements {@link Sink} (told apart from a plain pino destination stream). */
export function isSink(value: unknown): value is Sink {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Sink).tagNext === 'function' &&
    typeof (value as Sink).flushSync === 'function'
  );
}

/** A short error code for counters (`ENOSPC`), `EIO` when the error has none. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? code : 'EIO';
}

/** One line as a sink holds it. */
export interface Line {
  readonly bytes: Buffer;
  readonly kind: LineKind;
  /** Fault records the line stands for (1, or the repeats of a compact line). */
  readonly records: number;
}
