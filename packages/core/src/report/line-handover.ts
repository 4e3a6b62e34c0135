/**
 * Lines that cross from the response thread's sink to the worker's copy of it at the hand-over:
 * a syslog sink that cannot send when the worker takes the destination (the receiver down or
 * still connecting), or a file/FIFO sink still holding lines at the hand-over's bound (a FIFO
 * whose reader stalls), gives its unsent lines to the worker's sink, which writes them first, in
 * order, and counts them from then on. Sinks that cannot be left mid-queue give none (the
 * hand-over waits for them to finish instead).
 */
import type { LineKind, Sink } from './sink.js';

/** A line as it crosses threads: its bytes (a `Uint8Array` on arrival), what it stands for, its records. */
export type HandedLine = readonly [bytes: Uint8Array, kind: LineKind, records: number];

/** What a sink that hands lines over does (Faultline's `CountingSink`). */
interface Handing {
  handOver(): HandedLine[];
  adopt(lines: readonly HandedLine[]): void;
}

const handing = (sink: Sink): sink is Sink & Handing =>
  typeof (sink as Partial<Handing>).handOver === 'function' && typeof (sink as Partial<Handing>).adopt === 'function';

/**
 * True while `sink` has a write under way that may stop inside a line (a file/FIFO sink's):
 * the hand-over lets it settle first, so that what is left of the line goes over with the rest.
 */
export function stillWriting(sink: Sink): boolean {
  return (sink as { readonly writing?: unknown }).writing === true;
}

/** The unsent lines `sink` gives up for the worker's copy (none from a sink of another kind). */
export function handOver(sink: Sink): HandedLine[] {
  return handing(sink) ? sink.handOver() : [];
}

/** Gives `sink` the lines another copy handed over, ahead of its own; false when it cannot take them. */
export function adopt(sink: Sink, lines: readonly HandedLine[]): boolean {
  if (!handing(sink)) return false;
  sink.adopt(lines);
  return true;
}

/** Fault records the handed `lines` stand for (notices are none). */
export function handedRecords(lines: readonly HandedLine[]): number {
  let records = 0;
  for (const [, kind, n] of lines) if (kind !== 'notice') records += n;
  return records;
}
