/**
 * The base class of Faultline's own sinks (fd-sink.ts, stream-sink.ts, syslog/tls-sink.ts): the
 * counter, the bytes held in memory and their bound, and the hand-over of unsent lines between
 * copies of a sink (line-handover.ts).
 */
import type { HandedLine } from './line-handover.js';
import type { Line, LineKind, Sink, SinkCounts } from './sink.js';
import { SinkCounter } from './sink-counter.js';

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
