/**
 * The contract every Faultline-owned sink keeps (file descriptor, rotating file, syslog over
 * TLS), and the one counter they share. A sink is a pino destination (`write(line)`) that knows
 * what each line stands for (`tagNext`): a full record, a compact line carrying N repeats, or a
 * pipeline notice. Counts are of records: accepted only once the bytes left the process's hands
 * (kernel or socket), lost with a reason otherwise. No sink method throws or blocks past its bound.
 */
import type { HandedLine } from './line-handover.js';
import { sayLoss } from './stderr-notice.js';

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

/** The accepted/lost bookkeeping every sink shares, and the tag of the next line. */
export class SinkCounter {
  readonly #accepted: Record<LineKind, number> = { full: 0, compact: 0, notice: 0 };
  readonly #lost: Record<string, number> = {};
  #nextKind: LineKind = 'full';
  #nextRecords = 1;
  /** Fault records of lines made and not yet settled (accepted or lost). */
  #pending = 0;

  /** Records the tag of the next line. */
  tag(kind: LineKind, records = 1): void {
    this.#nextKind = kind;
    this.#nextRecords = records;
  }

  /** The line for `bytes`, with the pending tag (then reset to one full record); pending until settled. */
  line(bytes: Buffer): Line {
    const line = { bytes, kind: this.#nextKind, records: this.#nextRecords };
    this.#nextKind = 'full';
    this.#nextRecords = 1;
    if (line.kind !== 'notice') this.#pending += line.records;
    return line;
  }

  /** Counts `line` as accepted. */
  accept(line: Line): void {
    this.#accepted[line.kind] += line.records;
    if (line.kind !== 'notice') this.#pending -= line.records;
  }

  /**
   * Counts `line` as lost for `reason` (`sign` -1 takes a provisional loss back: the line is
   * pending again until its write settles). Notices are not fault records.
   */
  lose(line: Line, reason: string, sign: 1 | -1 = 1): void {
    if (line.kind === 'notice') return;
    this.#pending -= sign * line.records;
    const before = this.#lost[reason];
    if (before === undefined && sign === 1) sayLoss(reason);
    const next = (before ?? 0) + sign * line.records;
    if (next === 0) delete this.#lost[reason];
    else this.#lost[reason] = next;
  }

  /** Lets go of `line`, handed to another copy of the sink (which counts it from then on). */
  handOff(line: Line): void {
    if (line.kind !== 'notice') this.#pending -= line.records;
  }

  /** Fault records lost for `reason` so far (no snapshot made). */
  lostTo(reason: string): number {
    return this.#lost[reason] ?? 0;
  }

  /** A snapshot for `Sink.counts`. */
  snapshot(backlogBytes: number): SinkCounts {
    return { accepted: { ...this.#accepted }, lost: { ...this.#lost }, backlogBytes, pending: this.#pending };
  }
}

/**
 * What every Faultline sink shares: the counter, the tag of the next line, the bytes held in
 * memory and the bound on them. `write` encodes the line, asks the sink whether it can take it
 * now (`refusal`), applies the backlog bound, then hands it to `enqueue`.
 */
export abstract class CountingSink implements Sink {
  protected readonly counter = new SinkCounter();
  /** Bytes held in memory (queued or in flight). */
  protected held = 0;
  readonly #maxBacklog: number;

  constructor(maxBacklogBytes: number) {
    this.#maxBacklog = maxBacklogBytes;
  }

  abstract readonly openError: string | undefined;

  get backlogBytes(): number {
    return this.held;
  }

  get counts(): SinkCounts {
    return this.counter.snapshot(this.held);
  }

  lostTo(reason: string): number {
    return this.counter.lostTo(reason);
  }

  tagNext(kind: LineKind, records = 1): void {
    this.counter.tag(kind, records);
  }

  write(text: string): boolean {
    const line = this.counter.line(this.encode(text));
    const refusal = this.refusal();
    if (refusal !== undefined) {
      this.counter.lose(line, refusal);
      return false;
    }
    if (!this.#admit(line)) return false;
    this.enqueue(line);
    return true;
  }

  /** Counts `line` as held when it fits the backlog bound (true); else loses it as `backlog`. */
  #admit(line: Line): boolean {
    if (this.held + line.bytes.length > this.#maxBacklog) {
      this.counter.lose(line, 'backlog');
      return false;
    }
    this.held += line.bytes.length;
    return true;
  }

  /**
   * Gives up the lines not yet being written, oldest first, for another copy of the sink (the
   * worker's, at the hand-over) to write before its own: they leave this sink's counts, neither
   * written nor lost. A sink that cannot be left mid-queue gives none (it is waited for instead).
   */
  handOver(): HandedLine[] {
    const lines = this.unsent();
    for (const line of lines) {
      this.held -= line.bytes.length;
      this.counter.handOff(line);
    }
    return lines.map((line) => [line.bytes, line.kind, line.records]);
  }

  /**
   * Takes lines another copy handed over, ahead of those it holds, within the backlog bound:
   * beyond it they are lost as `backlog`, like any line.
   */
  adopt(lines: readonly HandedLine[]): void {
    const taken: Line[] = [];
    for (const [bytes, kind, records] of lines) {
      this.counter.tag(kind, records);
      const line = this.counter.line(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (this.#admit(line)) taken.push(line);
    }
    if (taken.length > 0) this.putFirst(taken);
  }

  /** Removes and returns the lines not yet being written (none unless the sink can be left mid-queue). */
  protected unsent(): Line[] {
    return [];
  }

  /** Puts `lines` (already counted in {@link held}) ahead of those waiting. */
  protected putFirst(lines: Line[]): void {
    for (const line of lines) this.enqueue(line);
  }

  /** The bytes of one line (a syslog sink frames it). */
  protected encode(text: string): Buffer {
    return Buffer.from(text);
  }

  /** Why a line cannot be taken now (counted lost with that reason), or `undefined`. */
  protected abstract refusal(): string | undefined;

  /** Takes a line already counted in {@link held}. */
  protected abstract enqueue(line: Line): void;

  /** Resolves once `busy()` is false, or after `timeoutMs` (polling every `stepMs`). */
  protected async idle(busy: () => boolean, timeoutMs: number, stepMs = 2): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (busy() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, stepMs));
  }

  abstract flushSync(deadlineMs: number): void;
  abstract drained(timeoutMs: number): Promise<void>;
  abstract close(deadlineMs: number): void;
}
