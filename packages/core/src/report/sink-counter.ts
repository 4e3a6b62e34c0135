/**
 * The one counter every Faultline sink keeps: records accepted by kind, records lost by reason,
 * records pending (lines made and not yet settled), and the tag of the next line. The first loss
 * for a reason is said on stderr, once per process and reason (stderr-notice.ts).
 */
import type { Line, LineKind, SinkCounts } from './sink.js';
import { sayLoss } from './stderr-notice.js';

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
